"""django.db.backends.sqlite3 plus what the sample migrations need from PostgreSQL.

The sample project's migrations use PostgreSQL-only operations, because those are
the safe way to change a busy PostgreSQL table. This backend lets the same
migrations run on SQLite:

* ``AddIndexConcurrently`` / ``RemoveIndexConcurrently`` pass ``concurrently=True``
  to ``add_index`` / ``remove_index``; SQLite has no such option, so it is ignored.
* ``AddConstraintNotValid`` runs ``ALTER TABLE ... ADD CONSTRAINT ... CHECK (...) NOT VALID``.
  SQLite cannot add a constraint to an existing table, so the check is emulated
  with INSERT and UPDATE triggers: new and changed rows are checked, existing rows
  are not, which is what NOT VALID means.
* ``ValidateConstraint`` runs ``ALTER TABLE ... VALIDATE CONSTRAINT ...``. Here it
  checks the existing rows against the emulated check and fails like PostgreSQL
  if one violates it. (The next table rebuild, e.g. by ``AlterField``, turns the
  check in the migration state into a real CHECK constraint and drops the triggers
  with the old table.)
* ``django.contrib.postgres.functions.RandomUUID`` compiles to ``GEN_RANDOM_UUID()``;
  every connection gets a function of that name.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.db import IntegrityError
from django.db.backends.sqlite3 import base as sqlite3_base
from django.db.backends.sqlite3.schema import DatabaseSchemaEditor as SQLiteSchemaEditor
from django.db.models import Index, Model

_ADD_CHECK_NOT_VALID = re.compile(
    r'^ALTER TABLE (?P<table>"[^"]+") ADD CONSTRAINT (?P<name>"[^"]+") CHECK \((?P<check>.*)\) NOT VALID$',
    re.DOTALL,
)
_VALIDATE_CONSTRAINT = re.compile(r'^ALTER TABLE (?P<table>"[^"]+") VALIDATE CONSTRAINT (?P<name>"[^"]+")$')
# How the emulating triggers store the check, so that VALIDATE CONSTRAINT can find it.
_TRIGGER_CHECK = re.compile(r"AND NOT \((?P<check>.*)\)\) BEGIN", re.DOTALL)
_TRIGGER_EVENTS = ("insert", "update")


def _unquote(identifier: str) -> str:
    return identifier[1:-1].replace('""', '"')


def _trigger_name(constraint: str, event: str) -> str:
    return f"{constraint}__not_valid_{event}"


class DatabaseSchemaEditor(SQLiteSchemaEditor):
    def add_index(self, model: type[Model], index: Index, concurrently: bool = False) -> None:
        # SQLite builds indexes in one go; there is nothing like CONCURRENTLY.
        super().add_index(model, index)

    def remove_index(self, model: type[Model], index: Index, concurrently: bool = False) -> None:
        super().remove_index(model, index)

    def execute(self, sql: Any, params: Any = ()) -> None:
        statement = str(sql)
        if match := _ADD_CHECK_NOT_VALID.match(statement):
            self._add_check_not_valid(match["table"], _unquote(match["name"]), match["check"])
        elif match := _VALIDATE_CONSTRAINT.match(statement):
            self._validate_check(match["table"], _unquote(match["name"]))
        else:
            super().execute(sql, params)

    def _add_check_not_valid(self, table: str, name: str, check: str) -> None:
        message = self.quote_value(f"CHECK constraint failed: {name}")
        for event in _TRIGGER_EVENTS:
            super().execute(
                f"CREATE TRIGGER {self.quote_name(_trigger_name(name, event))} AFTER {event.upper()} ON {table} "
                f"WHEN EXISTS (SELECT 1 FROM {table} WHERE rowid = NEW.rowid AND NOT ({check})) "
                f"BEGIN SELECT RAISE(ABORT, {message}); END",
                None,
            )

    def _validate_check(self, table: str, name: str) -> None:
        if self.collect_sql:
            self.collected_sql.append(f"-- SQLite: VALIDATE CONSTRAINT {name} checks the existing rows of {table}")
            return
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                [_trigger_name(name, "insert")],
            )
            row = cursor.fetchone()
            if row is None:
                # No emulated NOT VALID check: either a real CHECK (always valid on SQLite) or nothing to do.
                return
            found = _TRIGGER_CHECK.search(row[0])
            if found is None:
                raise RuntimeError(f"cannot read the check of constraint {name} from its trigger")
            cursor.execute(f"SELECT 1 FROM {table} WHERE NOT ({found['check']}) LIMIT 1")
            if cursor.fetchone() is not None:
                raise IntegrityError(f"check constraint {name} of relation {table} is violated by some row")


def _random_uuid() -> str:
    # Django stores UUIDField as char(32) hex on SQLite.
    return uuid.uuid4().hex


class DatabaseWrapper(sqlite3_base.DatabaseWrapper):
    SchemaEditorClass = DatabaseSchemaEditor

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        conn = super().get_new_connection(conn_params)
        conn.create_function("GEN_RANDOM_UUID", 0, _random_uuid, deterministic=False)
        return conn
