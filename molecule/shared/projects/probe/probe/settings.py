"""Settings of the `probe` test project.

Everything site-specific comes from the environment, so one tree can be
deployed under several site names:

- DJANGO_SECRET_KEY      required unless DJANGO_DEBUG=1
- DJANGO_DEBUG           "0" (default) or "1"
- DJANGO_ALLOWED_HOSTS   comma-separated, default none
- DJANGO_STATIC_ROOT     optional STATIC_ROOT (collectstatic target)
- DJANGO_LOG_LEVEL       root log level, default INFO
- PROBE_DB_PATH          SQLite file, default <BASE_DIR>/db.sqlite3
- PROBE_RELEASE          release label echoed by the views
- PROBE_SITE             site label echoed by the views
- PROBE_ALLOW_FILE_PROBE "1" enables /whoami-files/
- PROBE_LOGGING          "0": no LOGGING setting (Django's default logging)

FORCE_SCRIPT_NAME is deliberately not set: the mount comes from the
WSGI SCRIPT_NAME.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_debug = os.environ.get("DJANGO_DEBUG", "0")
if _debug not in ("", "0", "1"):
    raise ImproperlyConfigured(
        f'DJANGO_DEBUG must be "0" or "1", got {_debug!r}'
    )
DEBUG = _debug == "1"

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set (unless DJANGO_DEBUG=1)"
        )
    SECRET_KEY = "django-insecure-probe-development-only-key"

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",")
    if host.strip()
]

PROBE_RELEASE = os.environ.get("PROBE_RELEASE", "")
PROBE_SITE = os.environ.get("PROBE_SITE", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "probe",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "probe.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("PROBE_DB_PATH") or BASE_DIR / "db.sqlite3",
        # Load tests hit the session table from many threads/processes.
        "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
    }
}

# DATABASE_URL (postgres://user:password@host:port/name) replaces the SQLite default; the fleet
# scenario points every web host at one PostgreSQL (psycopg: requirements-fleet.txt).
if os.environ.get("DATABASE_URL"):
    from urllib.parse import unquote, urlsplit

    _url = urlsplit(os.environ["DATABASE_URL"])
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(_url.path.lstrip("/")),
        "USER": unquote(_url.username or ""),
        "PASSWORD": unquote(_url.password or ""),
        "HOST": _url.hostname or "",
        "PORT": str(_url.port or ""),
        "CONN_MAX_AGE": 0,
    }

_validators = "django.contrib.auth.password_validation."
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": _validators + "UserAttributeSimilarityValidator"},
    {"NAME": _validators + "MinimumLengthValidator"},
    {"NAME": _validators + "CommonPasswordValidator"},
    {"NAME": _validators + "NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# The collection overrides STATIC_URL/STATIC_ROOT and MEDIA_URL/MEDIA_ROOT.
STATIC_URL = "static/"
STATIC_ROOT = os.environ.get("DJANGO_STATIC_ROOT") or None
MEDIA_URL = "media/"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Conservative security defaults: TLS-only settings (SECURE_SSL_REDIRECT,
# *_COOKIE_SECURE, HSTS) stay off because the tests serve plain HTTP too;
# an inventory can turn them on through django_settings.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Under mod_wsgi, stderr ends up in the Apache error log. PROBE_LOGGING=0 leaves LOGGING unset,
# like a project that keeps Django's default logging (500 tracebacks to mail_admins only).
_LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s "
            "[pid %(process)d] %(message)s",
        },
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "plain",
        },
    },
    "root": {
        "handlers": ["stderr"],
        "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO"),
    },
    "loggers": {
        "django": {"handlers": ["stderr"], "propagate": False},
    },
}
if os.environ.get("PROBE_LOGGING", "1") != "0":
    LOGGING = _LOGGING
