"""Settings for the safemigrate sample project.

SQLite by default (file ``sample_project/db.sqlite3``, or ``$SQLITE_PATH``).
PostgreSQL when ``$DATABASE_URL`` is set, e.g. ``postgresql://postgres@127.0.0.1:5432/dbname``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-sample-project-key-not-for-production")
DEBUG = True
ALLOWED_HOSTS: list[str] = ["localhost", "127.0.0.1"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    # Harmless on SQLite: its ready() only registers type handlers for PostgreSQL connections.
    "django.contrib.postgres",
    "shop",
    "unsafe_examples",
]

MIDDLEWARE: list[str] = []
ROOT_URLCONF = "config.urls"

POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}


def database_from_url(url: str) -> dict[str, Any]:
    """Turn ``postgresql://user:password@host:port/name?option=value`` into a DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme not in POSTGRES_SCHEMES:
        raise ValueError(f"DATABASE_URL must be a PostgreSQL URL, got scheme {parts.scheme!r}")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ValueError("DATABASE_URL must name a database, e.g. postgresql://postgres@127.0.0.1:5432/dbname")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "OPTIONS": dict(parse_qsl(parts.query)),
    }


def sqlite_database() -> dict[str, Any]:
    return {
        # django.db.backends.sqlite3 plus support for the PostgreSQL-only operations the migrations use.
        "ENGINE": "config.sqlite_backend",
        "NAME": os.environ.get("SQLITE_PATH") or str(BASE_DIR / "db.sqlite3"),
    }


DATABASES = {
    "default": database_from_url(os.environ["DATABASE_URL"]) if os.environ.get("DATABASE_URL") else sqlite_database(),
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
