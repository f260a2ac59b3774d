from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.migrations import operations as ops

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.operations import is_operation
from safemigrate.rules._operations import adds_foreign_key_constraint
from safemigrate.rules.base import Rule
from safemigrate.schema import FieldInfo, ModelInfo
from safemigrate.vendors import POSTGRESQL

SHARE = "a SHARE lock that blocks every write to the table for the whole build"
ACCESS_EXCLUSIVE = "an ACCESS EXCLUSIVE lock that blocks reads and writes for the whole build"
SQL_CONCURRENTLY = (
    "Use CREATE INDEX CONCURRENTLY, alone in a migration with `atomic = False` (SHARE UPDATE EXCLUSIVE: reads and "
    "writes continue)."
)
CONCURRENTLY = (
    "Add the index with django.contrib.postgres.operations.AddIndexConcurrently, alone in a migration "
    "with `atomic = False` (CREATE INDEX CONCURRENTLY takes SHARE UPDATE EXCLUSIVE: reads and writes continue)."
)


def _columns(model: ModelInfo, fields: Iterable[str]) -> list[str]:
    out = []
    for name in fields:
        field = model.field(name)
        out.append(field.column if field is not None and field.column else name)
    return out


def _unique_help(table: str, columns: list[str], operation: str, name: str | None = None) -> str:
    name = name or f"{table}_{'_'.join(columns)}_uniq"
    return (
        f"In a migration with `atomic = False`, run CREATE UNIQUE INDEX CONCURRENTLY {name} ON {table} "
        f"({', '.join(columns)}), then ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE USING INDEX {name} (a brief "
        f"lock), both as RunSQL in SeparateDatabaseAndState whose state_operations hold the {operation}."
    )


def _sql_unique_help(table: str, columns: list[str], name: str) -> str:
    return (
        f"Build the index first, in a migration with `atomic = False`: CREATE UNIQUE INDEX CONCURRENTLY {name} ON "
        f"{table} ({', '.join(columns)}); then ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE USING INDEX {name} "
        "(a brief lock)."
    )


def _plain_index(field: FieldInfo) -> bool:
    """Whether Django gives the column a plain (non-unique) index: db_index=True without unique."""
    return field.db_index and not field.unique


def _unique_index_form(constraint: Any) -> bool:
    """Whether Django creates this UniqueConstraint as CREATE UNIQUE INDEX rather than ADD CONSTRAINT."""
    return any(getattr(constraint, attr, None) for attr in ("condition", "include", "opclasses", "expressions"))


