"""Settings for every environment, read from the environment (12-factor).

The defaults give the embedded set-up of `make run`: SQLite, Celery tasks run
eagerly, e-mail to the console. `config.settings.production` tightens them and
`config.settings.test` makes them fast and deterministic.
"""

from __future__ import annotations

import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str, parse_email_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# A development key: production.py refuses to start without SECRET_KEY.
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105 - public on purpose
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "django_guid",
    "axes",
    "csp",
    "core",
    "accounts",
    "documents",
    "clients",
    "handoff",
    "projects",
    "notifications",
    "dashboards",
    "portal",
    "exchange",
    # Last: the project's start-up wiring (error tracking, the request id into tasks), config/apps.py.
    "config.apps.ProjectConfig",
]

MIDDLEWARE = [
    # First: every log line of the request, and the tasks it enqueues, carry its id (config/observability.py).
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: the signed-in user's own language wins over Accept-Language.
    "core.middleware.LocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.VaryOnHtmxMiddleware",
    "core.middleware.LoginRequiredMiddleware",
    # Last, so that a lockout answers before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.portal",
                "notifications.context_processors.inbox",
            ],
            "builtins": ["django.templatetags.static"],
        },
    }
]

# --- Database ---------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
try:
    _db = dj_database_url.parse(DATABASE_URL)
except ValueError as exc:  # dj-database-url raises ValueError on an unknown scheme
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
if _db["ENGINE"] == "django.db.backends.postgresql":
    if env_bool("DATABASE_POOL", False):
        # psycopg 3's pool; Django needs persistent connections off to use it.
        _db["CONN_MAX_AGE"] = 0
        _db.setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": env_int("DATABASE_POOL_MAX", 8, minimum=1),
            "timeout": 10,
        }
    else:
        _db["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
    # Test a connection before a request reuses it (a persistent one, or one from the pool, which
    # Django then creates with ConnectionPool.check_connection): after a database restart the
    # connections held are dead, and without the check the next requests fail with a 500.
    _db["CONN_HEALTH_CHECKS"] = True
    _db.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
elif _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a Celery eager task writes.
    _db.setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "transaction_mode": "IMMEDIATE"}
    )
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend that loads the request's user with their roles and unread count (one query).
    "accounts.backends.PortalBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# SESSION_ENGINE follows the caches below.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600, minimum=60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Login throttling (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_SENSITIVE_PARAMETERS = ["password"]

# /healthz (database, broker and workers in detail) answers managers, and monitoring that sends this
# value in the X-Healthz-Token header. /healthz/live and /healthz/ready are open (load balancers).
HEALTHZ_TOKEN = env_str("HEALTHZ_TOKEN")
# Probes speak plain HTTP to the container: with SECURE_SSL_REDIRECT (production) a 301 to https
# would fail every healthcheck.
SECURE_REDIRECT_EXEMPT = [r"^healthz(/live|/ready)?$"]

# --- Behind a reverse proxy ----------------------------------------------------------------
# How many proxies (load balancer, Caddy, ...) stand between the clients and gunicorn. Each one appends
# the address it saw to X-Forwarded-For; only that many entries at the end are believed, so a client
# cannot pick its own address. Login lockouts (axes) and API throttles (DRF's NUM_PROXIES) key on it.
# 0 (no proxy, `make run`): REMOTE_ADDR, X-Forwarded-* ignored. The compose stack sets 1 (Caddy).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "core.proxy.client_ip"
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT  # read by axes only when django-ipware is installed

# --- Internationalisation -----------------------------------------------------
# English and German (SPEC §7.6). A user's own setting (accounts.User.language) comes first, then the
# browser's Accept-Language (or the language cookie of the switch before login), then LANGUAGE_CODE
# (core.middleware.LocaleMiddleware). "en" is written the British way: config/formats/en.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env_str("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True
CURRENCY = env_str("CURRENCY", "EUR")

