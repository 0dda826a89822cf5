"""Settings for occmaps, all read from the environment.

Every setting has a safe default for a developer's machine. A production run (``DEBUG`` off,
which is the default) refuses to start without ``SECRET_KEY`` and ``ALLOWED_HOSTS``.
"""

import math
import os
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_seconds(name: str, default: float, *, least: float, whole: bool = False) -> float:
    """A number of seconds, at least ``least`` (and whole, if ``whole``)."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        seconds = int(value) if whole else float(value)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < least:
        kind = "a whole number of seconds" if whole else "a number of seconds"
        raise ImproperlyConfigured(f"{name} must be {kind}, at least {least:g}, not {value!r}")
    return seconds


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Turn ``postgres://user:password@host:port/name?sslmode=require`` into a DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured("DATABASE_URL names no database")
        return {
            # Django's, with every wait of a web request bounded (occmaps/postgresql/base.py).
            "ENGINE": "occmaps.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            # The URL's query (``?connect_timeout=10&sslmode=require``) wins over these.
            "OPTIONS": {
                # libpq's least is 2 s.
                "connect_timeout": str(
                    env_seconds("DATABASE_CONNECT_TIMEOUT", 3, least=2, whole=True)
                ),
                # A database host that vanishes (nothing acknowledges any more) is given up in
                # seconds, not the kernel's quarter of an hour: an idle connection after about
                # a minute without an answer, a sent statement after 10 s unacknowledged.
                "keepalives": "1",
                "keepalives_idle": "30",
                "keepalives_interval": "10",
                "keepalives_count": "3",
                "tcp_user_timeout": "10000",
            }
            | dict(parse_qsl(parts.query)),
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            # A ModelChoiceField or ``.iterator()`` would otherwise declare a cursor WITH HOLD
            # and fetch in rounds: three round trips for a list of 15 routes. Nothing the site
            # reads is too large to fetch at once (the largest, every occupation, 1,300 rows).
            "DISABLE_SERVER_SIDE_CURSORS": True,
        }
    if parts.scheme == "sqlite":
        # sqlite:///relative/path.sqlite3 or sqlite:////absolute/path.sqlite3
        path = parts.path[1:] if parts.path.startswith("/") else parts.path
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path or BASE_DIR / "db.sqlite3"}
    raise ImproperlyConfigured(
        f"DATABASE_URL must start with postgres:// or sqlite://, not {parts.scheme or url!r}"
    )


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "csp",
    "axes",
    # The apps in dependency order: each imports only those above it (see docs/architecture.md).
    "core",
    "routes",
    "occupations",
    "socmapping",
    "changes",
    "importers",
    "site_pages",
]

MIDDLEWARE = [
    # First of all: a cached public page, or a 304, is answered before anything else runs. It
    # was stored with every header the middleware below gave it (security, CSP, CORS).
    "occmaps.middleware.PublicCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "occmaps.middleware.DatabaseUnavailableMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The API's CORS, methods and JSON errors.
    "occmaps.middleware.ApiMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Failed admin logins: after AXES_FAILURE_LIMIT tries for one user name from one address, that
# pair is locked out for AXES_COOLOFF_MINUTES.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0)
AXES_VERBOSE = False

ROOT_URLCONF = "occmaps.urls"
WSGI_APPLICATION = "occmaps.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(env_str("DATABASE_URL"))
    if env_str("DATABASE_URL")
    else {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
}
# A read replica takes the public pages' reads; writes and the admin stay on the primary.
if env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = database_from_url(env_str("DATABASE_REPLICA_URL")) | {
        "TEST": {"MIRROR": "default"}
    }
DATABASE_ROUTERS = ["occmaps.routers.ReplicaRouter"]
# The longest statement of a web request on PostgreSQL, in seconds: the server cancels it then,
# and the app gives up a second later if nothing at all came back (a database that hangs).
# Management commands (imports, migrations) have none. DATABASE_CONNECT_TIMEOUT bounds
# connecting, for both.
DATABASE_STATEMENT_TIMEOUT = env_seconds("DATABASE_STATEMENT_TIMEOUT", 2, least=0.1)


def cache_from_url(url: str) -> dict:
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {
            "BACKEND": "occmaps.cache.RedisCache",
            "LOCATION": url,
            # A request never waits long on a Redis that does not answer.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    raise ImproperlyConfigured(f"CACHE_URL must start with redis:// or rediss://, not {url!r}")


# Local memory by default; a shared Redis when several machines serve the site.
CACHES = {
    "default": cache_from_url(env_str("CACHE_URL") or env_str("REDIS_URL"))
    if env_str("CACHE_URL") or env_str("REDIS_URL")
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        # Bounded per worker: any query string makes a new page, and pages are up to ~110 KiB.
        "OPTIONS": {"MAX_ENTRIES": 500},
    }
}
CACHES["default"]["KEY_PREFIX"] = env_str("CACHE_KEY_PREFIX", "occmaps")
# How long a rendered page is kept for its data version, and what browsers and CDNs are told.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 24 * 60 * 60)
PAGE_MAX_AGE = env_int("PAGE_MAX_AGE", 60)
PAGE_STALE_WHILE_REVALIDATE = env_int("PAGE_STALE_WHILE_REVALIDATE", 300)
# How often each worker reads the data version again (core.dataversion): after an import or an
# admin save, pages change on every worker within this many seconds.
DATA_VERSION_REFRESH_SECONDS = env_int("DATA_VERSION_REFRESH_SECONDS", 1)
# Each worker renders the most read pages into the cache when it sees a new data version
# (occmaps/warming.py), so that the first reader after an import does not wait for them.
PAGE_WARMING = env_bool("PAGE_WARMING", True)
# Where the files of /downloads/ are built, once per data version, for every worker to share
# (site_pages/downloads.py). Any folder the app may write to; the system's temporary folder by
# default. Several machines each build their own copy.
DOWNLOADS_DIR = Path(env_str("DOWNLOADS_DIR") or Path(tempfile.gettempdir()) / "occmaps-downloads")
# What a 503 asks clients to wait before trying again, while the database is unavailable.
RETRY_AFTER_SECONDS = env_int("RETRY_AFTER_SECONDS", 30)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed static files are cached for a year (WhiteNoise's default for them); others for a day.
WHITENOISE_MAX_AGE = env_int("WHITENOISE_MAX_AGE", 24 * 60 * 60)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security: safe defaults in production, relaxed only when DEBUG is on.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers probe the health check over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Only this site's own scripts, styles and images; nothing inline, nothing from elsewhere.
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
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "interest-cohort",
    )
}
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS")

# The admin's URL prefix (a less obvious one keeps noise out of the logs).
ADMIN_URL = env_str("ADMIN_URL", "admin/").strip("/") + "/"

# One JSON object a line on standard output; requests that end in 4xx or 5xx are logged with
# their path and status (django.request), never shown to the visitor.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(levelname)s %(name)s %(message)s"},
    },
    "filters": {"request_fields": {"()": "occmaps.logs.RequestFields"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env_str("LOG_FORMAT", "json"),
            "filters": ["request_fields"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"level": "WARNING", "propagate": True},
    },
}
