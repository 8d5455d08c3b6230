"""Observability (issue 17): Sentry on SENTRY_DSN only with secrets masked, JSON logs with a request id
that follows the request into the Celery tasks it enqueues."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from config.observability import FILTERED, REQUEST_ID_HEADER, scrub_event

ROOT = Path(__file__).resolve().parents[2]


def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("SENTRY_", "LOG_"))}
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings.base", "PYTHONPATH": str(ROOT), **env})
    clean.pop("REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120, check=False
    )


# --- Sentry -----------------------------------------------------------------------------------------
SENTRY_PROBE = r"""
import json, django
import sentry_sdk
django.setup()
client = sentry_sdk.get_client()
print("ACTIVE", client.is_active())
if client.is_active():
    from sentry_sdk.transport import Transport
    from config.observability import init_sentry

    events = []
    class Capture(Transport):
        def capture_envelope(self, envelope):
            for item in envelope.items:
                if item.type == "event":
                    events.append(item.payload.json)

    init_sentry("https://public@sentry.example.invalid/1", environment="test", transport=Capture)
    print("INTEGRATIONS", sorted(sentry_sdk.get_client().integrations))

    def charge(password, token):
        database_url = "postgres://portal:hunter2-db-secret@db:5432/handoff"
        raise RuntimeError("cannot reach redis://:hunter2-redis-secret@redis:6379/0")

    try:
        charge("hunter2-user-password", "hunter2-api-token")
    except RuntimeError:
        sentry_sdk.capture_exception()
    sentry_sdk.flush()
    print("EVENTS", json.dumps(events))
"""


def test_sentry_is_off_without_a_dsn():
    result = _python(SENTRY_PROBE)

    assert result.returncode == 0, result.stderr
    assert "ACTIVE False" in result.stdout


def test_sentry_reports_errors_with_django_and_celery_and_without_secrets():
    result = _python(SENTRY_PROBE, SENTRY_DSN="https://public@sentry.example.invalid/1")

    assert result.returncode == 0, result.stderr
    assert "ACTIVE True" in result.stdout
    integrations = next(line for line in result.stdout.splitlines() if line.startswith("INTEGRATIONS"))
    assert "'django'" in integrations and "'celery'" in integrations
    events_line = next(line for line in result.stdout.splitlines() if line.startswith("EVENTS"))
    events = json.loads(events_line.removeprefix("EVENTS "))
    assert len(events) == 1
    text = json.dumps(events[0])
    assert "RuntimeError" in text  # the error itself is there ...
    assert "hunter2" not in text  # ... its secrets are not
    assert FILTERED in text


def test_the_event_scrubber_masks_secret_names_and_url_passwords():
    event = {
        "event_id": "abc",
        "request": {"headers": {"Cookie": "sessionid=s3cret", "Authorization": "Token s3cret"}, "data": {"title": "x"}},
        "extra": {"settings": {"SECRET_KEY": "s3cret", "DATABASE_URL": "postgres://u:s3cret@db/x", "DEBUG": False}},
        "breadcrumbs": {"values": [{"message": "connect redis://:s3cret@redis:6379/0"}]},
    }

    scrubbed = scrub_event(event)

    assert "s3cret" not in json.dumps(scrubbed)
    assert scrubbed["event_id"] == "abc"
    assert scrubbed["request"]["data"] == {"title": "x"}
    assert scrubbed["extra"]["settings"]["DEBUG"] is False
    assert scrubbed["extra"]["settings"]["DATABASE_URL"] == f"postgres://u:{FILTERED}@db/x"


# --- JSON logs with the request id ------------------------------------------------------------------
LOG_PROBE = r"""
import django
django.setup()
from django.test import Client
response = Client().get("/no-such-page/", headers={"X-Request-ID": "%s"})
print("HEADER", response.headers.get("X-Request-ID"))
"""


def test_json_logs_carry_the_request_id_the_proxy_sent():
    request_id = uuid.uuid4().hex
    result = _python(LOG_PROBE % request_id, LOG_FORMAT="json", LOG_LEVEL="WARNING")

    assert result.returncode == 0, result.stderr
    assert f"HEADER {request_id}" in result.stdout
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    not_found = [line for line in lines if line["logger"] == "django.request"]
    assert not_found, result.stderr
    assert not_found[0]["request_id"] == request_id
    assert not_found[0]["level"] == "WARNING"
    assert "Not Found" in not_found[0]["message"]


def test_plain_logs_carry_a_request_id_too():
    result = _python(LOG_PROBE % "not-a-uuid", LOG_LEVEL="WARNING")

    assert result.returncode == 0, result.stderr
    generated = next(line for line in result.stdout.splitlines() if line.startswith("HEADER")).split()[1]
    assert generated != "not-a-uuid"  # only UUIDs are taken from outside (no log injection)
    assert f"[{generated}] django.request Not Found" in result.stderr


def test_it_refuses_an_unknown_log_format():
    result = _python("import django; django.setup()", LOG_FORMAT="xml")

    assert result.returncode != 0
    assert "LOG_FORMAT must be plain or json" in result.stderr


# --- Into the Celery tasks ------------------------------------------------------------------------------
def test_a_task_enqueued_by_a_request_carries_its_id_to_the_worker():
    from celery.signals import before_task_publish
    from django_guid import clear_guid, get_guid, set_guid

    from config.celery_app import app
    from config.observability import _adopt_request_id, _forget_request_id
    from notifications.tasks import deliver_email

    published: list[dict] = []

    def record(headers=None, **kwargs):
        published.append(dict(headers))

    before_task_publish.connect(record)
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url="memory://", task_always_eager=False)
    app._pool = None
    app.amqp._producer_pool = None
    set_guid("a" * 32)
    try:
        deliver_email.delay(0)
    finally:
        clear_guid()
        before_task_publish.disconnect(record)
        app.conf.update(saved)
        app._pool = None
        app.amqp._producer_pool = None

    assert published and published[0][REQUEST_ID_HEADER] == "a" * 32

    # The worker side: the task adopts the id from its headers, and forgets it afterwards.
    class Request:
        is_eager = False

        def get(self, name, default=None):
            return {REQUEST_ID_HEADER: "a" * 32}.get(name, default)

    class Task:
        request = Request()

    _adopt_request_id(task=Task())
    assert get_guid() == "a" * 32
    _forget_request_id(task=Task())
    assert get_guid() is None


@pytest.mark.django_db
def test_an_eager_task_keeps_the_requests_id(client, rep):
    client.force_login(rep)
    request_id = uuid.uuid4().hex

    response = client.get("/notifications/", headers={"X-Request-ID": request_id})

    assert response.headers["X-Request-ID"] == request_id