# --- Static files -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Documents (SPEC §7.4) ---------------------------------------------------------
# Never under static/ nor served from a URL: every download goes through the permission-checked view.
DOCUMENT_MAX_MB = env_int("DOCUMENT_MAX_MB", 25, minimum=1)
DOCUMENTS_ROOT = Path(env_str("DOCUMENTS_ROOT", str(BASE_DIR / "media" / "documents")))
DOCUMENTS_S3_BUCKET = env_str("DOCUMENTS_S3_BUCKET")
if DOCUMENTS_S3_BUCKET:
    from botocore.config import Config as BotoConfig

    # S3-compatible object storage (MinIO in docker compose), shared by every web container.
    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": DOCUMENTS_S3_BUCKET,
            "endpoint_url": env_str("DOCUMENTS_S3_ENDPOINT_URL"),
            "access_key": env_str("DOCUMENTS_S3_ACCESS_KEY"),
            "secret_key": env_str("DOCUMENTS_S3_SECRET_KEY"),
            "region_name": env_str("DOCUMENTS_S3_REGION", "us-east-1"),
            "location": "documents",
            "default_acl": None,
            "file_overwrite": False,
            "querystring_expire": 60,
            # A store that is down costs a request a few seconds, then a clear 503.
            "client_config": BotoConfig(connect_timeout=3, read_timeout=20, retries={"max_attempts": 2}),
        },
    }
else:
    STORAGES["documents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DOCUMENTS_ROOT), "file_permissions_mode": 0o640},
    }
# Every upload streams to a temporary file, its size checked and its SHA-256 computed on the way
# (documents/uploads.py); a body over the limit is refused before it is read.
FILE_UPLOAD_HANDLERS = ["documents.uploads.DocumentUploadHandler"]

# WhiteNoise serves static files straight from the apps and static/ (no
# collectstatic needed for `make run`, which runs with DEBUG off); production
# serves the collected, hashed copies instead.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Without collectstatic there is no STATIC_ROOT yet, and nothing is missing.
warnings.filterwarnings("ignore", message=r"No directory at: .*staticfiles", category=UserWarning)

# --- Security headers (tightened further in production) ---------------------------
X_FRAME_OPTIONS = "DENY"
# Error reports mask passwords inside URL settings (DATABASE_URL, REDIS_URL) too.
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.error_reports.PortalExceptionReporterFilter"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- E-mail ---------------------------------------------------------------
globals().update(parse_email_url(env_str("EMAIL_URL", "console://")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Handoff portal <portal@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
# The domain part of the portal's e-mail Message-IDs (``<notification-ID-email@DOMAIN>``).
EMAIL_MESSAGE_ID_DOMAIN = env_str("EMAIL_MESSAGE_ID_DOMAIN", urlsplit(SITE_URL).hostname or "handoff.local")

# --- Celery -----------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 120, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 90, minimum=1)
CELERY_TIMEZONE = TIME_ZONE
# A hung or absent Redis must never hang a web request: connect and socket
# timeouts of a few seconds, and no publish retries (the periodic sweep
# re-enqueues whatever could not be published).
BROKER_TIMEOUT = _BROKER_TIMEOUT = env_int("BROKER_TIMEOUT", 2, minimum=1)
CELERY_BROKER_CONNECTION_TIMEOUT = _BROKER_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": _BROKER_TIMEOUT,
    "socket_timeout": _BROKER_TIMEOUT,
    "max_retries": 0,
    "visibility_timeout": 3600,
}
CELERY_TASK_PUBLISH_RETRY = False
# Seconds between two runs of the outbox sweep (e-mails the broker never received). [60]
NOTIFICATIONS_SWEEP_SECONDS = env_int("NOTIFICATIONS_SWEEP_SECONDS", 60, minimum=1)
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Re-enqueue e-mail notifications the broker never received (outage at commit) or a dead worker left.
    # "expires": runs missed while the workers were down are dropped, not piled up.
    "notifications-sweep-undelivered": {
        "task": "notifications.sweep_undelivered",
        "schedule": float(NOTIFICATIONS_SWEEP_SECONDS),
        "options": {"expires": max(NOTIFICATIONS_SWEEP_SECONDS - 5, 1)},
    },
    # Handoffs pending past the SLA: reminder to the PM, then escalation to managers (handoff/services/sla_sweep.py).
    # The entry keeps its old name: redbeat then overwrites it in Redis instead of keeping a second,
    # stale entry that would fire the former task name.
    "notifications-handoff-sla": {
        "task": "handoff.sla_sweep",
        "schedule": 15 * 60.0,
        "options": {"expires": 14 * 60},
    },
}

