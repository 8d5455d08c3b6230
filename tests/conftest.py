"""Personas (SPEC §2) and the service gates shared by every test module."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.services import chromium_reason, postgres_reason, redis_reason, require


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.usefixtures("_require_postgres"))
        if item.get_closest_marker("redis") or item.get_closest_marker("worker"):
            item.add_marker(pytest.mark.usefixtures("_require_redis"))
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.usefixtures("_require_chromium"))


@pytest.fixture
def _require_postgres() -> None:
    require(postgres_reason())


@pytest.fixture
def _require_redis() -> None:
    require(redis_reason())


@pytest.fixture
def _require_chromium() -> None:
    require(chromium_reason())


# --- Personas ------------------------------------------------------------------
@pytest.fixture
def rep(db):
    return UserFactory(username="rep", first_name="Rita", last_name="Rep", roles=["sales"])


@pytest.fixture
def other_rep(db):
    return UserFactory(username="other_rep", first_name="Otto", last_name="Other", roles=["sales"])


@pytest.fixture
def pm(db):
    return UserFactory(username="pm", first_name="Paula", last_name="Manager", roles=["pm"])


@pytest.fixture
def other_pm(db):
    return UserFactory(username="other_pm", first_name="Peter", last_name="Planner", roles=["pm"])


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", first_name="Mona", last_name="Boss", roles=["manager"])


@pytest.fixture
def outsider(db):
    """Authenticated, but holds no role."""
    return UserFactory(username="outsider", first_name="Oscar", last_name="Outside", roles=[])


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_as(api):
    """``api_as(user)``: an API client logged in as ``user`` (session auth)."""

    def login(user):
        api.force_authenticate(user=None)
        api.force_login(user)
        return api

    return login


@pytest.fixture
def client_as(client):
    """``client_as(user)``: a browser test client logged in as ``user``."""

    def login(user):
        client.force_login(user)
        return client

    return login