class IndexCreatedWithoutConcurrently(Rule):
    id = "ZDM202"
    name = "index-created-without-concurrently"
    severity = Severity.ERROR
    category = Category.LOCKING
    vendors = POSTGRESQL  # PostgreSQL's locks: MySQL/MariaDB have their own rules, SQLite is for development
    summary = "Building an index on an existing table without CONCURRENTLY blocks writes for the whole build"
    operation_types = (
        ops.AddIndex,
        ops.AddField,
        ops.AlterField,
        ops.AlterUniqueTogether,
        ops.AlterIndexTogether,
        ops.AddConstraint,
    )

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        change = ctx.existing_table_change()
        if change is None:
            return
        before, after = change
        op, table = ctx.operation, after.table
        if isinstance(op, ops.AddIndex):
            if is_operation(op, "AddIndexConcurrently"):
                return
            subject = "It" if ctx.statement else "AddIndex"
            yield self.at_operation(
                ctx,
                f'{subject} builds index "{op.index.name}" on "{table}" with a plain CREATE INDEX, holding {SHARE}.',
                CONCURRENTLY,
                sql_help=SQL_CONCURRENTLY,
            )
        elif isinstance(op, ops.AddField):
            yield from self._add_field(ctx, op, after.field(op.name), table)
        elif isinstance(op, ops.AlterField):
            yield from self._alter_field(ctx, before.field(op.name), after.field(op.name), table)
        elif isinstance(op, ops.AlterUniqueTogether):
            for fields in sorted(after.unique_together - before.unique_together):
                yield self.at_operation(
                    ctx,
                    f'AlterUniqueTogether adds unique_together ({", ".join(fields)}) to "{table}": ADD CONSTRAINT '
                    f"... UNIQUE builds its index holding {ACCESS_EXCLUSIVE}.",
                    _unique_help(table, _columns(after, fields), "AlterUniqueTogether"),
                )
        elif isinstance(op, ops.AlterIndexTogether):
            for fields in sorted(after.index_together - before.index_together):
                yield self.at_operation(
                    ctx,
                    f'AlterIndexTogether adds index_together ({", ".join(fields)}), built on "{table}" with a plain '
                    f"CREATE INDEX, holding {SHARE}.",
                    "Replace index_together with Meta.indexes and add that index with "
                    "django.contrib.postgres.operations.AddIndexConcurrently, alone in a migration with "
                    "`atomic = False`.",
                )
        elif isinstance(op, ops.AddConstraint) and is_operation(op.constraint, "UniqueConstraint"):
            constraint = op.constraint
            if _unique_index_form(constraint):
                yield self.at_operation(
                    ctx,
                    f'UniqueConstraint "{constraint.name}" builds a unique index on "{table}" with a plain '
                    f"CREATE UNIQUE INDEX, holding {SHARE}.",
                    "Run CREATE UNIQUE INDEX CONCURRENTLY as RunSQL in SeparateDatabaseAndState whose "
                    "state_operations hold the AddConstraint, alone in a migration with `atomic = False`.",
                )
            else:
                subject = "It" if ctx.statement else f'UniqueConstraint "{constraint.name}"'
                columns = _columns(after, constraint.fields)
                yield self.at_operation(
                    ctx,
                    f'{subject} runs ALTER TABLE "{table}" ADD CONSTRAINT ... UNIQUE, '
                    f"which builds its index holding {ACCESS_EXCLUSIVE}.",
                    _unique_help(table, columns, "AddConstraint", constraint.name),
                    sql_help=_sql_unique_help(table, columns, constraint.name),
                )

    def _add_field(
        self, ctx: OperationContext, op: ops.AddField, field: FieldInfo | None, table: str
    ) -> Iterator[Finding]:
        if field is None or field.is_m2m or field.primary_key:
            return
        if adds_foreign_key_constraint(None, field):
            return  # the foreign key rule (ZDM205) reports the index with the constraint
        if not (field.db_index or field.unique):
            return
        column = field.column or field.name
        if field.unique:
            yield self.at_operation(
                ctx,
                f'Adding "{column}" to "{table}" with {"UNIQUE" if ctx.statement else "unique=True"} runs ADD COLUMN '
                f"... UNIQUE, which builds the unique index holding {ACCESS_EXCLUSIVE}.",
                "Add the field without unique=True, then make it unique in a later migration: "
                + _unique_help(table, [column], "AlterField that sets unique=True"),
                sql_help="Add the column without UNIQUE, then make it unique in a later migration: "
                + _sql_unique_help(table, [column], f"{table}_{column}_key"),
            )
            return
        option = "db_index=True (a ForeignKey's default)" if field.is_foreign_key else "db_index=True"
        if ctx.migration.atomic:
            lock = "while the ADD COLUMN's ACCESS EXCLUSIVE lock is still held (reads and writes blocked)"
        else:
            lock = f"holding {SHARE}"
        yield self.at_operation(
            ctx,
            f'Adding "{column}" to "{table}" with {option} builds an index on it with a plain CREATE INDEX {lock}.',
            "Add the field with db_index=False, then declare the index in Meta.indexes and add it with "
            "django.contrib.postgres.operations.AddIndexConcurrently, alone in a migration with `atomic = False`.",
        )

    def _alter_field(
        self, ctx: OperationContext, old: FieldInfo | None, new: FieldInfo | None, table: str
    ) -> Iterator[Finding]:
        if old is None or new is None or old.is_m2m or new.is_m2m or old.primary_key or new.primary_key:
            return
        if adds_foreign_key_constraint(old, new):
            return  # the foreign key rule (ZDM205) reports the index with the constraint
        if new.unique and not old.unique:
            yield self.at_operation(
                ctx,
                f'Making "{new.column}" of "{table}" unique runs ADD CONSTRAINT ... UNIQUE, which builds its index '
                f"holding {ACCESS_EXCLUSIVE}.",
                _unique_help(table, [new.column or new.name], "AlterField"),
            )
        elif _plain_index(new) and not _plain_index(old):
            yield self.at_operation(
                ctx,
                f'AlterField gives "{new.column}" of "{table}" an index (db_index=True) built with a plain '
                f"CREATE INDEX, holding {SHARE}.",
                "Keep db_index=False on the field, declare the index in Meta.indexes and add it with "
                "django.contrib.postgres.operations.AddIndexConcurrently, alone in a migration with "
                "`atomic = False`.",
            )
