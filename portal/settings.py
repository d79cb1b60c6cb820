"""Settings for Visa Case Portal: one module, driven by environment variables.

Defaults give the zero-setup local run (SQLite and private uploads under ``var/``, console email,
Celery on kombu's filesystem transport). Production sets ``DATABASE_URL``, ``REDIS_URL`` (or
``CELERY_BROKER_URL``), ``DJANGO_SECRET_KEY``, ``DJANGO_DEBUG=false``, ``DJANGO_ALLOWED_HOSTS``
and the ``EMAIL_*`` variables; see ``.env.example``.

Sections, in order: core, apps and middleware, templates, database, authentication (login,
two-factor, lockouts), sessions, language and time, static files and uploads, email, Celery, REST
API, security headers, caches, logging, audit log, eligibility, reminders. Each setting is
defined once, in its section.
"""

import datetime as dt
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# --- Core ---------------------------------------------------------------------------------------
BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
# The zero-setup run keeps its database, uploads, mail and broker queue here.
VAR_DIR.mkdir(parents=True, exist_ok=True)
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

# Redis (production): Celery's broker, the default cache and the API throttle counters.
_redis_url = env.str("REDIS_URL", default="")

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# A placeholder key is fine for the local run; production must bring its own.
_DEV_SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_DEV_SECRET_KEY)
if not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "DJANGO_DEBUG is off but DJANGO_SECRET_KEY is missing or too short. Set DJANGO_SECRET_KEY "
        "to a random string of at least 50 characters, for example the output of: python -c "
        "'import secrets; print(secrets.token_urlsafe(50))'"
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
    "portal",
    "eligibility",
    "cases",
]

MIDDLEWARE = [
    # First: path length, NUL characters and the declared body size, from the headers alone.
    "portal.limits.RequestLimitsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before any view or process_view (CSRF) reads the body: anonymous bodies stay small.
    "portal.limits.AnonymousBodyLimitMiddleware",
    # OTPMiddleware sets request.user.is_verified(), which the session lifetime check and the
    # two-factor gate below read; auditlog takes the actor and IP address from the request.
    "django_otp.middleware.OTPMiddleware",
    "portal.middleware.SessionLifetimeMiddleware",
    "portal.middleware.TwoFactorRequiredMiddleware",
    "portal.middleware.NoStoreForSignedInMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "portal.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
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

# --- Database -----------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
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
# 30 minutes idle (the expiry moves on every request) and 12 hours absolute
# (portal.middleware.SessionLifetimeMiddleware), for every role.
SESSION_COOKIE_AGE = 30 * 60  # seconds
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

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

# Uploaded documents never get a public URL (base_url None): they are served by a view that
# checks permissions. Scale-out swaps "private" for django-storages' S3 backend.
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
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
# Separate queues let several deployments (or test runs) share one Redis.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
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
    "SECURE_REDIRECT_EXEMPT": [r"^healthz$"],
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
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}
        if _redis_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    API_THROTTLE_CACHE: (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
            "KEY_PREFIX": "throttle",
        }
        if _redis_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}
    ),
}

# --- Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Reset and invitation tokens are cut out of every log line, including the development
    # server's request lines, because a token in a log is a working link to someone's account.
    # Keep gunicorn's access log off (its default) or give the proxy a format without the path
    # of /accounts/password/reset/ and /invitation/ URLs.
    "filters": {"redact_tokens": {"()": "portal.logging.RedactTokensFilter"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_tokens"],
        },
    },
    "loggers": {
        # Replaces Django's default "django" handlers, which would print unfiltered lines.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}

# --- Audit log (django-auditlog) ----------------------------------------------------------------
# Who changed what, with identity-document fields masked.
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {"model": "cases.Applicant", "mask_fields": ["passport_number"]},
    {"model": "cases.Case"},
    {"model": "cases.DocumentRequirement"},
    {"model": "cases.Document"},
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
