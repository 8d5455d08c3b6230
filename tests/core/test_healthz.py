"""/healthz: database, broker and worker status; 503 only when the database is down."""

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
