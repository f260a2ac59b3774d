from __future__ import annotations

from collections.abc import Iterator

from django.db.migrations import operations as ops

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules.base import Rule


class NotNullColumnWithoutDbDefault(Rule):
    id = "ZDM101"
    name = "not-null-column-without-db-default"
    severity = Severity.ERROR
    category = Category.BACKWARD_INCOMPATIBLE
    summary = "Adding a NOT NULL column with no database default breaks old code's INSERTs"
    operation_types = (ops.AddField,)
    fix_command = "safemigrate scaffold add-field (planned)"
    judges_rollback = True  # a reverse_sql that adds the column back fails on a non-empty table too

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        op = ctx.operation
        if not isinstance(op, ops.AddField) or ctx.state_only or not ctx.existing_table:
            return
        field = ctx.after.field(op.name) if ctx.after else None
        if field is None or field.null or field.has_db_default or field.is_m2m or field.primary_key:
            return
        table = ctx.after.table if ctx.after else "?"
        if field.has_default or not op.preserve_default:
            why = "a Python default only fills existing rows; Django then drops the database default"
        else:
            why = "there is no default at all, so the migration itself fails on a non-empty table"
        yield self.at_operation(
            ctx,
            f'Adding NOT NULL column "{field.column}" to "{table}" without a database default: {why}, '
            "and old code's INSERTs, which don't name the column, fail.",
            "Use db_default= (Django 5.0+) so the database fills it, or add it with null=True, backfill, "
            "then make it NOT NULL in a later migration.",
            sql_help="Give the column a constant DEFAULT (ADD COLUMN ... DEFAULT <constant> NOT NULL: the database "
            "fills the existing rows and old code's INSERTs, without a rewrite), or add it NULL, backfill it, and "
            "enforce NOT NULL in a later migration.",
        )
