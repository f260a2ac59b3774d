from __future__ import annotations

from collections.abc import Iterator

from django.db.migrations import operations as ops

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Phase, Severity
from safemigrate.rules._operations import unknown_to_code
from safemigrate.rules.base import Rule


class DropTable(Rule):
    id = "ZDM103"
    name = "drop-table"
    severity = Severity.ERROR
    category = Category.BACKWARD_INCOMPATIBLE
    summary = "DeleteModel drops a table that the running code still queries"
    operation_types = (ops.DeleteModel,)

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        op = ctx.operation
        if not isinstance(op, ops.DeleteModel) or ctx.state_only or not ctx.existing_table:
            return
        if not ctx.model_known or ctx.before is None or not ctx.before.has_table:
            return
        if ctx.migration.declared_phase is Phase.POST_DEPLOY:
            return  # declared post-deploy: no code left queries the table (the contract step done right)
        if unknown_to_code(ctx):
            return  # already gone from Django's state: the running code no longer queries it
        table = ctx.before.table
        m2m = [f.name for f in ctx.before.fields.values() if f.is_m2m and _auto_through(f.field)]
        also = f" (and the join tables of {', '.join(m2m)})" if m2m else ""
        model = ctx.code_before.name if ctx.code_before is not None else op.name
        yield self.at_operation(
            ctx,
            f'Dropping table "{table}"{also}: code deployed before this migration still queries '
            f'model "{model}", and every query fails as soon as the table is gone.',
            f'Delete the model in two releases: first remove "{op.name}" from the code and from the state only '
            "(SeparateDatabaseAndState(state_operations=[DeleteModel(...)])), then drop the table in a later "
            f"release's post-deploy migration (RunSQL 'DROP TABLE {table}').",
            phase=Phase.POST_DEPLOY,
            sql_help=f'Drop the table in two releases: first remove "{model}" from the code and from Django\'s state '
            "only (SeparateDatabaseAndState(state_operations=[DeleteModel(...)])), then run this DROP TABLE in a "
            "later release's post-deploy migration.",
        )


def _auto_through(field: object) -> bool:
    remote = getattr(field, "remote_field", None)
    return remote is not None and getattr(remote, "through", None) is None
