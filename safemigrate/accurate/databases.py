"""Each database alias in DATABASES: its vendor (the Target its migrations are judged for) and which
operations DATABASE_ROUTERS let run on it."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover - Python 3.10
    pass

from django.db.migrations import operations as ops
from django.db.migrations.operations.base import Operation

from safemigrate.accurate.setup import first_line
from safemigrate.config import Config
from safemigrate.graph import Key
from safemigrate.replay import model_names
from safemigrate.rules.base import Rule
from safemigrate.target import DEFAULT_VERSIONS, Target

_VENDORS = {"postgresql": "postgresql", "mysql": "mysql", "sqlite": "sqlite"}
_NAMES = {"postgresql": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB", "sqlite": "SQLite"}


@dataclass
class Database:
    alias: str
    target: Target
    connection: Any  # Django's DatabaseWrapper (connected only for --database)
    live: bool = False  # a connection is open: SQL evidence can be collected


def configured_version(config: Config, vendor: str) -> tuple[int, ...]:
    return config.version_for(vendor)


def connect(connection: Any) -> str | None:
    """Open the connection; None when it worked, else why not (one line)."""
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict.get("NAME") or "")
        in_memory = name in ("", ":memory:") or name.startswith("file:") or "mode=memory" in name
        if not in_memory and not Path(name).is_file():
            return f"no database file {name}"  # connecting would create an empty one
    try:
        connection.ensure_connection()
    except Exception as exc:
        return f"{type(exc).__name__}: {first_line(exc)}"
    return None


def configured_database(config: Config) -> str | None:
    """The ``database`` the configuration file sets; None when it doesn't (the default, PostgreSQL, applies)."""
    return config.database if "database" in config.explicit else None


def _where(config: Config) -> str:
    return f"{config.path.name}'s [tool.safemigrate]" if config.path is not None else "[tool.safemigrate]"


