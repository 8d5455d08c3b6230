"""Which real services this run can reach, and the skip-or-fail rule for the rest.

Tests that need PostgreSQL, Redis, a Celery worker or Chromium are skipped with
a visible reason when the service is missing; with REQUIRE_SERVICES=1 (CI) a
missing service fails the run instead.
"""

from __future__ import annotations

import os
import shutil
import socket
from functools import cache
from urllib.parse import urlsplit

import pytest
from django.conf import settings

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@cache
def postgres_reason() -> str | None:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "PostgreSQL not configured (set DATABASE_URL=postgres://...)"
    return None


@cache
def redis_reason() -> str | None:
    url = os.environ.get("REDIS_URL")
    if not url:
        return "Redis not configured (set REDIS_URL=redis://127.0.0.1:6379/0)"
    parts = urlsplit(url)
    if not _port_open(parts.hostname or "127.0.0.1", parts.port or 6379):
        return f"Redis not reachable at {url}"
    return None


@cache
def chromium_reason() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        return f"Chromium not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright not installed"
    return None


def require(reason: str | None) -> None:
    """Skip (or, under REQUIRE_SERVICES=1, fail) when ``reason`` says a service is missing."""
    if reason is None:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)
