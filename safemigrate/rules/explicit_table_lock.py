from __future__ import annotations

from collections.abc import Iterator

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules.base import Rule
from safemigrate.sqlops import LockTable
from safemigrate.vendors import POSTGRESQL

# Lock modes that conflict with what running code takes: ROW EXCLUSIVE (INSERT, UPDATE, DELETE) for all of
# them, ROW SHARE (SELECT ... FOR UPDATE) from EXCLUSIVE up, ACCESS SHARE (every SELECT) for ACCESS EXCLUSIVE.
BLOCKED = {
    "SHARE": "writes",
    "SHARE ROW EXCLUSIVE": "writes",
    "EXCLUSIVE": "writes and SELECT ... FOR UPDATE",
    "ACCESS EXCLUSIVE": "reads and writes",
}


class ExplicitTableLock(Rule):
    id = "ZDM207"
    name = "explicit-table-lock"
    severity = Severity.ERROR
    category = Category.LOCKING
    vendors = POSTGRESQL  # PostgreSQL's lock modes (MySQL's LOCK TABLES is not transactional)
    summary = "LOCK TABLE in a migration blocks the running code's writes (or reads) until the migration commits"
    operation_types = (LockTable,)

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        op = ctx.operation
        if not isinstance(op, LockTable) or op.mode not in BLOCKED or not ctx.existing_table:
            return
        help = (
            "Don't lock the table yourself: each DDL statement takes the lock it needs, for as short as it can. "
            "Keep the migration short, and set a lock_timeout (SET lock_timeout = '5s' at its start) so a "
            "migration that can't get its lock gives up instead of stalling the traffic queued behind it."
        )
        if not ctx.migration.atomic:
            yield self.at_operation(
                ctx,
                f'It locks "{op.table}" in a migration with `atomic = False`, where each statement commits on its '
                'own: PostgreSQL rejects it ("LOCK TABLE can only be used in transaction blocks"), so the '
                "migration fails.",
                help,
            )
            return
        yield self.at_operation(
            ctx,
            f'It takes {op.mode} on "{op.table}" and holds it until the migration commits: the running code\'s '
            f"{BLOCKED[op.mode]} wait for the rest of the migration, and while it waits for the lock itself, every "
            "later query on the table queues behind it.",
            help,
        )
