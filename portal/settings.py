"""Settings for Visa Case Portal: one module, driven by environment variables.

Defaults give the zero-setup local run (SQLite and private uploads under ``var/``, console email,
Celery on kombu's filesystem transport). Production sets ``DATABASE_URL``, ``REDIS_URL`` (or
``CELERY_BROKER_URL``), ``DJANGO_SECRET_KEY``, ``DJANGO_DEBUG=false``, ``DJANGO_ALLOWED_HOSTS``
and the ``EMAIL_*`` variables; see ``.env.example``. With ``DJANGO_DEBUG=false`` the app refuses
to start without a real secret key or without ``REDIS_URL``.

Sections, in order: core, apps and middleware, templates, database, authentication (login,
two-factor, lockouts), sessions, language and time, static files and uploads, email, Celery, REST
API, security headers, caches, logging, error reporting, health and metrics, audit log,
eligibility, reminders. Each setting is
defined once, in its section.
"""

import datetime as dt
import os
from email.utils import getaddresses
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django_guid.integrations import CeleryIntegration

from portal.storage import S3_BACKEND, s3_options

# --- Core ---------------------------------------------------------------------------------------
BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=True)
if DEBUG or not env.str("DATABASE_URL", default=""):
    # The zero-setup run keeps its database, uploads, mail and broker queue here. Production
    # (its own database, DEBUG off) creates nothing on import: the image's code is read-only.
    VAR_DIR.mkdir(parents=True, exist_ok=True)

# A placeholder key is fine for the local run; production must bring its own.
_DEV_SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_DEV_SECRET_KEY)
if not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "DJANGO_DEBUG is off but DJANGO_SECRET_KEY is missing or too short. Set DJANGO_SECRET_KEY "
        "to a random string of at least 50 characters, for example the output of: python -c "
        "'import secrets; print(secrets.token_urlsafe(50))'"
    )

# Redis (production): Celery's broker, the default cache and the API throttle counters.
REDIS_URL = env.str("REDIS_URL", default="")
if not DEBUG and not REDIS_URL:
    raise ImproperlyConfigured(
        "DJANGO_DEBUG is off but REDIS_URL is not set. Production needs Redis: the cache that "
        "holds password-reset counters and API throttling must be shared by every web and "
        "worker process (without it each process would count on its own, silently), and it "
        "is the task queue. Set REDIS_URL, for example REDIS_URL=redis://redis:6379/0."
    )

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Absolute links in emails and calendar feeds start with this.
SITE_URL = env.str("PORTAL_SITE_URL", default="http://127.0.0.1:8000")
ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

# --- Apps and middleware ------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Django's widget templates, found by the project's engine (FORM_RENDERER below).
    "django.forms",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_countries",
    "csp",
    # Login lockouts, two-factor (TOTP and single-use recovery codes) and the audit log.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "auditlog",
    # Request ids in log lines (django-guid) and Prometheus metrics (django-prometheus).
    "django_guid",
    "django_prometheus",
    # /healthz/ready (django-health-check; its app holds the HTML page of the report).
    "health_check",
    "portal",
    "eligibility",
    "cases",
]

