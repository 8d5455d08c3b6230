"""Tests: fast hashing, e-mail kept in memory, tasks eager unless a test brings a real worker."""

import tempfile

from config.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Documents go to a throw-away folder (tests/documents/conftest.py gives each test its own).
    "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tempfile.mkdtemp(prefix="handoff-test-documents-")},
    },
}
WHITENOISE_AUTOREFRESH = True
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Tasks run in-process unless a test starts a real worker (the celery_worker
# fixture turns this off for its duration), even when REDIS_URL is set in CI.
CELERY_TASK_ALWAYS_EAGER = True
# The default cache is per process too (throttle counters start from zero in every test), even with
# REDIS_URL set; the tests of shared state (tests/quality/test_several_machines.py, test_faults.py)
# bring their own Redis caches.
CACHES["default"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}  # noqa: F405
# Database sessions whatever the environment, so the pinned query counts (the session is one) are the
# same with and without REDIS_URL.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
