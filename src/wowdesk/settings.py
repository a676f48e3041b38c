"""Django settings, all derived from :mod:`wowdesk.config` (``WOWDESK_*`` variables)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

from wowdesk.config import Config, harden_data_dir, secret_key_for

# Before numpy loads: scoring one message is a tiny matrix product, and BLAS threads only
# fight the request threads for the cores (emotion scoring measured 10-30x slower with
# OpenBLAS' default threads on a busy 2-core machine). Set the variables to override.
for _blas_threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_blas_threads, "1")

CONFIG = Config.from_env()
BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = CONFIG.data_dir
harden_data_dir(DATA_DIR)

SECRET_KEY = secret_key_for(CONFIG)
DEBUG = CONFIG.debug
ALLOWED_HOSTS = list(CONFIG.allowed_hosts)
CSRF_TRUSTED_ORIGINS = [f"http://{h}:8000" for h in ALLOWED_HOSTS if h != "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    # django-ninja's templates and static files: /api/v1/docs serves Swagger UI from here.
    "ninja",
    "django_tasks",
    "wowdesk.core.tasks_app.TasksDatabaseConfig",  # django_tasks_db, with a translated name
    "wowdesk.core",
    "wowdesk.customers",
    "wowdesk.conversations",
    "wowdesk.channels",
    "wowdesk.routing",
    "wowdesk.intelligence",
    "wowdesk.webhooks",
    "wowdesk.automations",
    "wowdesk.notifications",
    "wowdesk.web",
    "wowdesk.knowledge",
    "wowdesk.surveys",
    "wowdesk.analytics",
    "wowdesk.policies",
    "wowdesk.quality",
    "wowdesk.training",
    "wowdesk.wfm",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "wowdesk.core.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wowdesk.web.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "wowdesk.urls"
ASGI_APPLICATION = "wowdesk.asgi.application"

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
                "django.template.context_processors.i18n",
                "wowdesk.web.settings_nav.context",
            ],
        },
    },
]


def _databases(config: Config) -> dict[str, Any]:
    if config.database_url:
        db = dj_database_url.parse(config.database_url, conn_max_age=60, conn_health_checks=True)
        return {"default": db}
    return {
        "default": {
            # Django's SQLite backend, with writers queued on a lock (core/sqlite/base.py).
            "ENGINE": "wowdesk.core.sqlite",
            "NAME": str(config.data_dir / "wowdesk.sqlite3"),
            # Keep the connection (a reconnect runs the PRAGMAs below: ~2 ms a request); one
            # per HTTP pool thread (wowdesk.asgi), a broken one is still replaced.
            "CONN_MAX_AGE": None,
            "OPTIONS": {
                # IMMEDIATE: take the write lock at BEGIN, so two writers queue instead of
                # failing with "database is locked" on lock upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": config.sqlite_timeout,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000; "
                    "PRAGMA cache_size=-64000; PRAGMA temp_store=MEMORY;"
                ),
            },
            "TEST": {"NAME": str(config.data_dir / "test-wowdesk.sqlite3")},
        }
    }


DATABASES = _databases(CONFIG)
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/login/"
# Every sign-in (workspace and admin) goes through the throttle (web/services.py).
AUTHENTICATION_BACKENDS = ["wowdesk.web.auth.ThrottledModelBackend"]

LANGUAGE_CODE = CONFIG.default_language
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = CONFIG.time_zone
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = DATA_DIR / "uploads"
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# HTTPS (WOWDESK_HTTPS=1, or a trusted proxy header that says so): cookies only over
# HTTPS, HSTS, and the Content-Security-Policy (web/middleware.py).
WOWDESK_HTTPS = CONFIG.https
# Behind a reverse proxy: the header whose last entry is the client's address (sign-in
# throttle); unset, the peer's address (REMOTE_ADDR) is the client's.
WOWDESK_CLIENT_IP_HEADER = CONFIG.client_ip_header
WOWDESK_CSP = CONFIG.https or CONFIG.csp
if CONFIG.proxy_ssl_header is not None:
    SECURE_PROXY_SSL_HEADER = CONFIG.proxy_ssl_header
if CONFIG.https:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = CONFIG.hsts_seconds
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    CSRF_TRUSTED_ORIGINS += [f"https://{h}" for h in ALLOWED_HOSTS if h != "testserver"]
SESSION_COOKIE_HTTPONLY = True

if CONFIG.redis_url:
    CHANNEL_LAYERS = {
        "default": {
            # A pool that waits for a free connection rather than failing a burst
            # (core/layers.py).
            "BACKEND": "wowdesk.core.layers.WaitingRedisChannelLayer",
            # redis-py 8 reads with a 5 s socket timeout, the same as channels-redis'
            # blocking 5 s BZPOPMIN: on a busy machine the read timed out and killed the
            # WebSocket consumer (seen in tests/channels/chat/test_cluster.py).
            # capacity: channels-redis keeps ONE Redis list per server process for all its
            # WebSockets and silently drops a push when it holds 100 (its default); under a
            # burst a chat reply vanished (tests/channels/test_nothing_lost.py).
            "CONFIG": {
                "hosts": [{"address": CONFIG.redis_url, "socket_timeout": 30}],
                "capacity": 10_000,
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CONFIG.redis_url,
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"wowdesk": {"level": "INFO"}},
}

# Django's own mail (invitations, password resets) through the same relay as replies.
EMAIL_HOST = CONFIG.email_host
EMAIL_PORT = CONFIG.email_port
EMAIL_HOST_USER = CONFIG.email_user
EMAIL_HOST_PASSWORD = CONFIG.email_password
EMAIL_USE_TLS = CONFIG.email_use_tls and not CONFIG.email_use_ssl
EMAIL_USE_SSL = CONFIG.email_use_ssl
EMAIL_TIMEOUT = int(CONFIG.email_timeout)
DEFAULT_FROM_EMAIL = CONFIG.email_from or CONFIG.support_address
# A set-password link (invitation, reset) works for three days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

WOWDESK_INBOUND_MAX_BODY_CHARS = CONFIG.inbound_max_body_chars
WOWDESK_DEMO_DATA_DIR = CONFIG.demo_data_dir
WOWDESK_AWAY_AFTER_MINUTES = CONFIG.away_after_minutes
WOWDESK_KB_PROPOSAL_DAYS = CONFIG.kb_proposal_days
