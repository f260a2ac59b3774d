from __future__ import annotations

from collections.abc import Iterator

from django.db.migrations import operations as ops

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules.base import Rule
from safemigrate.vendors import POSTGRESQL, volatile_part


class VolatileDbDefaultRewritesTable(Rule):
    id = "ZDM301"
    name = "volatile-db-default-rewrites-table"
    severity = Severity.ERROR
    category = Category.REWRITE
    vendors = POSTGRESQL  # PostgreSQL's locks: MySQL/MariaDB have their own rules, SQLite is for development
    operation_types = (ops.AddField,)
    summary = "Adding a column with a volatile db_default rewrites the whole table under ACCESS EXCLUSIVE"

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        # AlterField is not checked: setting a volatile db_default on an existing column is only
        # SET DEFAULT (new rows); existing rows keep their values and nothing is rewritten.
        op = ctx.operation
        if not isinstance(op, ops.AddField) or ctx.state_only or not ctx.existing_table or not ctx.model_known:
            return
        model = ctx.after
        field = model.field(op.name) if model is not None else None
        if model is None or field is None or not model.has_table or field.is_m2m or not field.has_db_default:
            return
        volatile = volatile_part(field.db_default)
        if volatile is None:
            return
        yield self.at_operation(
            ctx,
            f'Adding column "{field.column}" to "{model.table}" with the volatile database default {volatile}(): '
            "PostgreSQL computes a value for every existing row, so it rewrites the whole table and rebuilds "
            "every index under ACCESS EXCLUSIVE, blocking reads and writes for the whole rewrite.",
            f'Add "{field.column}" with null=True and no db_default (or a constant one), set the volatile '
            "db_default in a later AlterField (only new rows get it, no rewrite), backfill the existing rows in "
            "batches in a migration with `atomic = False`, then make the column NOT NULL in a later release.",
            sql_help=f'Add "{field.column}" NULL without the volatile DEFAULT, then ALTER COLUMN ... SET DEFAULT '
            f"{volatile}() in a later statement (only new rows get it, no rewrite), backfill the existing rows in "
            "batches in a migration with `atomic = False`, then make the column NOT NULL in a later release.",
        )
