from __future__ import annotations

from collections.abc import Iterator

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules.base import Rule
from safemigrate.sqlops import ClusterTable
from safemigrate.vendors import POSTGRESQL


class ClusterRewritesTable(Rule):
    id = "ZDM210"
    name = "cluster-rewrites-table"
    severity = Severity.ERROR
    category = Category.LOCKING
    vendors = POSTGRESQL
    summary = "CLUSTER rewrites the table and its indexes under ACCESS EXCLUSIVE, blocking reads and writes"
    operation_types = (ClusterTable,)

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        op = ctx.operation
        if not isinstance(op, ClusterTable) or not ctx.existing_table:
            return
        if op.table:
            what = f'"{op.table}" in index order, and rebuilds every index of it,'
        else:
            what = "every table that was clustered before, one after another,"
        message = (
            f"It rewrites {what} under an ACCESS EXCLUSIVE lock: the running code's reads and writes wait for the "
            "whole rewrite"
        )
        if not op.table and ctx.migration.atomic:
            message += (
                ', and inside the migration\'s transaction PostgreSQL rejects it ("CLUSTER cannot run inside a '
                'transaction block"), so the migration fails'
            )
        yield self.at_operation(
            ctx,
            message + ".",
            "Don't rewrite tables in a migration. To reorder a busy table, rebuild it online with pg_repack "
            "(--order-by), outside the deploy.",
        )
