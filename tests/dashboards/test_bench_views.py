"""The benchmark's reference views are routed only when BENCH_TRIVIAL_VIEW is on."""

from __future__ import annotations

import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

import config.urls
import dashboards.urls


def reload_urls() -> None:
    importlib.reload(dashboards.urls)
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.fixture
def bench_routes():
    with override_settings(BENCH_TRIVIAL_VIEW=True):
        reload_urls()
        yield
    reload_urls()


def test_it_does_not_route_the_bench_views_by_default(client_as, manager):
    assert client_as(manager).get("/dashboard/bench/layout/").status_code == 404


def test_it_serves_the_trivial_view_without_a_login(client, bench_routes):
    response = client.get("/dashboard/bench/trivial/")

    assert response.status_code == 200 and response.content == b"ok"


def test_it_serves_the_layout_only_page_to_a_signed_in_user(client_as, manager, bench_routes):
    assert client_as(manager).get("/dashboard/bench/layout/").status_code == 200
