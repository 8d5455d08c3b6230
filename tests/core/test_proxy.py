"""The client's address behind TRUSTED_PROXY_COUNT proxies: lockouts and throttles per client, not per proxy."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import RequestFactory

from core.proxy import client_ip
from tests.factories import DEFAULT_PASSWORD

PROXY = "10.0.0.2"


def request(forwarded: str | None = None):
    extra = {"REMOTE_ADDR": PROXY}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_a_proxy_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request("203.0.113.9")) == PROXY


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "203.0.113.9", "203.0.113.9"),
        # A client that sends its own header cannot choose its address: only the proxy's entry counts.
        (1, "198.51.100.66, 203.0.113.9", "203.0.113.9"),
        (2, "198.51.100.66, 203.0.113.9, 10.0.0.1", "203.0.113.9"),
        (2, "203.0.113.9", "203.0.113.9"),
        (1, "", PROXY),
    ],
)
def test_behind_proxies_the_client_is_the_entry_the_outermost_proxy_wrote(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(request(forwarded)) == expected


def test_drf_throttles_use_the_same_count():
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT
    assert settings.AXES_CLIENT_IP_CALLABLE == "core.proxy.client_ip"


def test_drf_identifies_the_same_client_as_axes(settings):
    from accounts.api.views import TokenThrottle

    settings.TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}  # DRF reloads on the change
    forwarded = request("198.51.100.66, 203.0.113.9")
    assert TokenThrottle().get_ident(forwarded) == client_ip(forwarded) == "203.0.113.9"


@pytest.mark.django_db
def test_a_lockout_behind_the_proxy_locks_the_guesser_not_everyone(client, rep, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/login/", {"username": "rep", "password": "wrong"}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.66"
        )

    guesser = client.post(
        "/login/",
        {"username": "rep", "password": DEFAULT_PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.66",
    )
    client.cookies.clear()
    owner = client.post(
        "/login/",
        {"username": "rep", "password": DEFAULT_PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )

    assert guesser.status_code == 429
    assert owner.status_code == 302


def test_client_link_guesses_are_counted_per_client_behind_the_proxy(settings, rf):
    from projects.views.client_portal import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/c/x/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")

    assert client_ip(request) == "203.0.113.7"
