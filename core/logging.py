"""Logging filters for the portal (wired in ``config.settings.base.LOGGING``)."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404

EXPECTED = (PermissionDenied, Http404)


class ExpectedRefusals(logging.Filter):
    """A 403 or 404 the code raised on purpose is an answer, not an error: one line, no traceback.

    Django's ``django.request`` logger records every ``PermissionDenied`` and
    ``Http404`` as a warning with the full traceback (a signed-in user without a
    role opening /dashboard/, a stale link). This filter keeps the line ("Forbidden
    (Permission denied): /dashboard/") at INFO and drops the traceback; anything
    else, and every 5xx, passes unchanged.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc_info = record.exc_info
        if exc_info and isinstance(exc_info[1], EXPECTED) and getattr(record, "status_code", None) in (403, 404):
            record.exc_info = None
            record.exc_text = None
            record.levelno = logging.INFO
            record.levelname = logging.getLevelName(logging.INFO)
        return True
