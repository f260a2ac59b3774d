from __future__ import annotations

from collections.abc import Iterator

from django.db.migrations import operations as ops

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Phase, Severity
from safemigrate.rules._operations import unknown_to_code
from safemigrate.rules.base import Rule
from safemigrate.schema import FieldInfo


class RenameColumn(Rule):
    id = "ZDM105"
    name = "rename-column"
    severity = Severity.ERROR
    category = Category.BACKWARD_INCOMPATIBLE
    summary = "Renaming a column breaks the running code that still uses the old name"
    operation_types = (ops.RenameField, ops.AlterField)

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        op = ctx.operation
        change = ctx.existing_table_change()
        if change is None:
            return
        before, after = change
        if isinstance(op, ops.RenameField):
            old = before.field(op.old_name)
            new = after.field(op.new_name)
            how = "It" if ctx.statement else f'RenameField "{op.old_name}" to "{op.new_name}"'
        elif isinstance(op, ops.AlterField):
            old = before.field(op.name)
            new = after.field(op.name)
            how = f'AlterField of "{op.name}" (db_column changed)'
        else:
            return
        if old is None or new is None or unknown_to_code(ctx, old):
            return
        table = before.table
        if old.is_m2m and new.is_m2m:
            if isinstance(op, ops.RenameField) and _auto_through(old) and _auto_through(new):
                yield self.at_operation(
                    ctx,
                    f'{how} renames the join table "{table}_{old.name}" to "{table}_{new.name}": code deployed '
                    "before this migration still queries the old table and fails.",
                    f'Keep the table: set db_table="{table}_{old.name}" on the ManyToManyField before renaming it, '
                    "which emits no SQL.",
                    phase=Phase.MIXED,
                )
            return
        if old.column is None or new.column is None or old.column == new.column:
            return
        yield self.at_operation(
            ctx,
            f'{how} renames column "{old.column}" of "{table}" to "{new.column}": code deployed before this '
            "migration still selects and inserts the old name and fails as soon as the rename commits.",
            f'Keep the column: set db_column="{old.column}" on the field so the rename emits no SQL; or add the '
            f'new column, write both, backfill, switch reads, and drop "{old.column}" in a later release.',
            phase=Phase.MIXED,
            sql_help=f'Keep "{old.column}": add the new column, have the code write both, backfill it in batches, '
            f'switch reads to it, and drop "{old.column}" in a later release, once no old code runs.',
        )


def _auto_through(info: FieldInfo) -> bool:
    """Django names the join table after the field: no explicit through model or db_table."""
    remote = getattr(info.field, "remote_field", None)
    return remote is not None and getattr(remote, "through", None) is None and not getattr(info.field, "db_table", None)
