from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.migrations import operations as ops

from safemigrate.context import MigrationContext, OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules.base import Rule
from safemigrate.schema import FieldInfo
from safemigrate.vendors import POSTGRESQL

# Operations that never emit SQL.
_NO_SQL = (ops.AlterModelOptions, ops.AlterModelManagers)
# Field attributes that change no column (Django's Field.non_db_attrs, plus the Python default).
_NON_DB_ATTRS = frozenset(
    {
        "blank", "choices", "db_column", "default", "editable", "error_messages", "help_text",
        "limit_choices_to", "on_delete", "related_name", "related_query_name", "validators", "verbose_name",
    }
)


class SchemaAndDataChangeInAtomicMigration(Rule):
    id = "ZDM206"
    name = "schema-and-data-change-in-atomic-migration"
    severity = Severity.ERROR
    category = Category.LOCKING
    vendors = POSTGRESQL  # PostgreSQL's locks: MySQL/MariaDB have their own rules, SQLite is for development
    summary = "A data change shares a transaction with a schema change, holding its locks for the whole backfill"

    def check_migration(self, migration: MigrationContext) -> Iterator[Finding]:
        if not migration.atomic:
            return
        data_changes = [(ctx, data) for ctx in migration.operations if (data := _data_change(ctx)) is not None]
        if not data_changes:
            return  # most migrations: nothing else to look at
        created = {
            ctx.model_key
            for ctx in migration.operations
            if isinstance(ctx.operation, ops.CreateModel) and not ctx.state_only and ctx.model_key
        }
        schema = [(ctx, what) for ctx in migration.operations if (what := _schema_change(ctx, created))]
        if not schema:
            return
        for ctx, data in data_changes:
            others = [what for other, what in schema if other is not ctx]
            own = next((what for other, what in schema if other is ctx), None)
            if own is not None and not others:
                ddl = next(s.kind for s in ctx.statements if s.is_ddl)
                schema_text = f"the {ddl} statement in the same RunSQL"
            else:
                first = others[0]
                more = len(others) - 1
                schema_text = first + (f" (and {more} other schema change{'s' if more > 1 else ''})" if more else "")
            yield self.at_operation(
                ctx,
                f"{data} changes rows in the same transaction as {schema_text}: the schema change's table lock "
                "(ACCESS EXCLUSIVE for most ALTERs) and the lock on every row it updates are held until the whole "
                f'migration "{migration.name}" commits.',
                f"Move {data} into a migration of its own with `atomic = False` that updates in batches "
                "(each batch its own short transaction), and keep the schema change in a separate migration.",
            )


def _data_change(ctx: OperationContext) -> str | None:
    """How to name the operation if it changes rows, else None."""
    if ctx.state_only:
        return None
    op = ctx.operation
    if isinstance(op, ops.RunPython):
        if ctx.function is not None and ctx.function.is_noop:
            return None
        return f"RunPython({ctx.function.name})" if ctx.function else "RunPython"
    if isinstance(op, ops.RunSQL):
        dml = [s.kind for s in ctx.statements if s.is_dml]
        return f"RunSQL ({dml[0]})" if dml else None
    return None


def _schema_change(ctx: OperationContext, created: set[str]) -> str | None:
    """How to name the operation if it changes the schema of a table running code uses, else None."""
    op = ctx.operation
    if ctx.state_only or isinstance(op, (ops.SeparateDatabaseAndState, ops.RunPython, *_NO_SQL)):
        return None
    if ctx.statement is not None:
        return None  # a RunSQL statement: the RunSQL itself stands for it
    if isinstance(op, ops.RunSQL):
        ddl = [s.kind for s in ctx.statements if s.is_ddl]
        return f"RunSQL ({ddl[0]})" if ddl else None
    if ctx.unknown_operation:
        return ctx.unknown_operation.rpartition(".")[2]
    model = ctx.before or ctx.after
    if model is not None and not model.has_table:
        return None  # proxy or unmanaged model: no table, no SQL
    if not _changes_database(ctx):
        return None
    table = f' on "{model.table}"' if model is not None else ""
    if isinstance(op, ops.CreateModel) or ctx.table_created_here:
        # A table no running code knows about locks nobody, unless its foreign keys lock an existing table.
        target = _existing_reference(ctx, created)
        return f'{ctx.kind}{table} (its foreign key locks "{target}")' if target else None
    return f"{ctx.kind}{table}"


def _changes_database(ctx: OperationContext) -> bool:
    op, before, after = ctx.operation, ctx.before, ctx.after
    if before is None or after is None:
        return True
    if isinstance(op, ops.AlterField):
        old, new = before.field(op.name), after.field(op.name)
        return old is None or new is None or _db_signature(old) != _db_signature(new)
    if isinstance(op, ops.RenameField):
        old, new = before.field(op.old_name), after.field(op.new_name)
        return old is None or new is None or old.column != new.column
    if isinstance(op, (ops.RenameModel, ops.AlterModelTable)):
        return before.table != after.table
    return True


def _db_signature(info: FieldInfo) -> tuple[Any, ...]:
    """What of a field reaches the database: its class, column and the options that shape the column."""
    try:
        _, path, args, kwargs = info.field.deconstruct()
    except Exception:  # pragma: no cover - odd third-party fields
        return (info.path, info.column, id(info.field))
    kept = tuple(sorted((k, repr(v)) for k, v in kwargs.items() if k not in _NON_DB_ATTRS))
    return (path, info.column, tuple(repr(a) for a in args), kept)


def _existing_reference(ctx: OperationContext, created: set[str]) -> str | None:
    """The model key of an existing table that a new table's foreign keys point at, if any."""
    if ctx.after is None:
        return None
    op = ctx.operation
    if isinstance(op, ops.CreateModel):
        fields = list(ctx.after.fields.values())
    elif isinstance(op, (ops.AddField, ops.AlterField)):
        field = ctx.after.field(op.name)
        fields = [field] if field is not None else []
    else:
        return None
    for info in fields:
        if info.is_m2m:
            through = getattr(info.field.remote_field, "through", None)
            if through is not None and not getattr(getattr(through, "_meta", None), "auto_created", False):
                continue  # an explicit through model: the field creates no table
        elif not (info.is_foreign_key and info.db_constraint):
            continue
        target = info.related_model
        if target is not None and target not in created:
            return target
    return None