MIDDLEWARE = [
    # First: the request id (X-Request-ID) every later log line carries, even a refusal's.
    "django_guid.middleware.guid_middleware",
    # Then path length, NUL characters and the declared body size, from the headers alone.
    "portal.limits.RequestLimitsMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language before the request comes back after it (LocaleMiddleware names the
    # request's own in Content-Language).
    "portal.middleware.LanguageScopeMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The user's language (API: the one rule of portal/languages.py) and time zone, before any
    # of the project's middleware below can answer.
    "portal.middleware.UserLanguageMiddleware",
    # Before any view or process_view (CSRF) reads the body: anonymous bodies stay small.
    "portal.limits.AnonymousBodyLimitMiddleware",
    # Log records of this request carry its user's id (portal/logging.py).
    "portal.logging.RequestContextMiddleware",
    # django-otp's OTPMiddleware (device re-read once a minute) sets request.user.is_verified(),
    # which the session lifetime check and the two-factor gate below read; auditlog takes the
    # actor and IP address from the request.
    "portal.middleware.SessionCachedOTPMiddleware",
    "portal.middleware.SessionLifetimeMiddleware",
    "portal.middleware.TwoFactorRequiredMiddleware",
    "portal.middleware.NoStoreForSignedInMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, as django-axes requires: it turns a lockout raised by any layer into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# --- Templates ----------------------------------------------------------------------------------
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
                "django.template.context_processors.i18n",
                # The unread-notification count in the header.
                "cases.context_processors.notifications",
            ],
        },
    },
]
# No "loaders" given: Django (4.1+) then wraps the filesystem and app loaders in its cached
# loader, with DEBUG on or off: each template is compiled once per process
# (tests/portal/test_templates_speed.py checks it under production settings).
# Forms render with this engine, so that templates/django/forms/widgets/select.html (options
# inline, not one include each) replaces Django's own.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database -----------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Production keeps each process's connection between requests (60 s; saves a connection set-up,
# a few round trips, per request: issue 18's upload and issue 17's pages) and checks it before
# reuse, so a connection the database dropped is replaced instead of failing a request. The
# local run (DEBUG) opens one per request. DJANGO_CONN_MAX_AGE=0 turns reuse off.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DJANGO_CONN_HEALTH_CHECKS", default=True)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The local run has a web server, a worker and beat writing to one SQLite file: wait for
    # a lock instead of failing a reminder sweep with "database is locked". The wait only
    # applies when a transaction takes its write lock at BEGIN (IMMEDIATE): a deferred one that
    # read first and then writes is refused at once while another process commits.
    _sqlite_options = DATABASES["default"].setdefault("OPTIONS", {})
    _sqlite_options["timeout"] = 30  # seconds
    _sqlite_options["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication: login, passwords, lockouts, two-factor --------------------------------------
AUTH_USER_MODEL = "portal.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60  # seconds; also bounds invitation links, see portal/services.py
# Password reset: at most 3 mails per account per hour (counted in the default cache).
PASSWORD_RESET_MAX_PER_HOUR = 3
INVITATION_TIMEOUT_DAYS = 7
# "Send again" on the case page: at most this many invitation emails per applicant in any 60
# minutes (portal/invitations.py).
INVITATION_MAX_SENDS_PER_HOUR = 3

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},  # ASVS 2.1.1
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): 5 failures for one account within 15 minutes lock that account
# for 15 minutes; 20 failures from one IP address lock that address (portal/security.py decides
# which limit applies). Nothing is locked for good; admins see and clear lockouts in the admin.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ACCOUNT_FAILURE_LIMIT = 5
AXES_IP_FAILURE_LIMIT = 20
AXES_FAILURE_LIMIT = "portal.security.axes_failure_limit"
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "portal.security.axes_username"
# Django's login form posts the email in a field named "username" (axes defaults to "email").
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# Keep a history of logins, logouts and failed logins (admin: Axes access logs) for the audit.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Behind a proxy that appends X-Forwarded-For, set DJANGO_PROXY_COUNT to the number of proxies.
if env.int("DJANGO_PROXY_COUNT", default=0):
    AXES_IPWARE_PROXY_COUNT = env.int("DJANGO_PROXY_COUNT")
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# Two-factor (django-otp): advisors and admins must verify a TOTP code (or a single-use recovery
# code) before case data or the admin; applicants who enrolled must too.
OTP_TOTP_ISSUER = "Visa Case Portal"
# The admin never shows TOTP secrets, otpauth URLs, QR codes or recovery codes (the device
# pages are superusers' only, portal/admin_third_party.py; secrets stay hidden even from them).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
PORTAL_RECOVERY_CODE_COUNT = 10

