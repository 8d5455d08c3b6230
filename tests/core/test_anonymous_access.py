"""Every URL refuses anonymous users, except the few that must be public.

The URLs come from walking the resolver (tests/urlwalk.py) at collection time, so an endpoint
added later is covered without touching this file: a page must redirect to
the login form, an API endpoint must answer 401/403, the admin must send to
its own login.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.urls import resolve

from tests.urlwalk import endpoints

# Public on purpose: the login form, the API's token exchange (its login),
# the health check for load balancers, the admin's own login form, and the
# language switch (POST only; it sets a cookie before login, SPEC §7.6).
PUBLIC = {"login", "api-token", "healthz", "healthz-live", "healthz-ready", "admin:login", "language_switch"}
# Polled by htmx from every page: signed out, they answer an empty 286 ("stop
# polling") instead of a redirect whose login page htmx would swap in.
STOP_POLLING = {"notifications:badge"}
# The client's page (SPEC §7.5) takes a client link, not a login: without one, the plain refusal
# (its actions answer GET with 405 before anything else).
CLIENT_LINK_PAGES = "client_portal:"


ENDPOINTS = endpoints()
PROTECTED = [endpoint for endpoint in ENDPOINTS if endpoint.name not in PUBLIC]


def test_it_finds_the_endpoints_of_every_part_of_the_portal():
    paths = {endpoint.path for endpoint in ENDPOINTS}
    assert {"/", "/login/", "/healthz", "/admin/", "/admin/auth/", "/api/v1/users/", "/api/v1/users/1/"} <= paths
    assert {endpoint.name for endpoint in ENDPOINTS} >= PUBLIC


def test_it_builds_paths_that_resolve():
    for endpoint in ENDPOINTS:
        resolve(endpoint.path)  # raises Resolver404 for a badly built sample path


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", PROTECTED, ids=str)
def test_it_refuses_anonymous_users(client, endpoint):
    response = client.get(endpoint.path)

    if endpoint.name in STOP_POLLING:
        assert (response.status_code, response.content) == (286, b""), f"{endpoint} revealed something"
    elif endpoint.name.startswith(CLIENT_LINK_PAGES):
        assert response.status_code in {404, 405}, f"{endpoint} answered {response.status_code} to anonymous"
        if response.status_code == 404:
            assert "This link is no longer valid" in response.content.decode()
    elif endpoint.path.startswith("/api/") and endpoint.name != "api-docs":  # the docs are a page (below)
        assert response.status_code in {401, 403}, f"{endpoint} answered {response.status_code} to anonymous"
    elif endpoint.path.startswith("/admin/"):
        # The admin's logout sends to its index first, which then sends to its login.
        assert response.status_code == 302, f"{endpoint} answered {response.status_code} to anonymous"
        final = client.get(endpoint.path, follow=True)
        assert final.request["PATH_INFO"] == "/admin/login/"
    else:
        assert response.status_code == 302, f"{endpoint} answered {response.status_code} to anonymous"
        location = urlsplit(response["Location"])
        assert location.path == "/login/"
        assert location.query.startswith("next=")


@pytest.mark.django_db
def test_it_refuses_anonymous_posts_to_pages(client):
    response = client.post("/logout/")

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/login/"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/healthz/live", "/healthz/ready", "/admin/login/"])
def test_it_serves_the_public_pages_to_anonymous_users(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_it_serves_static_files_to_anonymous_users_without_collectstatic(client):
    response = client.get("/static/css/app.css")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
