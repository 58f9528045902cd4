"""Django settings, all from the environment; with none set, a local SQLite demo works.

Environment:
    DATABASE_URL        e.g. postgresql://user@127.0.0.1:5432/backpath (default: SQLite in the
                        data folder)
    DATABASE_REPLICA_URL  a PostgreSQL replica the outcome reports read from (optional)
    BACKPATH_DATA_DIR   the data folder (default: ./data)
    SECRET_KEY          required when DEBUG is off
    DEBUG               "1" for development (default off)
    ALLOWED_HOSTS       comma-separated (default: localhost, 127.0.0.1)
    BACKPATH_SECURE     "1" behind HTTPS: secure cookies, HSTS, SSL redirect
    REDIS_URL           cache and sessions in Redis when set (several processes)
    BACKPATH_BASE_URL   the public address (default http://127.0.0.1:8000)
    BACKPATH_FHIR_CANONICAL  base of BackPath's canonical FHIR URLs (default: the public
                        address + /fhir); see backpath.addresses
    BACKPATH_JWKS_ALLOWED_URLS  JWK Set URLs (or URL prefixes ending in /) a registered EHR's
                        keys may be fetched from, space- or comma-separated (default: none)
    BACKPATH_CDS_BASE_URL  the address EHRs call the CDS service at; a CDS JWT's ``aud`` must be
                        it plus the path called (default: BACKPATH_BASE_URL)
    BACKPATH_SMART_TIMEOUT  seconds a SMART launch waits for an EHR's server (default 5)
    BACKPATH_SMART_CACHE_SECONDS  how long an EHR's SMART configuration is cached (default 300)
    BACKPATH_SMART_STATE_MINUTES  how long a SMART launch may take, sign-in included (default 10)
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from backpath.addresses import public_base_url
from backpath.errors import InvalidInput

BASE_DIR = Path(__file__).resolve().parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0 (got {value!r})")


DEBUG = env_flag("DEBUG")
DATA_DIR = Path(os.environ.get("BACKPATH_DATA_DIR", Path.cwd() / "data")).resolve()
# Files the server writes (the SQLite database, mail, exports) are readable by its own user
# only: 0600 files in 0700 folders.
os.umask(0o077)

INSECURE_KEY = "backpath-insecure-development-key-do-not-use-in-production-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if SECRET_KEY == INSECURE_KEY and not DEBUG:
    raise ImproperlyConfigured("SECRET_KEY is the development key; set a random one")
if not SECRET_KEY:
    if not DEBUG and not env_flag("BACKPATH_ALLOW_INSECURE_KEY"):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = INSECURE_KEY

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "ninja",  # serves its bundled Swagger UI (no CDN) through WhiteNoise
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "backpath.web.accounts",
    "backpath.web.audit",
    "backpath.web.outbox",
    "backpath.web.patients",
    "backpath.web.clinic",
    "backpath.web.plans",
    "backpath.web.diary",
    "backpath.web.care",
    "backpath.web.review",
    "backpath.web.api",
    "backpath.web.selfcheck",
    "backpath.web.fhir",
    "backpath.web.ehrs",
    "backpath.web.cds",
    "backpath.web.launch",
    "backpath.web.reminders",
    "backpath.web.outcomes",
    "backpath.web.questionnaires",
    "backpath.web.alerts",
    "backpath.web.logins",
    "backpath.web.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "backpath.web.headers.NoStore",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "backpath.web.logins.gate.SessionGate",
    "backpath.web.audit.denied.DeniedAccessAudit",
    "backpath.web.server_errors.MachineReadableErrors",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]
RATELIMIT_VIEW = "backpath.web.selfcheck.views.rate_limited"

ROOT_URLCONF = "backpath.web.urls"
WSGI_APPLICATION = "backpath.web.wsgi.application"

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
                "backpath.web.accounts.context.backpath",
            ],
        },
    },
]


DB_CONNECT_TIMEOUT = int(os.environ.get("BACKPATH_DB_CONNECT_TIMEOUT", "5"))
DB_STATEMENT_TIMEOUT_MS = int(os.environ.get("BACKPATH_DB_STATEMENT_TIMEOUT_MS", "30000"))


def _database(url: str | None) -> dict[str, Any]:
    """A hung database must not hang start-up or every request: connections give up after
    BACKPATH_DB_CONNECT_TIMEOUT seconds and PostgreSQL statements after
    BACKPATH_DB_STATEMENT_TIMEOUT_MS milliseconds (SQLite waits as long for a lock)."""
    if url:
        config: dict[str, Any] = dict(
            dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        )
        if str(config["ENGINE"]).endswith("postgresql"):
            config["OPTIONS"] = {
                "connect_timeout": DB_CONNECT_TIMEOUT,
                "options": f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}",
                # Parameters bound by the server, and a statement run five times on one
                # connection is prepared: PostgreSQL then plans each of a page's queries
                # once per connection, not on every request (planning costs more than
                # running the small joins a page makes).
                "server_side_binding": True,
                "prepare_threshold": 5,
                **dict(config.get("OPTIONS") or {}),
            }
        return config
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "backpath.sqlite3",
        "OPTIONS": {
            # WAL lets readers and one writer work at once; IMMEDIATE avoids lock upgrades.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": DB_STATEMENT_TIMEOUT_MS / 1000,
        },
    }


DATABASES = {"default": _database(os.environ.get("DATABASE_URL"))}
# Past one machine: the outcome reports read from a PostgreSQL replica (backpath.web.replica);
# the tests point it at the primary (MIRROR), as a replica holds the same rows.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {**_database(os.environ["DATABASE_REPLICA_URL"]),
                            "TEST": {"MIRROR": "default"}}  # fmt: skip
DATABASE_ROUTERS = ["backpath.web.replica.ReportsReadReplica"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "backpath.web.accounts.passwords.RoleMinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "backpath.web.accounts.backends.ClinicModelBackend",  # ModelBackend, clinic read with the user
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"  # says when to retry and how to reset
# Behind a TLS proxy: the addresses (or networks) whose X-Forwarded-For is believed, so
# lockouts, rate limits and the audit trail see the real client (backpath.web.client_address).
BACKPATH_TRUSTED_PROXIES = os.environ.get("BACKPATH_TRUSTED_PROXIES", "").replace(",", " ").split()
AXES_CLIENT_IP_CALLABLE = "backpath.web.client_address.client_address"
RATELIMIT_IP_META_KEY = "backpath.web.client_address.client_address"

# One-time links (invitations, the first lead's welcome, password resets) work once and for
# BACKPATH_LINK_HOURS hours (Django's token machinery; 72 hours by default).
PASSWORD_RESET_TIMEOUT = int(os.environ.get("BACKPATH_LINK_HOURS", "72")) * 3600

# Two-factor sign-in (django-otp): required for clinic staff unless BACKPATH_STAFF_MFA=0 (the
# demo turns it off); idle staff sessions end after BACKPATH_STAFF_IDLE_MINUTES.
BACKPATH_STAFF_MFA = env_flag("BACKPATH_STAFF_MFA", default=True)
BACKPATH_STAFF_IDLE_MINUTES = int(os.environ.get("BACKPATH_STAFF_IDLE_MINUTES", "30"))
OTP_TOTP_ISSUER = "BackPath"

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

SECURE = env_flag("BACKPATH_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No script but BackPath's own files (no inline script anywhere); styles may be inline (SVG
# charts and figures carry their own). The API's interactive docs bring Swagger's inline script.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/docs"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in ("accelerometer", "camera", "geolocation", "gyroscope", "magnetometer",
                    "microphone", "payment", "usb", "display-capture", "serial", "hid")
}  # fmt: skip

# Email (patient reminders sent by `backpath send-reminders`). The default writes each message
# to a file in DATA_DIR/mail, so the demo never tries to reach a mail server.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "BackPath <backpath@localhost>")
# Background work on Django's Tasks API (the django-tasks backport): an embedded queue in the
# database, worked by the process `backpath demo` and `backpath serve` start beside the web
# server (or `backpath worker` on its own).
TASKS: dict[str, dict[str, Any]] = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if os.environ.get("REDIS_URL"):  # past one machine: RQ on Redis, any number of workers
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": os.environ["REDIS_URL"], "DEFAULT_TIMEOUT": 600}}
# Periodic jobs, each run once per due time by whichever worker claims it (outbox.schedule).
BACKPATH_PERIODIC_JOBS = {
    "reminders": {"function": "backpath.web.reminders.reminders.run_due", "every_minutes": 15},
    # Review questionnaires a week before each review date, and one reminder (hourly).
    "questionnaires": {
        "function": "backpath.web.questionnaires.schedule.run_due",
        "every_minutes": 60,
    },
    # Nightly (at midnight UTC): each clinic's episode outcomes and case-mix model.
    "outcomes": {
        "function": "backpath.web.outcomes.aggregation.refresh_all",
        "every_minutes": 24 * 60,
    },
    # The CDS Hooks replay cache: JWT ids whose tokens have expired are forgotten (hourly).
    "cds_jti": {"function": "backpath.web.ehrs.replay.forget_expired", "every_minutes": 60},
}

# Questionnaires a deployment holds no licence for (comma-separated ids, e.g. "odi"): they are
# never shown, and their free alternative is used instead (the Oswestry's is Roland-Morris).
BACKPATH_INSTRUMENTS_OFF = frozenset(
    i.strip() for i in os.environ.get("BACKPATH_INSTRUMENTS_OFF", "").split(",") if i.strip()
)
BACKPATH_QUESTIONNAIRE_DAYS = int(os.environ.get("BACKPATH_QUESTIONNAIRE_DAYS", "14"))

# The address links in emails point to (the site as patients reach it); the rule and its
# default live in backpath.addresses, which the FHIR canonical base is derived from too.
try:
    BACKPATH_BASE_URL = public_base_url()
except InvalidInput as exc:
    raise ImproperlyConfigured(str(exc)) from None

# FHIR servers the CDS Hooks service may fetch missing prefetch from (space-separated base
# URLs). Empty: it never fetches, so an API token cannot make BackPath call arbitrary hosts.
CDS_FHIR_SERVERS = os.environ.get("BACKPATH_CDS_FHIR_SERVERS", "").split()
# Where a registered EHR's JWK Set may be fetched from (backpath.web.ehrs.jwks_fetch): exact
# URLs, or prefixes ending in "/" on one host. Empty: no URL is fetched; a lead pastes the set.
JWKS_ALLOWED_URLS = os.environ.get("BACKPATH_JWKS_ALLOWED_URLS", "").replace(",", " ").split()
# The address EHRs call /cds-services at; the signed JWT's audience is this plus the path (the
# Host header is not trusted for it). Empty: BACKPATH_BASE_URL.
CDS_BASE_URL = os.environ.get("BACKPATH_CDS_BASE_URL", "")

# SMART on FHIR EHR launch (backpath.web.launch). The redirect URI BackPath sends is
# BACKPATH_BASE_URL + /launch/smart/callback, the address the EHR registered.
BACKPATH_SMART_TIMEOUT = float(os.environ.get("BACKPATH_SMART_TIMEOUT", "5"))
BACKPATH_SMART_CACHE_SECONDS = int(os.environ.get("BACKPATH_SMART_CACHE_SECONDS", "300"))
BACKPATH_SMART_STATE_MINUTES = int(os.environ.get("BACKPATH_SMART_STATE_MINUTES", "10"))


def _origins(name: str) -> tuple[str, ...]:
    """Browser origins (scheme://host[:port], space- or comma-separated; ``*`` for any)."""
    found = os.environ.get(name, "").replace(",", " ").lower().split()
    for origin in found:
        if origin != "*" and not re.fullmatch(
            r"https?://(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:[0-9]{1,5})?", origin
        ):
            raise ImproperlyConfigured(
                f"{name}: {origin!r} is not an origin; give scheme://host[:port] (no path), "
                "e.g. https://app.example.org"
            )
    return tuple(found)


# Browser apps (SMART on FHIR) of these origins may call /fhir/ with a bearer token (never
# with cookies): the FHIR endpoints answer them with CORS headers. Empty: no origin may.
BACKPATH_FHIR_CORS_ORIGINS = _origins("BACKPATH_FHIR_CORS_ORIGINS")

REDIS_URL = os.environ.get("REDIS_URL")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}  # fmt: skip
    CACHES["charts"] = CACHES["default"]
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    # Without Redis the cache (rate-limit counters above all) lives in the database, so that
    # every server process counts the same requests; its tables are made by migrations. A
    # full database cache drops a third of its rows, whichever they are, so the counters
    # have a table of their own with room to spare, and the charts (many, large, and drawn
    # again when dropped) one that is kept small.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                    "LOCATION": "backpath_cache", "OPTIONS": {"MAX_ENTRIES": 100_000}},
        "charts": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                   "LOCATION": "backpath_chart_cache", "OPTIONS": {"MAX_ENTRIES": 3_000}},
        "sessions": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                     "LOCATION": "backpath_session_cache", "OPTIONS": {"MAX_ENTRIES": 100_000}},
    }  # fmt: skip
    # Sessions are stored in their table and read through a cache table of their own: reading
    # a session through the ORM cost twice reading its cache row, on every signed-in request.
    # A session dropped from the cache is read from its table again.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    SESSION_CACHE_ALIAS = "sessions"
# Rendered page parts whose key names everything they show (the plan's sections: version,
# revision, intake): kept in each process's memory, as no change can make an entry stale.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "backpath-fragments",
    "OPTIONS": {"MAX_ENTRIES": 500},
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_trace_for_refusals": {"()": "backpath.web.log_filters.NoTraceForRefusals"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["no_trace_for_refusals"]}
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    # A bad Host header is a probe, not an error of ours: one line is enough.
    "loggers": {
        "django.security.DisallowedHost": {"handlers": [], "level": "CRITICAL", "propagate": False}
    },
}
