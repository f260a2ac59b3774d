from __future__ import annotations

from collections.abc import Iterator

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules.base import Rule
from safemigrate.sqlops import TruncateTable


class TruncateTableRule(Rule):
    id = "ZDM208"
    name = "truncate-table"
    severity = Severity.ERROR
    category = Category.LOCKING
    summary = "TRUNCATE empties a table the running code uses, under a lock that blocks its reads and writes"
    operation_types = (TruncateTable,)

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        op = ctx.operation
        if not isinstance(op, TruncateTable) or not ctx.existing_table:
            return
        cascade = (
            ", and CASCADE empties every table with a foreign key to it as well" if op.cascade else ""
        )
        yield self.at_operation(
            ctx,
            f'It empties "{op.table}" under an ACCESS EXCLUSIVE lock held until the migration commits: the running '
            f"code's reads and writes of the table wait for it, and every row they expect is gone{cascade}.",
            "Don't empty a table that running code uses. Delete the rows you must in batches (DELETE ... WHERE id "
            "IN (SELECT id ... LIMIT 1000)) in a migration with `atomic = False`, or stop using the table in the "
            "code first and drop it in a later release.",
        )
