from __future__ import annotations

import re
from collections.abc import Iterator

from django.db.migrations import operations as ops

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules.base import Rule
from safemigrate.schema import FieldInfo

# SQL in the same database_operations that makes the column optional or removes it.
_LOOSENING_SQL = re.compile(r"\bDROP\s+NOT\s+NULL\b|\bSET\s+DEFAULT\b|\bDROP\s+COLUMN\b", re.I)


class StateOnlyRemovalOfRequiredField(Rule):
    id = "ZDM104"
    name = "state-only-removal-of-required-field"
    severity = Severity.ERROR
    category = Category.BACKWARD_INCOMPATIBLE
    summary = "Removing a NOT NULL column from the state only breaks the new code's INSERTs"

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        op = ctx.operation
        if not isinstance(op, ops.RemoveField) or not ctx.state_only or not ctx.model_known:
            return
        if ctx.before is None or not ctx.before.has_table:
            return
        field = _field_in_database(ctx, op)
        if field is None or field.is_m2m or field.primary_key or field.null or field.has_db_default:
            return
        if _handled_by_database_operations(ctx, op, field, ctx.before.table):
            return
        table = ctx.before.table
        yield self.at_operation(
            ctx,
            f'Removing "{op.model_name}.{op.name}" from the state only leaves NOT NULL column "{field.column}" '
            f'without a database default in "{table}": the new code no longer sets it, so its INSERTs fail '
            "for as long as the column exists.",
            f'Make the column nullable first: AlterField "{op.name}" with null=True in a normal migration '
            "(DROP NOT NULL, no scan) before or together with the state-only removal; then drop the column "
            "in a later release.",
        )


def _same_field(ctx: OperationContext, op: ops.RemoveField, name: str | None) -> bool:
    model = f"{ctx.app_label}.{op.model_name_lower}"
    return ctx.model_key == model and name is not None and name.lower() == op.name_lower


def _siblings(ctx: OperationContext) -> list[OperationContext]:
    return [c for c in ctx.migration.operations if c.parent is not None and c.parent is ctx.parent]


def _field_in_database(ctx: OperationContext, op: ops.RemoveField) -> FieldInfo | None:
    """The field as the database has it, which state-only siblings before this one may hide."""
    assert ctx.before is not None
    field = ctx.before.field(op.name)
    for sibling in _siblings(ctx):
        if sibling is ctx:
            break
        # An earlier state-only AlterField (say null=True) changed the state but not the column.
        alter = sibling.operation
        if sibling.state_only and isinstance(alter, ops.AlterField) and _same_field(sibling, op, alter.name):
            return sibling.before.field(op.name) if sibling.before is not None else field
    return field


def _handled_by_database_operations(ctx: OperationContext, op: ops.RemoveField, field: FieldInfo, table: str) -> bool:
    """The same SeparateDatabaseAndState drops the column, or makes it nullable or defaulted."""
    for sibling in _siblings(ctx):
        if not sibling.database_only:
            continue
        child = sibling.operation
        if isinstance(child, ops.RemoveField) and _same_field(sibling, op, child.name):
            return True  # a real drop: drop-column judges it
        if isinstance(child, ops.AlterField) and _same_field(sibling, op, child.name) and sibling.after is not None:
            new = sibling.after.field(child.name)
            if new is not None and (new.null or new.has_db_default):
                return True
        if isinstance(child, ops.RunSQL) and field.column is not None:
            column, on_table = _identifier(field.column), _identifier(table)
            for statement in sibling.statements:
                text = statement.text
                if _LOOSENING_SQL.search(text) and column.search(text) and on_table.search(text):
                    return True
    return False


def _identifier(name: str) -> re.Pattern[str]:
    """A SQL identifier, bare or double-quoted."""
    return re.compile(rf'(?<![\w"]){re.escape(name)}(?![\w"])|"{re.escape(name)}"', re.I)
