"""Where the real database servers for tests are, and how to skip without them.

Tests that need a server read its URL from SAFEMIGRATE_TEST_POSTGRES or
SAFEMIGRATE_TEST_MYSQL. Without the server they skip with the reason; with
SAFEMIGRATE_REQUIRE_DB=1 (as in CI) a missing server fails the test instead.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import pytest

POSTGRES_URL = os.environ.get("SAFEMIGRATE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
MYSQL_URL = os.environ.get("SAFEMIGRATE_TEST_MYSQL", "mysql://root@127.0.0.1:3306/test")


def _reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5432), timeout=2):
            return True
    except OSError:
        return False


def require_server(name: str, url: str, env: str) -> str:
    """Return the URL, or skip (fail under SAFEMIGRATE_REQUIRE_DB=1) when unreachable."""
    if _reachable(url):
        return url
    reason = f"{name} is not reachable at {url} (set {env} to point at a server)"
    if os.environ.get("SAFEMIGRATE_REQUIRE_DB") == "1":
        pytest.fail(f"SAFEMIGRATE_REQUIRE_DB=1 but {reason}")
    pytest.skip(reason)


def postgres_url() -> str:
    return require_server("PostgreSQL", POSTGRES_URL, "SAFEMIGRATE_TEST_POSTGRES")


def mysql_url() -> str:
    return require_server("MySQL/MariaDB", MYSQL_URL, "SAFEMIGRATE_TEST_MYSQL")
