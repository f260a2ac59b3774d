from __future__ import annotations

from collections.abc import Iterator

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules.base import Rule
from safemigrate.sqlops import UNKNOWN_TABLE, Reindex
from safemigrate.vendors import POSTGRESQL


class ReindexWithoutConcurrently(Rule):
    id = "ZDM211"
    name = "reindex-without-concurrently"
    severity = Severity.ERROR
    category = Category.LOCKING
    vendors = POSTGRESQL
    summary = "REINDEX without CONCURRENTLY blocks the table's writes, and reads that use the index, for the build"
    operation_types = (Reindex,)

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        op = ctx.operation
        if not isinstance(op, Reindex) or not ctx.existing_table:
            return
        table = f' of "{op.table}"' if op.table and op.table != UNKNOWN_TABLE else ""
        if op.target == "INDEX":
            what = f'index "{op.name}"{table}'
        elif op.target == "TABLE":
            what = f'every index of "{op.table}"'
        else:
            what = f"every index of the {op.target.lower()}" + (f' "{op.name}"' if op.name else "")
        yield self.at_operation(
            ctx,
            f"It rebuilds {what} holding a SHARE lock on the table (writes blocked) and ACCESS EXCLUSIVE on each "
            "index it rebuilds (every query the planner considers that index for blocks too) until the migration "
            "commits.",
            "Use REINDEX ... CONCURRENTLY (PostgreSQL 12+), alone in a migration with `atomic = False`: it builds "
            "the new index beside the old one under SHARE UPDATE EXCLUSIVE, so reads and writes continue.",
        )
