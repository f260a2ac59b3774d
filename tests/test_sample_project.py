"""The sample Django project migrates on SQLite and PostgreSQL, and its models match its migrations."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.dbservers import postgres_url

REPO_ROOT = Path(__file__).resolve().parent.parent
MANAGE_PY = REPO_ROOT / "sample_project" / "manage.py"


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(MANAGE_PY), *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def assert_ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"


def sqlite_env(path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["SQLITE_PATH"] = str(path)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


@pytest.fixture
def postgres_database_url(tmp_path: Path) -> Iterator[str]:
    """A scratch PostgreSQL database for one test, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    from psycopg import sql

    server_url = postgres_url()
    name = f"safemigrate_sample_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        parts = urlsplit(server_url)
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def test_migrate_on_sqlite(tmp_path: Path) -> None:
    env = sqlite_env(tmp_path / "db.sqlite3")
    assert_ok(manage("migrate", "--no-input", env=env))
    assert (tmp_path / "db.sqlite3").exists()
    # Every safe step in the shop app is reversible.
    assert_ok(manage("migrate", "shop", "zero", "--no-input", env=env))
    assert_ok(manage("migrate", "--no-input", env=env))


def test_migrate_on_postgresql(postgres_database_url: str, tmp_path: Path) -> None:
    env = sqlite_env(tmp_path / "unused.sqlite3")
    env["DATABASE_URL"] = postgres_database_url
    assert_ok(manage("migrate", "--no-input", env=env))
    assert_ok(manage("migrate", "shop", "zero", "--no-input", env=env))
    assert_ok(manage("migrate", "--no-input", env=env))
    assert not (tmp_path / "unused.sqlite3").exists()


def test_models_match_migrations(tmp_path: Path) -> None:
    result = manage("makemigrations", "--check", "--dry-run", env=sqlite_env(tmp_path / "db.sqlite3"))
    assert_ok(result)
    assert "No changes detected" in result.stdout