# One beat at a time, however many run (a second container, a deploy overlapping the old one): with
# Redis, celery-redbeat keeps the schedule in Redis and beat holds a lock there; a second beat waits
# for the lock and takes over within CELERY_REDBEAT_LOCK_TIMEOUT seconds when the first one dies.
if REDIS_URL:
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = REDIS_URL
    CELERY_REDBEAT_KEY_PREFIX = "handoff:redbeat:"
    CELERY_REDBEAT_LOCK_KEY = "handoff:redbeat:lock"  # docker-compose.yml's beat healthcheck looks for it
    CELERY_REDBEAT_LOCK_TIMEOUT = env_int("BEAT_LOCK_TIMEOUT", 30, minimum=5)
    CELERY_BEAT_MAX_LOOP_INTERVAL = 5  # the lock is renewed at least this often

# Dashboard figures are precomputed (never shown more than 60 s old): keep them fresh.
CELERY_BEAT_SCHEDULE["dashboards-refresh"] = {"task": "dashboards.tasks.refresh_dashboards", "schedule": 30.0}

# --- Caches -----------------------------------------------------------------
# "default" holds what must be shared by every process: DRF's throttle counters above all. With
# Redis it lives in CACHE_URL (by default the database after REDIS_URL's, so an eviction policy on
# the cache cannot touch the broker's queues); without Redis it is per process, which suits the one
# process of `make run`. It goes through the process's Redis breaker (core/breaker.py): after one
# timeout a hung Redis is left alone for REDIS_PAUSE_SECONDS instead of costing every call a timeout.
REDIS_PAUSE_SECONDS = env_int("REDIS_PAUSE_SECONDS", 10, minimum=1)


