from __future__ import annotations

from collections.abc import Iterator

from django.db.migrations import operations as ops

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules.base import Rule


class StateOnlyRemovalOfRequiredField(Rule):
    id = "ZDM104"
    name = "state-only-removal-of-required-field"
    severity = Severity.ERROR
    category = Category.BACKWARD_INCOMPATIBLE
    summary = "Removing a NOT NULL column from the state only breaks the new code's INSERTs"
    operation_types = (ops.RemoveField,)

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        op = ctx.operation
        if not isinstance(op, ops.RemoveField) or not ctx.state_only or not ctx.model_known:
            return
        if ctx.before is None or not ctx.before.has_table:
            return
        # The column as the database has it: earlier state-only changes (say null=True) don't touch it,
        # and this SeparateDatabaseAndState's database half (run first) may already have dropped or loosened it,
        # with Django's operations or with RunSQL (its statements are replayed onto the database's view).
        field = (ctx.table_before or ctx.before).field(op.name)
        if field is None or field.is_m2m or field.primary_key or field.null or field.has_db_default:
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

