"""Personas (SPEC §2) and the service gates shared by every test module."""

from __future__ import annotations

import os

# Playwright's sync API runs an asyncio event loop in the test thread; Django
# would otherwise refuse ORM calls from it (SynchronousOnlyOperation).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.browser import VIEWPORT as BROWSER_VIEWPORT
from tests.browser import BrowserLog, launch_options, watch
from tests.factories import UserFactory
from tests.services import chromium_reason, postgres_reason, redis_reason, require


def pytest_runtest_setup(item) -> None:
    # A hook, not usefixtures markers added at collection: pytest has already
    # computed each test's fixtures by then, so such markers are ignored.
    # Runs before any fixture, so a missing service skips (or fails) first.
    if item.get_closest_marker("postgres"):
        require(postgres_reason())
    if item.get_closest_marker("redis") or item.get_closest_marker("worker"):
        require(redis_reason())
    if item.get_closest_marker("browser"):
        require(chromium_reason())


# Under pytest-xdist (`make test` runs `-n auto --dist loadgroup`), the tests that drive real services
# (browsers, a Celery worker, Redis, PostgreSQL-only concurrency, the slow gates) run one after another on
# one worker, as they did before: they share ports, Redis databases and the machine's patience. The rest
# spreads over the other workers.
SERIAL_MARKERS = ("browser", "worker", "redis", "postgres", "slow")


def pytest_itemcollected(item) -> None:
    # At collection of each item, so before xdist's collection_modifyitems reads the groups.
    if any(item.get_closest_marker(name) for name in SERIAL_MARKERS):
        item.add_marker(pytest.mark.xdist_group("services"))


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


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters (token endpoint, client links) live in caches; no test inherits another's (nor an open
    Redis breaker)."""
    from core.breaker import redis as redis_breaker

    redis_breaker.reset()
    cache.clear()
    yield
    cache.clear()


# --- Browser (Playwright driving /usr/bin/chromium against live_server) -----------
@pytest.fixture(scope="session")
def _chromium():
    """One headless Chromium for the whole run, started on first use."""
    require(chromium_reason())
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(**launch_options())
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def browser_log() -> BrowserLog:
    """Console errors, page errors and blocked external requests of this test's page."""
    return BrowserLog()


@pytest.fixture
def page(_chromium, live_server, browser_log):
    """A fresh browser context and page per test (mark the test browser + django_db(transaction=True)).

    Fails the test on any console error, uncaught page error or request to a
    host other than the live server: pages must work offline.
    """
    context = _chromium.new_context(viewport=BROWSER_VIEWPORT, base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    watch(context, page, browser_log)
    yield page
    context.close()
    problems = browser_log.problems()
    if problems:
        pytest.fail("the page was not clean:\n  " + "\n  ".join(problems), pytrace=False)


# --- Celery: a real worker in this process (notifications) ----------------------------
CLOSED_BROKER_URL = "redis://127.0.0.1:1/0"


def _reset_publisher(app) -> None:
    """Forget the pooled publishing connections, so the next publish uses the current broker URL."""
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (a thread of this process, solo pool) consuming from the Redis of REDIS_URL.

    Mark the test ``worker`` (skips or fails without Redis) and
    ``django_db(transaction=True)``: the worker reads over its own database
    connection, so it sees committed rows only. Being in-process it shares
    ``mail.outbox`` (locmem e-mail). While it runs, tasks are published for
    real (eager mode off); the queue is purged before and after.
    """
    require(redis_reason())
    from celery.contrib.testing.worker import start_worker

    from config.celery_app import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    _reset_publisher(app)
    app.control.purge()
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30
        ) as worker:
            yield worker
    finally:
        app.control.purge()
        app.conf.task_always_eager = eager
        _reset_publisher(app)


@pytest.fixture
def broker_unreachable():
    """``with broker_unreachable(): ...`` publishes to a closed port, the way a Redis outage looks.

    ``broker_unreachable(url)`` publishes to another dead broker (one that
    accepts and never answers, say). Only publishing moves
    (``broker_write_url``); a running ``celery_worker`` keeps consuming from
    the real Redis, so after the block "Redis is back".
    """
    from contextlib import contextmanager

    from config.celery_app import app
    from core.breaker import redis as redis_breaker

    @contextmanager
    def down(url: str = CLOSED_BROKER_URL):
        previous = app.conf.broker_write_url
        app.conf.broker_write_url = url
        _reset_publisher(app)
        try:
            yield
        finally:
            app.conf.broker_write_url = previous
            _reset_publisher(app)
            # Redis is back: close the breaker the outage opened, as its pause would (core/breaker.py).
            redis_breaker.reset()

    return down
