from __future__ import annotations

from collections.abc import Iterator

from django.db.migrations import operations as ops
from django.db.models.fields import NOT_PROVIDED

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules.base import Rule
from safemigrate.vendors import POSTGRESQL, adds_column_instantly, volatile_default


class AddColumnWithDefaultRewritesTable(Rule):
    id = "ZDM303"
    name = "add-column-with-default-rewrites-table"
    severity = Severity.ERROR
    category = Category.REWRITE
    summary = "Before PostgreSQL 11, adding a column with a default rewrites the whole table under ACCESS EXCLUSIVE"
    operation_types = (ops.AddField,)
    vendors = POSTGRESQL

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        op, target = ctx.operation, ctx.migration.target
        if target.at_least(11) or not isinstance(op, ops.AddField):
            return
        if ctx.state_only or not ctx.existing_table or not ctx.model_known or ctx.after is None:
            return
        field = ctx.after.field(op.name)
        if field is None or field.is_m2m or not ctx.after.has_table:
            return
        if adds_column_instantly(target, field, op.field) or volatile_default(field) is not None:
            return  # catalog only, or the volatile-default rule (ZDM301) reports it on every version
        python_default = getattr(op.field, "db_default", NOT_PROVIDED) is NOT_PROVIDED
        how = (
            " Django adds the column with the Python default as a temporary database default to fill the "
            "existing rows, so it counts too."
            if python_default
            else ""
        )
        yield self.at_operation(
            ctx,
            f'Adding column "{field.column}" to "{ctx.after.table}" with a default on {target.describe()}: before '
            "PostgreSQL 11, ADD COLUMN ... DEFAULT writes the value into every existing row, so it rewrites the "
            "whole table and rebuilds every index under ACCESS EXCLUSIVE, blocking reads and writes until the "
            f"migration commits.{how}",
            f'Add "{field.column}" with null=True and no default (a catalog change), set the default in a later '
            "migration (ALTER COLUMN ... SET DEFAULT only applies to new rows), backfill the existing rows in "
            "batches, then enforce NOT NULL (before PostgreSQL 12, with a validated CHECK constraint, keeping "
            "the field's null=False in the state only). PostgreSQL 11+ adds such a column without a rewrite.",
        )
