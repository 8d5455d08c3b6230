"""/healthz: database, broker and worker status for managers and monitoring (a token), rate-limited;
503 only when the database is down. /healthz/live and /healthz/ready for load balancers."""

import socket
import time

import pytest
from django.db import connection
from django.db.utils import ConnectionHandler

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def unreachable_database(monkeypatch):
    """Point the health check at a PostgreSQL that is not there, the way an outage looks."""
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": "handoff",
                "USER": "postgres",
                "HOST": "127.0.0.1",
                "PORT": _closed_port(),
                "OPTIONS": {"connect_timeout": 2},
            }
        }
    )
    broken = handler["default"]
    monkeypatch.setattr("core.views.connection", broken)
    yield broken
    broken.close()


TOKEN = "monitoring-token-0123456789"


@pytest.fixture(autouse=True)
def healthz_token(settings):
    settings.HEALTHZ_TOKEN = TOKEN


@pytest.fixture
def client(client):
    """A monitoring client: every request carries the token."""
    client.defaults["HTTP_X_HEALTHZ_TOKEN"] = TOKEN
    return client


def test_it_reports_ok_with_every_check(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert set(body) >= {"database", "broker", "workers"}
    assert body["database"]["ok"] is True


def test_it_is_never_cached(client):
    response = client.get("/healthz")

    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_it_answers_503_when_the_database_is_unreachable(client, unreachable_database):
    started = time.monotonic()
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == {"ok": False, "error": "OperationalError"}
    assert time.monotonic() - started < 5
    assert connection.is_usable()  # the real connection was never touched


def test_it_stays_200_but_reports_a_broker_outage(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    started = time.monotonic()

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["broker"]["ok"] is False
    assert body["workers"] == {"ok": False, "error": "broker unreachable"}
    assert time.monotonic() - started < 5


def test_it_reports_the_eager_mode_without_redis(client, settings):
    settings.REDIS_URL = None

    body = client.get("/healthz").json()

    assert body["broker"] == {"ok": True, "mode": "eager"}
    assert body["workers"] == {"ok": True, "mode": "eager"}


@pytest.mark.redis
def test_it_reaches_the_real_broker(client, settings):
    import os

    settings.REDIS_URL = os.environ["REDIS_URL"]

    body = client.get("/healthz").json()

    assert body["broker"] == {"ok": True}
    assert "count" in body["workers"]


def test_it_refuses_post(client):
    assert client.post("/healthz").status_code == 405


# --- Who sees the diagnostics, and how often ---------------------------------------------------
@pytest.mark.parametrize("token", [None, "", "wrong-token"])
def test_it_refuses_the_diagnostics_without_the_right_token(token):
    from django.test import Client

    headers = {} if token is None else {"X-Healthz-Token": token}
    response = Client().get("/healthz", headers=headers)

    assert response.status_code == 403
    assert "database" not in response.json()


def test_it_refuses_the_diagnostics_to_a_rep_and_shows_them_to_a_manager(client_as, rep, manager, settings):
    settings.HEALTHZ_TOKEN = None

    assert client_as(rep).get("/healthz").status_code == 403
    assert client_as(manager).get("/healthz").json()["database"]["ok"] is True


def test_it_rate_limits_the_diagnostics(client, settings, monkeypatch):
    from core.views import HEALTHZ_RATE

    settings.REDIS_URL = None  # no 0.5 s worker ping per request
    monkeypatch.setattr("core.views.time.time", lambda: 1_800_000_000.0)  # within one minute

    statuses = [client.get("/healthz").status_code for _ in range(HEALTHZ_RATE + 1)]

    assert statuses == [200] * HEALTHZ_RATE + [429]


# --- Liveness and readiness ------------------------------------------------------------------
def test_liveness_answers_without_touching_the_database_or_redis(django_assert_num_queries, settings):
    from django.test import Client

    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    with django_assert_num_queries(0):
        response = Client().get("/healthz/live")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_checks_the_database_and_the_broker_without_asking_the_workers(monkeypatch, settings):
    from django.test import Client

    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    monkeypatch.setattr("core.views._check_workers", lambda: pytest.fail("readiness must not broadcast"))
    started = time.monotonic()

    response = Client().get("/healthz/ready")

    assert response.status_code == 200  # a broker outage does not take the replica out
    assert response.json()["database"]["ok"] is True
    assert response.json()["broker"]["ok"] is False
    assert time.monotonic() - started < 2


def test_readiness_answers_503_when_the_database_is_unreachable(unreachable_database):
    from django.test import Client

    response = Client().get("/healthz/ready")

    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "error": "OperationalError"}


@pytest.mark.parametrize("path", ["/healthz/live", "/healthz/ready"])
def test_the_probes_are_not_redirected_to_https(client, settings, path):
    settings.SECURE_SSL_REDIRECT = True  # production's default

    assert client.get(path).status_code == 200
    assert client.get("/login/").status_code == 301
