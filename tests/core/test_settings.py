"""Settings come from the environment and fail loudly on malformed values (STYLE.md)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str, parse_email_url

ROOT = Path(__file__).resolve().parents[2]


def _python(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run the project's Python with nothing but PATH, HOME and ``env`` in the environment."""
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", str(ROOT)), **env}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120, check=False
    )


# --- config.env readers -------------------------------------------------------------
@pytest.mark.parametrize("value", ["ture", "2", "enabled", "yes please"])
def test_it_refuses_a_malformed_boolean(monkeypatch, value):
    monkeypatch.setenv("DEBUG", value)

    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG", False)


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("TRUE", True), (" on ", True), ("no", False)])
def test_it_reads_booleans(monkeypatch, value, expected):
    monkeypatch.setenv("DEBUG", value)

    assert env_bool("DEBUG", not expected) is expected


def test_it_uses_the_default_for_an_empty_value(monkeypatch):
    monkeypatch.setenv("DEBUG", "")
    monkeypatch.setenv("EMAIL_TIMEOUT", "")
    monkeypatch.setenv("SITE_URL", "")

    assert env_bool("DEBUG", True) is True
    assert env_int("EMAIL_TIMEOUT", 10) == 10
    assert env_str("SITE_URL", "http://x") == "http://x"


@pytest.mark.parametrize("value", ["ten", "1.5", "10s"])
def test_it_refuses_a_malformed_integer(monkeypatch, value):
    monkeypatch.setenv("EMAIL_TIMEOUT", value)

    with pytest.raises(ImproperlyConfigured, match="EMAIL_TIMEOUT must be an integer"):
        env_int("EMAIL_TIMEOUT", 10)


def test_it_refuses_an_integer_below_its_minimum(monkeypatch):
    monkeypatch.setenv("AXES_FAILURE_LIMIT", "0")

    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("AXES_FAILURE_LIMIT", 5, minimum=1)


@pytest.mark.parametrize("value", ["a,,b", "a,", " ", ","])
def test_it_refuses_a_list_with_an_empty_item(monkeypatch, value):
    monkeypatch.setenv("ALLOWED_HOSTS", value)

    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS"):
        env_list("ALLOWED_HOSTS", [])


def test_it_reads_a_list(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "portal.example.com, .example.org")

    assert env_list("ALLOWED_HOSTS", []) == ["portal.example.com", ".example.org"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("gmail://me", "scheme"),
        ("mail.example.com", "scheme"),
        ("smtp://", "needs a host"),
        ("smtp://mail:notaport", "invalid port"),
    ],
)
def test_it_refuses_a_bad_email_url(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_email_url(url)


def test_it_reads_an_smtp_url_with_starttls():
    settings = parse_email_url("smtp+tls://user%40example.com:p%40ss@mail.example.com:587")

    assert settings == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.com",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "user@example.com",
        "EMAIL_HOST_PASSWORD": "p@ss",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": True,
    }


def test_it_reads_the_console_backend():
    assert parse_email_url("console://") == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}


# --- whole settings modules, in a clean process ---------------------------------------
def test_it_stops_at_start_up_on_a_malformed_variable():
    result = _python("-c", "import config.settings.base", DEBUG="ture")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DEBUG must be one of" in result.stderr


def test_it_stops_at_start_up_on_a_bad_database_url():
    result = _python("-c", "import config.settings.base", DATABASE_URL="mongo://db/handoff")

    assert result.returncode != 0
    assert "DATABASE_URL is not a valid database URL" in result.stderr


def test_it_runs_tasks_eagerly_without_redis_and_through_redis_with_it():
    probe = "from config.settings import base; print(base.CELERY_TASK_ALWAYS_EAGER, base.CELERY_BROKER_URL)"

    assert _python("-c", probe).stdout.split() == ["True", "memory://"]
    assert _python("-c", probe, REDIS_URL="redis://redis:6379/0").stdout.split() == ["False", "redis://redis:6379/0"]


def test_it_refuses_to_start_production_without_a_secret_key():
    result = _python("-c", "import config.settings.production")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_refuses_a_short_secret_key_in_production():
    result = _python("-c", "import config.settings.production", SECRET_KEY="too-short")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_passes_the_deploy_check_with_a_secret_key():
    result = _python(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_it_keeps_production_sessions_short_and_cookies_secure():
    probe = (
        "from config.settings import production as p; "
        "print(p.SESSION_COOKIE_AGE <= 12 * 3600, p.SESSION_COOKIE_SECURE, p.SESSION_COOKIE_HTTPONLY, "
        "p.CSRF_COOKIE_SECURE, p.SECURE_SSL_REDIRECT, p.SECURE_HSTS_SECONDS >= 31536000, p.DEBUG)"
    )

    result = _python("-c", probe, SECRET_KEY=secrets.token_urlsafe(64))

    assert result.stdout.split() == ["True", "True", "True", "True", "True", "True", "False"], result.stderr


def test_it_refuses_a_session_longer_than_12_hours_in_production():
    result = _python(
        "-c", "import config.settings.production", SECRET_KEY=secrets.token_urlsafe(64), SESSION_COOKIE_AGE="86400"
    )

    assert result.returncode != 0
    assert "SESSION_COOKIE_AGE may be at most 43200" in result.stderr


COMPOSE_PLACEHOLDER = "local-docker-compose-only-replace-me-0123456789abcdefghijklmnopqrstuvwxyz"


@pytest.mark.parametrize("site_url", ["https://portal.example.com", "http://10.1.2.3:8000"])
def test_it_refuses_the_published_secret_key_on_a_public_address(site_url):
    result = _python("-c", "import config.settings.production", SECRET_KEY=COMPOSE_PLACEHOLDER, SITE_URL=site_url)

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is a published placeholder" in result.stderr


def test_it_accepts_the_published_secret_key_on_localhost():
    probe = "from config.settings import production as p; print(p.PUBLIC_SITE)"
    result = _python("-c", probe, SECRET_KEY=COMPOSE_PLACEHOLDER, SITE_URL="http://localhost:8000", SEED_DEMO="1")

    assert result.stdout.split() == ["False"], result.stderr


def test_it_refuses_the_demo_users_on_a_public_address():
    result = _python(
        "-c",
        "import config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        SITE_URL="https://portal.example.com",
        SEED_DEMO="1",
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured: SEED_DEMO=1 creates demo users whose password is public" in result.stderr


def test_it_trusts_x_forwarded_proto_only_behind_a_proxy():
    probe = "from config.settings import production as p; print(getattr(p, 'SECURE_PROXY_SSL_HEADER', None))"
    alone = _python("-c", probe, SECRET_KEY=secrets.token_urlsafe(64))
    proxied = _python("-c", probe, SECRET_KEY=secrets.token_urlsafe(64), TRUSTED_PROXY_COUNT="1")

    assert alone.stdout.strip() == "None", alone.stderr
    assert proxied.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')", proxied.stderr
