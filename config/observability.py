"""Error tracking (Sentry, on SENTRY_DSN only) and the request id that follows a request into its tasks.

- ``init_sentry``: the Django and Celery integrations, no personal data, and every event passed
  through ``scrub_event`` first: the masking of Django's error reports (``config/error_reports.py``:
  settings-like keys such as PASSWORD, TOKEN, SECRET, KEY, COOKIE, and passwords inside URLs such as
  DATABASE_URL) applied to the whole event (local variables, request data, breadcrumbs, messages).
- The request id: django-guid's middleware takes ``X-Request-ID`` from the proxy (or makes one) and
  returns it; the log filter puts it on every log line. The two Celery signals below carry it in
  the headers of every task a request (or a task) publishes, so the worker's lines of that task
  carry the same id. Eager tasks (``make run``, tests) run inside the request and keep its id.
"""

from __future__ import annotations

import re
from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.views.debug import SafeExceptionReporterFilter

from config.error_reports import mask_url_passwords

FILTERED = "[Filtered]"
REQUEST_ID_HEADER = "X-Request-ID"
# Django's own rule for secret-looking names (API, TOKEN, KEY, SECRET, PASS, SIGNATURE), plus cookies,
# session ids and authorization headers.
_SECRET_NAME = re.compile(SafeExceptionReporterFilter.hidden_settings.pattern + "|COOKIE|SESSION|AUTH", re.IGNORECASE)
# Keys of Sentry's own event structure that match the rule above but hold no secret.
_SENTRY_KEYS = {"event_id", "sdk", "contexts", "key_values"}


def _scrub(value: Any, depth: int = 0) -> Any:
    if depth > 20:
        return value
    if isinstance(value, dict):
        return {
            key: FILTERED
            if isinstance(key, str)
            and key not in _SENTRY_KEYS
            and _SECRET_NAME.search(key)
            and value[key] not in (None, "")
            else _scrub(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(item, depth + 1) for item in value]
    if isinstance(value, str):
        return mask_url_passwords(value, FILTERED)
    return value


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Sentry's ``before_send``: the event with every secret-named value and URL password masked."""
    return _scrub(event)


def init_sentry(dsn: str, *, environment: str, traces_sample_rate: float = 0.0, transport: Any = None) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    options: dict[str, Any] = {}
    if transport is not None:
        options["transport"] = transport
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        traces_sample_rate=traces_sample_rate,
        **options,
    )


# --- The request id into Celery tasks ---------------------------------------------------------
@before_task_publish.connect(dispatch_uid="handoff-request-id-publish")
def _publish_request_id(headers: dict | None = None, **kwargs: Any) -> None:
    from django_guid import get_guid

    request_id = get_guid()
    if request_id and headers is not None:
        headers[REQUEST_ID_HEADER] = request_id


@task_prerun.connect(dispatch_uid="handoff-request-id-prerun")
def _adopt_request_id(task: Any = None, **kwargs: Any) -> None:
    from django_guid import set_guid
    from django_guid.utils import generate_guid

    if task is None or task.request.is_eager:
        return  # runs inside the request (or test) that called it: its id stays
    set_guid(task.request.get(REQUEST_ID_HEADER) or generate_guid())


@task_postrun.connect(dispatch_uid="handoff-request-id-postrun")
def _forget_request_id(task: Any = None, **kwargs: Any) -> None:
    from django_guid import clear_guid

    if task is not None and not task.request.is_eager:
        clear_guid()
