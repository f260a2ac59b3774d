from __future__ import annotations

from collections.abc import Iterator

from django.db.migrations import operations as ops

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Phase, Severity
from safemigrate.rules.base import Rule


class DropColumn(Rule):
    id = "ZDM102"
    name = "drop-column"
    severity = Severity.ERROR
    category = Category.BACKWARD_INCOMPATIBLE
    summary = "RemoveField drops a column that the running code still selects"
    fix_command = "safemigrate scaffold remove-field (planned)"

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        op = ctx.operation
        if not isinstance(op, ops.RemoveField) or ctx.state_only or not ctx.existing_table:
            return
        field = ctx.before.field(op.name) if ctx.before else None
        if field is not None and field.is_m2m:
            what = f'the many-to-many table of "{op.model_name}.{op.name}"'
        else:
            column = field.column if field else op.name
            what = f'column "{column}"' + (f' of "{ctx.before.table}"' if ctx.before else "")
        yield self.at_operation(
            ctx,
            f"Dropping {what}: code deployed before this migration still selects and inserts it, "
            "and fails as soon as it is gone.",
            "Remove the field in two releases: first make it nullable and remove it from the state only "
            "(SeparateDatabaseAndState), then drop the column in a later release's post-deploy migration.",
            phase=Phase.POST_DEPLOY,
        )