def database_target(
    connection: Any,
    config: Config,
    live: bool,
    notes: list[str],
    configured: str | None = None,
    skipped_on_sqlite: int = 0,
) -> Target:
    """The Target for one alias: its backend's vendor; the server's version when connected, else the config's.

    ``configured``: the ``database`` the configuration sets explicitly. A SQLite alias is a development
    database: with ``configured`` set (not to SQLite) it is judged as ``config.target`` instead.
    ``skipped_on_sqlite``: how many of the rules that run don't judge SQLite (the note says so).
    """
    vendor = _VENDORS.get(str(getattr(connection, "vendor", "")))
    if vendor is None and connection.settings_dict.get("ENGINE") == "django.db.backends.dummy":
        return config.target  # DATABASES is empty
    if vendor is None:
        notes.append(
            f'database "{connection.alias}" uses the {connection.vendor!r} backend, which safemigrate has no rules '
            f"for; it is checked as {config.target.describe()}"
        )
        return config.target
    if vendor == "sqlite" and configured not in (None, "sqlite"):
        notes.append(
            f'database "{connection.alias}" is SQLite, taken as a development database: judged as '
            f"{config.target.describe()}, the database set in {_where(config)}"
        )
        return config.target
    if vendor == "mysql":
        if live:
            vendor = "mariadb" if connection.mysql_is_mariadb else "mysql"
        elif config.database == "mariadb":
            vendor = "mariadb"
    version = configured_version(config, vendor)
    if live:
        try:
            if vendor == "postgresql":
                version = (int(connection.pg_version) // 10000,)
            elif vendor in ("mysql", "mariadb"):
                version = tuple(connection.mysql_version)
            else:
                import sqlite3

                version = tuple(sqlite3.sqlite_version_info)
        except Exception:  # pragma: no cover - keep the configured version
            pass
    target = Target(vendor, version)
    if vendor == "sqlite" and configured is None and skipped_on_sqlite:
        notes.append(
            f'database "{connection.alias}" is SQLite: {skipped_on_sqlite} rules that judge only PostgreSQL, MySQL '
            "or MariaDB (locks, table rewrites) were not applied; set database = \"postgresql\" (or the production "
            f"database) in {_where(config)} to judge for production"
        )
    elif configured is not None and vendor != configured:
        notes.append(
            f'database "{connection.alias}" is {target.describe()}: judged as that (its backend), not as the '
            f"{_NAMES[configured]} set in {_where(config)}"
        )
    return target


def skipped_on_sqlite(rules: Iterable[Rule]) -> int:
    """How many of ``rules`` judge PostgreSQL, MySQL or MariaDB but not SQLite (locks and rewrites)."""
    production = [Target(vendor, DEFAULT_VERSIONS[vendor]) for vendor in ("postgresql", "mysql", "mariadb")]
    sqlite = Target("sqlite", DEFAULT_VERSIONS["sqlite"])
    return sum(1 for rule in rules if not rule.runs_on(sqlite) and any(rule.runs_on(t) for t in production))


def databases(
    config: Config, live_alias: str | None, notes: list[str], rules: Iterable[Rule] = ()
) -> list[Database]:
    """Every alias in DATABASES, in their order; ``live_alias`` is connected to (for SQL evidence)."""
    from django.db import connections

    configured = configured_database(config)
    skipped = skipped_on_sqlite(rules)
    out: list[Database] = []
    for alias in connections:
        try:
            connection = connections[alias]
        except Exception as exc:  # the backend can't be imported (a missing driver)
            evidence = "SQL evidence skipped: " if alias == live_alias else ""
            notes.append(
                f'{evidence}database "{alias}": its backend could not be loaded ({first_line(exc)}); '
                f"it is checked as {config.target.describe()}"
            )
            out.append(Database(alias, config.target, None))
            continue
        live = False
        if alias == live_alias:
            if connection.vendor == "sqlite" and configured not in (None, "sqlite"):
                notes.append(
                    f'SQL evidence skipped: database "{alias}" is SQLite, judged as {config.target.describe()}; '
                    "its SQL is not what that database runs"
                )
            else:
                failure = connect(connection)
                live = failure is None
                if failure:
                    notes.append(f'SQL evidence skipped: database "{alias}" is not reachable ({failure})')
        target = database_target(connection, config, live, notes, configured, skipped)
        out.append(Database(alias, target, connection, live))
    return out


_BACKEND_VENDORS = {"postgresql": "postgresql", "mysql": "mysql", "mariadb": "mysql", "sqlite": "sqlite"}


def type_connection(target: Target, members: list[Database]) -> Any:
    """The connection that tells the column types (``FieldInfo.db_type``) for ``target``: a member alias's of
    that backend; else (a SQLite alias judged as PostgreSQL) an unconnected PostgreSQL one, never another
    backend's, whose types are not the target's. None: unknown, as in static mode."""
    backend = _BACKEND_VENDORS.get(target.vendor)
    for member in members:
        if member.connection is not None and getattr(member.connection, "vendor", None) == backend:
            return member.connection
    if target.vendor != "postgresql":
        return None
    from django.db.utils import ConnectionHandler

    try:
        return ConnectionHandler({"default": {"ENGINE": "django.db.backends.postgresql", "NAME": ""}})["default"]
    except Exception:  # psycopg isn't installed
        return None


class Routes:
    """Which aliases the routers let each top-level operation of the reported migrations run on."""

    def __init__(self, aliases: list[str], notes: list[str]) -> None:
        self.aliases = aliases
        self.notes = notes
        self.by_operation: dict[Key, dict[int, frozenset[str]]] = {}
        self._failed = False

    def add(self, key: Key, operations: list[Operation]) -> None:
        allowed: dict[int, frozenset[str]] = {}
        for index, operation in enumerate(operations):
            targets = [alias for alias in self.aliases if self._allowed(key[0], operation, alias)]
            if self._touches_database(operation):
                allowed[index] = frozenset(targets)
        self.by_operation[key] = allowed

    def databases(self, key: Key) -> tuple[str, ...] | None:
        """The aliases any of the migration's operations run on; None when it has no database operation."""
        allowed = self.by_operation.get(key)
        if not allowed:
            return None
        return tuple(a for a in self.aliases if any(a in aliases for aliases in allowed.values()))

    def allowed(self, key: Key, index: int | None, aliases: set[str]) -> bool:
        """Whether the operation (or, for index None, the migration) runs on one of ``aliases``."""
        allowed = self.by_operation.get(key)
        if not allowed:
            return True
        if index is None:
            return any(aliases & a for a in allowed.values()) or not any(allowed.values())
        return bool(allowed.get(index, aliases) & aliases)

    def _touches_database(self, operation: Operation) -> bool:
        if isinstance(operation, ops.SeparateDatabaseAndState):
            return bool(operation.database_operations)
        return True

    def _allowed(self, app_label: str, operation: Operation, alias: str) -> bool:
        if isinstance(operation, ops.SeparateDatabaseAndState):
            return any(self._allowed(app_label, child, alias) for child in operation.database_operations)
        from django.db import router

        hints: dict[str, Any] = dict(getattr(operation, "hints", None) or {})
        before, after = model_names(operation)
        if (after or before) and not isinstance(operation, (ops.RunPython, ops.RunSQL)):
            hints.setdefault("model_name", after or before)
        try:
            return bool(router.allow_migrate(alias, app_label, **hints))
        except Exception as exc:
            if not self._failed:
                self._failed = True
                self.notes.append(
                    f"a database router's allow_migrate raised {type(exc).__name__} ({first_line(exc)}); "
                    "such operations are taken to run on every database"
                )
            return True