def _next_database(url: str) -> str:
    """redis://host:6379/0 → redis://host:6379/1 (the cache's own database on the broker's server)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    number = parts.path.strip("/") or "0"
    if not number.isdigit():
        raise ImproperlyConfigured(f"REDIS_URL must end in a database number, got {url!r}")
    return urlunsplit(parts._replace(path=f"/{int(number) + 1}"))


CACHE_URL = env_str("CACHE_URL", _next_database(REDIS_URL) if REDIS_URL else None)
_REDIS_CACHE_OPTIONS = {"socket_timeout": _BROKER_TIMEOUT, "socket_connect_timeout": _BROKER_TIMEOUT}
CACHES = {
    "default": (
        {
            "BACKEND": "core.cache.BreakerRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "handoff",
            "OPTIONS": _REDIS_CACHE_OPTIONS,
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
}
# Sessions: Django's cached_db engine on the shared cache when there is one (every process reads the
# same entries; while Redis is unreachable the breaker turns reads into misses, answered from the
# database), Django's db engine without it (a cache per process would keep a session that another
# process ended). A hand-written session read gained less than the 20% a home-made speed-up must
# earn in the A/B (README, "Performance").
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if CACHE_URL else "django.contrib.sessions.backends.db"

# --- Domain settings -------------------------------------------------------------
# Client links (SPEC §7.5): unknown tokens per IP address and actions per link, each per window (seconds).
CLIENT_LINK_GUESSES_PER_IP = env_int("CLIENT_LINK_GUESSES_PER_IP", 20, minimum=1)
CLIENT_LINK_GUESS_WINDOW = env_int("CLIENT_LINK_GUESS_WINDOW", 600, minimum=1)
CLIENT_LINK_ACTIONS_PER_LINK = env_int("CLIENT_LINK_ACTIONS_PER_LINK", 30, minimum=1)
CLIENT_LINK_ACTION_WINDOW = env_int("CLIENT_LINK_ACTION_WINDOW", 3600, minimum=1)
HANDOFF_SLA_WORKING_DAYS = env_int("HANDOFF_SLA_WORKING_DAYS", 2, minimum=1)
# `make bench` only: a login-free trivial view at /dashboard/bench/trivial/, the throughput ceiling.
BENCH_TRIVIAL_VIEW = env_bool("BENCH_TRIVIAL_VIEW", False)

# --- REST framework -------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header turns "not signed in" into 401 (403 means "not allowed").
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's, plus the token user's own language (core/api/authentication.py).
        "core.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        # ``?start=`` is a 400 (the schema allows no empty value), not "no filter".
        "core.api.filters.RefuseBlankFilters",
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # Documents the 400/401/403/404/429 answers of every operation too (the API fuzzing gate checks them).
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_RATES": {"token": "10/min"},
    # The client's address for throttles: the same rule as core.proxy.client_ip (0: REMOTE_ADDR only).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "COERCE_DECIMAL_TO_STRING": True,
    "DATE_FORMAT": "%Y-%m-%d",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Handoff portal API",
    "DESCRIPTION": "Clients, offers, handoffs and projects. Session auth for the browser, "
    "`Authorization: Token <key>` for scripts (POST /api/v1/auth/token/).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs are for signed-in users and token holders only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One tag per resource, from the path (core.api.schema.resource_tags), after the enum names are settled.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.api.schema.resource_tags"],
    # The API speaks JSON (SPEC §4); form encodings, which cannot say null, stay accepted but undocumented.
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    # Many models have a "status"; name each choice set after its class so the
    # schema is stable and `check --deploy --fail-level WARNING` stays clean.
    "ENUM_NAME_OVERRIDES": {
        "ClientStatusEnum": "clients.models.ClientStatus",
        "OfferStatusEnum": "handoff.models.OfferStatus",
        "ReviewStatusEnum": "handoff.models.ReviewStatus",
        "FeasibilityEnum": "handoff.models.Feasibility",
        "HandoffStatusEnum": "handoff.models.HandoffStatus",
        "ProjectStatusEnum": "projects.models.ProjectStatus",
        "ProjectCommitmentStatusEnum": "projects.models.CommitmentStatus",
        "ProjectRiskStatusEnum": "projects.models.RiskStatus",
        "DeliverableStatusEnum": "projects.models.DeliverableStatus",
        "DeliveryStatusEnum": "notifications.models.DeliveryStatus",
        "ChangeRequestStatusEnum": "projects.models.ChangeRequestStatus",
        "IssueStatusEnum": "projects.models.IssueStatus",
        "FollowUpStatusEnum": "projects.models.FollowUpStatus",
        "ReviewChangeKindEnum": "handoff.coverage.ChangeKind",
        # Named once a second "kind" (the review changes', SPEC §7.1) appeared beside it.
        "MeetingKindEnum": "projects.models.MeetingKind",
    },
}

# --- Logs, request ids and error tracking (config/observability.py) --------------------------
# LOG_FORMAT=json: one JSON object per line (python-json-logger) for a log collector; plain for people.
# Every line carries the request id: X-Request-ID from the proxy (a UUID) or a new one, returned in the
# answer's X-Request-ID header and passed on to the Celery tasks the request enqueues.
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, got {LOG_FORMAT!r}")
DJANGO_GUID = {"GUID_HEADER_NAME": "X-Request-ID", "VALIDATE_GUID": True, "RETURN_HEADER": True, "EXPOSE_HEADER": False}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A client-link token never reaches a log line (SPEC §7.5; gunicorn: config/gunicorn.conf.py).
    "filters": {
        "request_id": {"()": "django_guid.log_filters.CorrelationId", "correlation_id_field": "request_id"},
        "mask_client_links": {"()": "core.logmask.MaskClientLinkTokens"},
        # An intended 403/404 (PermissionDenied, Http404) is logged as one INFO line, without a traceback.
        "expected_refusals": {"()": "core.logging.ExpectedRefusals"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "mask_client_links"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # runserver's request lines, through the masking handler instead of Django's own.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Filters on the logger (not the handler): they run before the level check of every handler,
        # Django's mail_admins included, wherever production settings send the records.
        "django.request": {"filters": ["expected_refusals"]},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "django_guid": {"level": "WARNING"},
    },
}
# The worker logs through the configuration above (JSON too), not Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Sentry: off unless SENTRY_DSN is set; events are masked like error reports (config/observability.py).
SENTRY_DSN = env_str("SENTRY_DSN")
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT", "production")
