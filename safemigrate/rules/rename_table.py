from __future__ import annotations

from collections.abc import Iterator

from django.db.migrations import operations as ops

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Phase, Severity
from safemigrate.rules._operations import unknown_to_code
from safemigrate.rules.base import Rule


class RenameTable(Rule):
    id = "ZDM106"
    name = "rename-table"
    severity = Severity.ERROR
    category = Category.BACKWARD_INCOMPATIBLE
    summary = "Renaming a table breaks the running code that still queries the old name"
    operation_types = (ops.RenameModel, ops.AlterModelTable)

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        op = ctx.operation
        if not isinstance(op, (ops.RenameModel, ops.AlterModelTable)):
            return
        change = ctx.existing_table_change()
        if change is None or unknown_to_code(ctx):
            return
        before, after = change
        if before.table != after.table:
            how = (
                f'RenameModel "{op.old_name}" to "{op.new_name}"'
                if isinstance(op, ops.RenameModel)
                else ("It" if ctx.statement else f'AlterModelTable of "{op.name}"')
            )
            yield self.at_operation(
                ctx,
                f'{how} renames table "{before.table}" to "{after.table}": code deployed before this migration '
                "still queries the old name and fails as soon as the rename commits.",
                f'Keep the table: pin db_table="{before.table}" in the model\'s Meta first (AlterModelTable to '
                "the same name emits no SQL), then rename the model; or create the new table, write to both, "
                "backfill, switch reads, and drop the old table in a later release.",
                phase=Phase.MIXED,
                sql_help=f'Keep "{before.table}": create the new table, have the code write to both, backfill, '
                "switch reads, and drop the old table in a later release, once no old code runs.",
            )
            return
        if isinstance(op, ops.RenameModel):
            # The table is pinned, but Django still renames the "<model>_id" column of the
            # auto-created join tables of the model's own many-to-many fields.
            m2m = [
                f.name
                for f in before.fields.values()
                if f.is_m2m and getattr(f.field.remote_field, "through", None) is None
            ]
            if m2m and op.old_name_lower != op.new_name_lower:
                tables = ", ".join(f'"{before.table}_{name}"' for name in m2m)
                yield self.at_operation(
                    ctx,
                    f'RenameModel "{op.old_name}" to "{op.new_name}" keeps table "{before.table}" but renames '
                    f'column "{op.old_name_lower}_id" to "{op.new_name_lower}_id" in the join table(s) {tables}: '
                    "code deployed before this migration still uses the old column.",
                    "Give those many-to-many fields an explicit through model that keeps the old column "
                    "names before renaming the model, or rename in a later release once no old code runs.",
                    phase=Phase.MIXED,
                )
