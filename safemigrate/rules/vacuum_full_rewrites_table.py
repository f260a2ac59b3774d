from __future__ import annotations

from collections.abc import Iterator

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules.base import Rule
from safemigrate.sqlops import VacuumFull
from safemigrate.vendors import POSTGRESQL


class VacuumFullRewritesTable(Rule):
    id = "ZDM209"
    name = "vacuum-full-rewrites-table"
    severity = Severity.ERROR
    category = Category.LOCKING
    vendors = POSTGRESQL
    summary = "VACUUM FULL rewrites the table and its indexes under ACCESS EXCLUSIVE, blocking reads and writes"
    operation_types = (VacuumFull,)

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        op = ctx.operation
        if not isinstance(op, VacuumFull) or not ctx.existing_table:
            return
        what = f'"{op.table}" and every index of it' if op.table else "every table of the database, one after another,"
        message = (
            f"It rewrites {what} under an ACCESS EXCLUSIVE lock: the running code's reads and writes wait for the "
            "whole rewrite"
        )
        if ctx.migration.atomic:
            message += (
                ', and inside the migration\'s transaction PostgreSQL rejects it ("VACUUM cannot run inside a '
                'transaction block"), so the migration fails'
            )
        yield self.at_operation(
            ctx,
            message + ".",
            "Don't rewrite tables in a migration. Plain VACUUM (SHARE UPDATE EXCLUSIVE: reads and writes continue) "
            "makes dead rows' space reusable; to give space back to the operating system, rebuild the table online "
            "with pg_repack or pg_squeeze, outside the deploy.",
        )
