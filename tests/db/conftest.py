"""Scratch databases for the database fact tests: one per test, dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import urlparse, urlunparse

import pytest

from tests.db.harness import prepare_database
from tests.dbservers import mysql_url, postgres_url


def _with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def _scratch_name() -> str:
    return f"safemigrate_fact_{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """The name of a database holding the filled base schema, copied by every ``pg_db``."""
    psycopg = pytest.importorskip("psycopg")
    server = postgres_url()
    name = _scratch_name() + "_template"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        prepare_database(_with_database(server, name))
        yield name
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_db(pg_template: str) -> Iterator[str]:
    """The URL of a new PostgreSQL database holding the base schema and its rows."""
    import psycopg

    server = postgres_url()
    name = _scratch_name()
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    try:
        yield _with_database(server, name)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _mysql_connect(url: str, database: str | None = None):  # type: ignore[no-untyped-def]
    pymysql = pytest.importorskip("pymysql")
    parsed = urlparse(url)
    return pymysql.connect(
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 3306,
        user=parsed.username or "root",
        password=parsed.password or "",
        database=database,
        autocommit=True,
    )


@pytest.fixture
def maria_db() -> Iterator[str]:
    """The URL of a new, empty MariaDB/MySQL database."""
    server = mysql_url()
    name = _scratch_name()
    conn = _mysql_connect(server)
    try:
        with conn.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{name}`")
    finally:
        conn.close()
    try:
        yield _with_database(server, name)
    finally:
        conn = _mysql_connect(server)
        try:
            with conn.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        finally:
            conn.close()


@pytest.fixture
def mysql_connect():  # type: ignore[no-untyped-def]
    """Open a PyMySQL connection to a database URL (for raw-SQL checks)."""

    def connect(url: str):  # type: ignore[no-untyped-def]
        return _mysql_connect(url, urlparse(url).path.lstrip("/"))

    return connect
