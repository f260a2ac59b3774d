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
        # The column as the database has it: earlier state-only changes (say null=True) don't touch it,
        # and this SeparateDatabaseAndState's database half (run first) may already have dropped or loosened it.
        field = (ctx.table_before or ctx.before).field(op.name)
        if field is None or field.is_m2m or field.primary_key or field.null or field.has_db_default:
            return
        if _loosened_by_sql(ctx, field, ctx.before.table):
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


def _loosened_by_sql(ctx: OperationContext, field: FieldInfo, table: str) -> bool:
    """The same SeparateDatabaseAndState's RunSQL drops the column, or makes it nullable or defaulted."""
    if field.column is None:
        return False
    column, on_table = _identifier(field.column), _identifier(table)
    for sibling in ctx.migration.operations:
        if sibling.parent is None or sibling.parent is not ctx.parent or not sibling.database_only:
            continue
        if isinstance(sibling.operation, ops.RunSQL):
            for statement in sibling.statements:
                text = statement.text
                if _LOOSENING_SQL.search(text) and column.search(text) and on_table.search(text):
                    return True
    return False


def _identifier(name: str) -> re.Pattern[str]:
    """A SQL identifier, bare or double-quoted."""
    return re.compile(rf'(?<![\w"]){re.escape(name)}(?![\w"])|"{re.escape(name)}"', re.I)