# --- Sessions -----------------------------------------------------------------------------------
# 30 minutes idle and 12 hours absolute, for every role (portal.middleware.SessionLifetimeMiddleware
# enforces both). The idle expiry moves forward at most once per SESSION_REFRESH_SECONDS instead
# of on every request (SESSION_SAVE_EVERY_REQUEST would write the session on every page view): a
# session therefore ends between 29 and 30 minutes after the last request, never later.
SESSION_COOKIE_AGE = 30 * 60  # seconds
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
# With Redis, sessions are read from the cache (no query per request) and written through to
# the database, which stays the record (a Redis restart signs nobody out).
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)
SESSION_CACHE_ALIAS = "sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A refused form post (CSRF) gets a page in the portal's layout and the viewer's language.
CSRF_FAILURE_VIEW = "portal.handlers.csrf_failure"

# --- Language and time --------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files, storage and uploads ----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
PRIVATE_MEDIA_ROOT = Path(env.str("PORTAL_PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))

# Uploaded documents never get a public URL: they are served by a view that checks permissions.
# A local private folder by default (base_url None); a private S3-compatible bucket when
# PORTAL_STORAGE_URL or AWS_* variables are set (portal/storage.py: random keys, server-side
# encryption, presigned URLs of 60 seconds), so every web and worker process sees every file.
_s3_options = s3_options(os.environ)
_documents: dict[str, object] = (
    {"BACKEND": S3_BACKEND, "OPTIONS": _s3_options}
    if _s3_options
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    }
)
# Downloads from a bucket: streamed through the app (false, the default) or answered with a
# redirect to a presigned URL of 60 seconds that forces the same Content-Disposition and type.
PORTAL_DOWNLOAD_REDIRECT = bool(_s3_options) and env.bool("PORTAL_DOWNLOAD_REDIRECT", default=False)
STORAGES = {
    "default": _documents,
    "private": _documents,
    "staticfiles": {
        "BACKEND": env.str(
            "DJANGO_STATICFILES_BACKEND",
            default=(
                "django.contrib.staticfiles.storage.StaticFilesStorage"
                if DEBUG
                else "whitenoise.storage.CompressedManifestStaticFilesStorage"
            ),
        ),
    },
}

# Per-file limits are enforced in cases/uploads.py; this caps form fields held in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # bytes
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # bytes (Django's default, stated on purpose)
FILE_UPLOAD_PERMISSIONS = 0o600
DOCUMENT_DEFAULT_MAX_BYTES = 15 * 1024 * 1024
DOCUMENT_DEFAULT_TYPES = ["application/pdf", "image/jpeg", "image/png"]
# At most 10 files per request (cases.services); Django refuses bodies with more than 20
# outright. Per-case quotas default to these and are settable per visa type.
PORTAL_MAX_FILES_PER_REQUEST = 10
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# Request sizes refused from the headers alone, before any middleware reads a body
# (portal/limits.py): upload routes take the per-request file limit, every other route a few MB,
# and requests neither signed in nor carrying a valid API token 64 KB (below
# FILE_UPLOAD_MAX_MEMORY_SIZE, so an anonymous body never spools to disk). Bytes.
PORTAL_MAX_UPLOAD_REQUEST_BYTES = env.int(
    "PORTAL_MAX_UPLOAD_REQUEST_BYTES",
    default=PORTAL_MAX_FILES_PER_REQUEST * DOCUMENT_DEFAULT_MAX_BYTES + 1024 * 1024,
)
PORTAL_MAX_REQUEST_BYTES = env.int("PORTAL_MAX_REQUEST_BYTES", default=6 * 1024 * 1024)
PORTAL_ANONYMOUS_MAX_BODY_BYTES = 64 * 1024
# Longer paths answer 414 (characters of the decoded path).
PORTAL_MAX_PATH_CHARS = 2048
CASE_DEFAULT_QUOTA_BYTES = 300 * 1024 * 1024
CASE_DEFAULT_QUOTA_FILES = 200

# --- Email --------------------------------------------------------------------------------------
# Console locally; SMTP (or file-based in tests) via environment.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Visa Case Portal <noreply@localhost>")
# A hung SMTP server must not hold a web request or a worker for ever (seconds).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Who gets error mails (server errors, when no Sentry is set up), from which address:
# DJANGO_ADMINS="Ops <ops@example.com>, oncall@example.com".
ADMINS = [(name, address) for name, address in getaddresses(env.list("DJANGO_ADMINS", default=[]))]
SERVER_EMAIL = env.str("DJANGO_SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# --- Celery -------------------------------------------------------------------------------------
# Redis in production; kombu's filesystem transport for the zero-setup local run.
_broker_dir = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str(
    "CELERY_BROKER_URL", default=env.str("REDIS_URL", default="filesystem://")
)
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    if DEBUG or not env.str("DATABASE_URL", default=""):
        # kombu does not create its folders: the first task enqueued by a web request (a
        # notification after an upload) would answer 500 on a fresh var/.
        (_broker_dir / "control").mkdir(parents=True, exist_ok=True)
# Separate queues let several deployments (or test runs) share one Redis.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A prefork child is replaced after a task that left it above this resident size (KiB): the
# upload step decodes whole bitmaps (60 MP HEIC: about 180 MB each, a few copies), issue 18.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=524_288)
CELERY_TIMEZONE = "UTC"
# django-celery-beat's database scheduler (schedules editable in the admin) with a heartbeat
# file for beat's health check (portal/beat.py).
CELERY_BEAT_SCHEDULER = "portal.beat:HeartbeatScheduler"
# Worker and beat log through LOGGING below (JSON in production, see DJANGO_GUID).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_RESULT_BACKEND = None

# --- REST API (/api/v1) and its OpenAPI schema --------------------------------------------------
REST_FRAMEWORK = {
    # Tokens first: an anonymous request then gets 401 with WWW-Authenticate (not 403). Session
    # authentication enforces CSRF for browser clients.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "portal.api.pagination.FilterBackend",
        "portal.api.pagination.StableOrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["portal.api.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.api.throttling.AnonRateThrottle",
        "portal.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
        "user": env.str("API_THROTTLE_USER", default="1200/minute"),
    },
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Throttle counters live in this cache (see CACHES): shared by all gunicorn workers via Redis.
API_THROTTLE_CACHE = "api_throttle"

SPECTACULAR_SETTINGS = {
    "TITLE": "Visa Case Portal API",
    "DESCRIPTION": (
        "Cases, document checklists, uploads, reviews, messages and stage transitions. "
        "Authenticate with the session (browser, CSRF token required for writes) or a "
        "personal API token: `Authorization: Bearer vcp_...`. Errors are "
        '`{"code", "detail"}`, plus `fields` on 400. Unknown or read-only fields are refused.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.serializers.postprocess_strict_requests",
    ],
    # One schema name per choice set used by several fields (drf-spectacular warns otherwise).
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "cases.models.Stage",
        "RequirementStatusEnum": "cases.models.RequirementStatus",
        "ReviewStatusEnum": "cases.models.ReviewStatus",
        "CaseDecisionEnum": "cases.models.Decision",
        "ReviewDecisionEnum": ["accepted", "rejected"],
        "AssessmentOutcomeEnum": "eligibility.models.AssessmentOutcome",
        "CountryEnum": "django_countries.countries",
        "DegreeLevelEnum": "cases.models.qualifications.DegreeLevel",
        "FieldLevelEnum": "eligibility.models.FieldLevel",
        "PreviewStateEnum": "cases.models.PreviewState",
        "VersionStateEnum": "cases.models.VersionState",
    },
}

# --- Security headers and Content-Security-Policy -----------------------------------------------
# CSP without 'unsafe-inline': templates carry no inline scripts or styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# What production (DEBUG off) adds; a dict so that header tests apply exactly these values.
# None of these names is set elsewhere in this module.
PRODUCTION_SECURITY: dict[str, object] = {
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SECURE_SSL_REDIRECT": env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True),
    "SECURE_REDIRECT_EXEMPT": [r"^healthz(/ready)?$", r"^internal/metrics$"],
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "CSRF_COOKIE_HTTPONLY": True,
    "SECURE_HSTS_SECONDS": env.int("DJANGO_HSTS_SECONDS", default=31_536_000),
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
}
if not DEBUG:
    globals().update(PRODUCTION_SECURITY)

# --- Caches -------------------------------------------------------------------------------------
# Redis when REDIS_URL is set, so that counters (password-reset mails, API throttling) are shared
# by all workers; per-process memory for the local run.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    API_THROTTLE_CACHE: (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "throttle",
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}
    ),
    # Sessions (SESSION_ENGINE above); own prefix, so that clearing another cache keeps them.
    SESSION_CACHE_ALIAS: (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "session",
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sessions"}
    ),
}

