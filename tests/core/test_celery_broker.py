"""A missing or hung Redis must never hang a web request (issue 2, SPEC §6).

Tasks are published with the project's own Celery settings against a broker
that refuses connections and against one that accepts them and never answers:
both must fail within seconds (the sweep re-enqueues what could not be sent).
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
from celery import Celery
from django.conf import settings
from django.test import override_settings
from kombu.exceptions import OperationalError

from config.celery_app import app as project_app

# Generous against a slow CI machine, far below "hanging".
FAIL_FAST_SECONDS = 8


def _publish(broker_url: str) -> tuple[BaseException | None, float]:
    """Enqueue a task the way the portal does (not eagerly); return the error and the time it took."""
    outcome: dict = {}

    def run() -> None:
        with override_settings(CELERY_BROKER_URL=broker_url, CELERY_TASK_ALWAYS_EAGER=False):
            app = Celery("fail-fast-probe")
            app.config_from_object("django.conf:settings", namespace="CELERY")
            assert app.conf.broker_url == broker_url

            @app.task(name="probe.noop")
            def noop() -> None:
                return None

            started = time.monotonic()
            try:
                noop.delay()
            except BaseException as exc:
                outcome["error"] = exc
            outcome["elapsed"] = time.monotonic() - started

    # A thread with a deadline, so a regression fails this test instead of hanging the suite.
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), "publishing to an unreachable Redis hung for 30 s"
    return outcome.get("error"), outcome["elapsed"]


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def silent_redis():
    """Accepts TCP connections and never answers: a hung Redis."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(32)
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()


def test_it_fails_fast_when_redis_refuses_connections(closed_port):
    error, elapsed = _publish(f"redis://127.0.0.1:{closed_port}/0")

    assert isinstance(error, OperationalError)
    assert elapsed < FAIL_FAST_SECONDS


def test_it_fails_fast_when_redis_accepts_but_never_answers(silent_redis):
    error, elapsed = _publish(silent_redis)

    assert isinstance(error, OperationalError)
    assert elapsed < FAIL_FAST_SECONDS


def test_it_sets_broker_timeouts_of_a_few_seconds_and_no_publish_retry():
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS

    assert settings.CELERY_TASK_PUBLISH_RETRY is False
    assert 0 < options["socket_connect_timeout"] <= 5
    assert 0 < options["socket_timeout"] <= 5
    assert options["max_retries"] == 0
    assert 0 < settings.CELERY_BROKER_CONNECTION_TIMEOUT <= 5


def test_it_configures_the_project_app_for_safe_tasks():
    conf = project_app.conf

    assert conf.task_serializer == "json"
    assert conf.result_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.task_time_limit > conf.task_soft_time_limit > 0
    assert conf.task_publish_retry is False
    assert isinstance(conf.beat_schedule, dict)
