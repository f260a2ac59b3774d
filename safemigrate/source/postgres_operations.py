"""Stand-ins for ``django.contrib.postgres.operations`` where it can't be imported.

That module needs a PostgreSQL driver (psycopg) at import time, which pre-commit's
isolated environment doesn't have. These classes keep the same names and the same
state semantics (the index and constraint operations change state exactly like
their parents; the rest change none), so the static engine judges a migration the
same with or without a driver installed.
"""

from __future__ import annotations

from typing import Any

from django.db.migrations.operations import AddConstraint, AddIndex, RemoveIndex
from django.db.migrations.operations.base import Operation


class NotInTransactionMixin:
    atomic = False


class AddIndexConcurrently(NotInTransactionMixin, AddIndex):
    """CREATE INDEX CONCURRENTLY."""


class RemoveIndexConcurrently(NotInTransactionMixin, RemoveIndex):
    """DROP INDEX CONCURRENTLY."""


class AddConstraintNotValid(AddConstraint):
    """ALTER TABLE ... ADD CONSTRAINT ... NOT VALID."""


class ValidateConstraint(Operation):
    """ALTER TABLE ... VALIDATE CONSTRAINT (no state change)."""

    def __init__(self, model_name: str, name: str) -> None:
        self.model_name = model_name
        self.name = name

    def state_forwards(self, app_label: str, state: Any) -> None:
        return None

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return self.__class__.__name__, [], {"model_name": self.model_name, "name": self.name}


class CreateExtension(Operation):
    """CREATE EXTENSION (no state change)."""

    reversible = True

    def __init__(self, name: str = "", **kwargs: Any) -> None:
        self.name = name or getattr(self, "extension_name", "")

    def state_forwards(self, app_label: str, state: Any) -> None:
        return None


def _extension(class_name: str, extension: str) -> type[CreateExtension]:
    def __init__(self: CreateExtension, hints: Any = None) -> None:
        self.name = extension

    return type(class_name, (CreateExtension,), {"__init__": __init__, "extension_name": extension})


BloomExtension = _extension("BloomExtension", "bloom")
BtreeGinExtension = _extension("BtreeGinExtension", "btree_gin")
BtreeGistExtension = _extension("BtreeGistExtension", "btree_gist")
CITextExtension = _extension("CITextExtension", "citext")
CryptoExtension = _extension("CryptoExtension", "pgcrypto")
HStoreExtension = _extension("HStoreExtension", "hstore")
TrigramExtension = _extension("TrigramExtension", "pg_trgm")
UnaccentExtension = _extension("UnaccentExtension", "unaccent")


class CreateCollation(Operation):
    """CREATE COLLATION (no state change)."""

    def __init__(self, name: str, locale: str, *, provider: str = "libc", deterministic: bool = True) -> None:
        self.name = name

    def state_forwards(self, app_label: str, state: Any) -> None:
        return None


class RemoveCollation(CreateCollation):
    """DROP COLLATION (no state change)."""