# --- Logging ------------------------------------------------------------------------------------
# One line per record on the console: JSON in production (time in UTC, level, logger, message,
# request_id, user_id; see portal/logging.py), plain text with the same fields locally.
# DJANGO_LOG_FORMAT=json|text overrides. Log lines never carry names, emails, tokens or passport
# numbers: reset and invitation tokens and email addresses are cut out of every record, and the
# JSON lines keep only the fields above (no request objects, no extra data).
# Keep gunicorn's access log off (docker/gunicorn.conf.py) or give the proxy a format without the
# path of /accounts/password/reset/ and /invitation/ URLs.
_log_format = env.str("DJANGO_LOG_FORMAT", default="text" if DEBUG else "json")
if _log_format not in ("json", "text"):
    raise ImproperlyConfigured("DJANGO_LOG_FORMAT must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_tokens": {"()": "portal.logging.RedactTokensFilter"},
        "request_context": {"()": "portal.logging.RequestContextFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "json": {"()": "portal.logging.JsonFormatter"},
        "text": {
            "format": "{asctime} {levelname} {name} [{request_id} {user_id}] {message}",
            "style": "{",
        },
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_context", "redact_tokens"],
            "formatter": _log_format,
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server" if _log_format == "text" else "json",
            "filters": ["request_context", "redact_tokens"],
        },
        # Server errors by mail to ADMINS (plain text; no frame variables or form data, see
        # DEFAULT_EXCEPTION_REPORTER_FILTER). Sentry, when set up, gets them too.
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "redact_tokens"],
            "include_html": False,
        },
    },
    "loggers": {
        # Replaces Django's default "django" handlers, which would print unfiltered lines.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {
            "handlers": ["console", "mail_admins"],
            "level": "INFO",
            "propagate": False,
        },
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}
# Error reports (admin mails) leave out frame variables, form data and request headers.
DEFAULT_EXCEPTION_REPORTER_FILTER = "portal.logging.PrivateExceptionReporterFilter"
# Request ids: an incoming X-Request-ID (a UUID, as the proxy or a client sends it) is kept,
# else a new one is made; the response carries it back. Celery tasks log the id of the request
# that queued them.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": False,
    # Celery: tasks carry the id of the request that queued them; worker and beat log through
    # LOGGING above (JSON in production), not Celery's own format.
    "INTEGRATIONS": [CeleryIntegration(use_django_logging=True, log_parent=True)],
}

