"""Django settings, all derived from :mod:`wowdesk.config` (``WOWDESK_*`` variables)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

from wowdesk.config import Config, secret_key_for

# Before numpy loads: scoring one message is a tiny matrix product, and BLAS threads only
# fight the request threads for the cores (emotion scoring measured 10-30x slower with
# OpenBLAS' default threads on a busy 2-core machine). Set the variables to override.
for _blas_threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_blas_threads, "1")

CONFIG = Config.from_env()
BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = CONFIG.data_dir
DATA_DIR.mkdir(parents=True, exist_ok=True)

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
    "django_tasks",
    "wowdesk.core.tasks_app.TasksDatabaseConfig",  # django_tasks_db, with a translated name
    "wowdesk.core",
    "wowdesk.customers",
    "wowdesk.conversations",
    "wowdesk.channels",
    "wowdesk.routing",
    "wowdesk.intelligence",
    "wowdesk.web",
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

WOWDESK_INBOUND_MAX_BODY_CHARS = CONFIG.inbound_max_body_chars
WOWDESK_DEMO_DATA_DIR = CONFIG.demo_data_dir
