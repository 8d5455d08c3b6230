"""Production: everything from base, plus HTTPS-only cookies, HSTS and a mandatory secret."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_str
from config.settings.base import *  # noqa: F403
from config.settings.base import DEV_SECRET_KEY

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters in production")

# The compose file's local placeholders are public: fine on http://localhost, never on a real address.
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
PUBLIC_SITE = (urlsplit(SITE_URL).hostname or "") not in _LOCAL_HOSTS  # noqa: F405
_PLACEHOLDER_MARKS = ("replace-me", "change-me", "changeme", "insecure", "placeholder")
if PUBLIC_SITE and any(mark in SECRET_KEY.lower() for mark in _PLACEHOLDER_MARKS):
    raise ImproperlyConfigured(
        f"SECRET_KEY is a published placeholder, and SITE_URL ({SITE_URL}) is not local: set a random "  # noqa: F405
        "SECRET_KEY in .env (python -c 'import secrets; print(secrets.token_urlsafe(64))')"
    )
if PUBLIC_SITE and env_bool("SEED_DEMO", False):
    raise ImproperlyConfigured(
        f"SEED_DEMO=1 creates demo users whose password is public, and SITE_URL ({SITE_URL}) is not local: "  # noqa: F405
        "set SEED_DEMO=0 in .env (and remove the demo users if they were created)"
    )

DEBUG = False
if SESSION_COOKIE_AGE > 12 * 3600:  # noqa: F405
    raise ImproperlyConfigured("SESSION_COOKIE_AGE may be at most 43200 seconds (12 hours) in production")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# X-Forwarded-Proto says "https" only when a proxy of ours sets it; without one, a client could.
if TRUSTED_PROXY_COUNT:  # noqa: F405
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Hashed file names, so browsers can cache static files for ever.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