# --- Error reporting, health and metrics --------------------------------------------------------
# Sentry (optional): SENTRY_DSN turns it on, with personal data scrubbed (portal/sentry.py).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from portal import sentry

    sentry.init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default="") or None,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
# /healthz/ready pings a Celery worker (with a real broker); tests switch it off.
PORTAL_READINESS_CELERY = env.bool("PORTAL_READINESS_CELERY", default=True)
# Bearer token of /internal/metrics (Prometheus); without one the path answers 404.
PORTAL_METRICS_TOKEN = env.str("PORTAL_METRICS_TOKEN", default="")
# gunicorn runs several worker processes: with PROMETHEUS_MULTIPROC_DIR set (the image sets it)
# /internal/metrics adds up all of them.
PROMETHEUS_EXPORT_MIGRATIONS = False

# --- Audit log (django-auditlog) ----------------------------------------------------------------
# Who changed what, with identity-document fields masked.
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {"model": "cases.Applicant", "mask_fields": ["passport_number"]},
    {"model": "cases.Case"},
    {"model": "cases.DocumentRequirement"},
    # The reverse side of PhotoCheck.document (issue 13): not a field of the version, and
    # reading it would cost every upload a query.
    {"model": "cases.Document", "exclude_fields": ["photo_check"]},
    {"model": "cases.VisaType"},
    {"model": "cases.ChecklistItem"},
    {"model": "eligibility.RuleSet"},
    {"model": "portal.User", "exclude_fields": ["password", "last_login"]},
)
AUDITLOG_STORE_JSON_CHANGES = True

