from __future__ import annotations

from collections.abc import Iterator

from django.db.migrations import operations as ops

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Phase, Severity
from safemigrate.rules._operations import unknown_to_code
from safemigrate.rules.base import Rule


class DropColumn(Rule):
    id = "ZDM102"
    name = "drop-column"
    severity = Severity.ERROR
    category = Category.BACKWARD_INCOMPATIBLE
    summary = "RemoveField drops a column that the running code still selects"
    operation_types = (ops.RemoveField,)
    fix_command = "safemigrate scaffold remove-field (planned)"

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        op = ctx.operation
        if not isinstance(op, ops.RemoveField) or ctx.state_only or not ctx.existing_table:
            return
        field = ctx.before.field(op.name) if ctx.before else None
        if field is None and ctx.before is not None and not ctx.model_known:
            return  # the model has no such field: Django itself fails on it, and ZDM606 says so
        if unknown_to_code(ctx, field):
            return  # already gone from Django's state: the running code no longer selects it
        if ctx.migration.declared_phase is Phase.POST_DEPLOY:
            yield from self._declared_post_deploy(ctx)
            return
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
            sql_help="Drop the column in two releases: first remove the field from the models and from Django's "
            "state only (SeparateDatabaseAndState(state_operations=[RemoveField(...)]), making it nullable "
            "first if it isn't), then run this DROP COLUMN in a later release's post-deploy migration.",
        )

    def _declared_post_deploy(self, ctx: OperationContext) -> Iterator[Finding]:
        """The contract step done right, unless the new code can't insert rows before it runs."""
        op = ctx.operation
        table = ctx.table_before
        column = table.field(op.name) if table else None
        if table is None or column is None or column.is_m2m or column.null or column.has_db_default:
            return  # a nullable column, a column with a database default, a join table: safe to drop now
        name = column.column or op.name
        yield self.at_operation(
            ctx,
            f'Dropping NOT NULL column "{name}" of "{table.table}" in a migration declared post-deploy '
            f"({ctx.migration.declared_by}): the new code, deployed before it runs, inserts rows without "
            f'"{name}", and the database refuses them because the column has no default.',
            "Make the column nullable (or give it a db_default) in a pre-deploy migration shipped with the code "
            "that stops using it; drop it in this post-deploy migration afterwards.",
            phase=Phase.POST_DEPLOY,
        )