# --- Eligibility --------------------------------------------------------------------------------
# eligibility never imports cases: these dotted paths let it call back into cases.
# Called with a rule set id on commit of a publish: enqueue re-assessment of open cases.
ELIGIBILITY_ON_PUBLISH = "cases.tasks.enqueue_reassessment"
# Returns the engine facts of a case given its reference or pk (rule set admin preview).
ELIGIBILITY_FACTS_FOR_CASE = "cases.services.eligibility.preview_facts_for_case"
# Cases re-assessed per Celery task after a publish (one transaction per batch).
ELIGIBILITY_REASSESS_BATCH = env.int("ELIGIBILITY_REASSESS_BATCH", default=500)

# --- Deadlines and reminders --------------------------------------------------------------------
# Reminders go out at this hour in the recipient's time zone (0-23).
REMINDER_LOCAL_HOUR = env.int("REMINDER_LOCAL_HOUR", default=9)
# A reminder whose moment passed longer ago than this (worker down) is skipped, not sent late.
REMINDER_CATCH_UP_HOURS = env.int("REMINDER_CATCH_UP_HOURS", default=24)
# Email tries before a delivery is recorded as failed; waits double from the base (seconds).
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=5)
REMINDER_RETRY_BASE_SECONDS = env.int("REMINDER_RETRY_BASE_SECONDS", default=60)
# A claimed email not marked sent after this long (its worker died) is tried again (seconds).
REMINDER_CLAIM_TIMEOUT_SECONDS = env.int("REMINDER_CLAIM_TIMEOUT_SECONDS", default=900)
# Ledger rows handled per batch, and an optional pause between emails (SMTP rate limits).
REMINDER_BATCH_SIZE = env.int("REMINDER_BATCH_SIZE", default=200)
REMINDER_SEND_PAUSE_SECONDS = env.float("REMINDER_SEND_PAUSE_SECONDS", default=0.0)

# --- Upload processing in the worker (issue 18; cases/services/uploads.py) ----------------------
# Tries of the worker's step per version (an exception, a time-out or a dead worker each use
# one); waits between tries double from the base (seconds).
PORTAL_UPLOAD_PROCESS_TRIES = env.int("PORTAL_UPLOAD_PROCESS_TRIES", default=3)
PORTAL_UPLOAD_RETRY_BASE_SECONDS = env.int("PORTAL_UPLOAD_RETRY_BASE_SECONDS", default=10)
# Time limits of one try (seconds): soft raises in the task, hard kills the child process.
PORTAL_UPLOAD_SOFT_TIME_LIMIT = env.int("PORTAL_UPLOAD_SOFT_TIME_LIMIT", default=120)
PORTAL_UPLOAD_TIME_LIMIT = env.int("PORTAL_UPLOAD_TIME_LIMIT", default=150)
# A pause at the start of each try, for the killed-worker test only (seconds).
PORTAL_UPLOAD_PROCESS_PAUSE_SECONDS = env.float("PORTAL_UPLOAD_PROCESS_PAUSE_SECONDS", default=0.0)
