from __future__ import annotations

from collections.abc import Iterator

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules.base import Rule
from safemigrate.sqlops import UnverifiableStatement


class UnparseableSqlStatement(Rule):
    id = "ZDM607"
    name = "unparseable-sql-statement"
    severity = Severity.WARNING
    category = Category.HYGIENE
    summary = "A RunSQL statement safemigrate can't read (or can't judge), so nothing checked it"
    operation_types = (UnverifiableStatement,)
    judges_rollback = True  # a reverse_sql statement nobody checked is as unknown as a forward one

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        op = ctx.operation
        if not isinstance(op, UnverifiableStatement):
            return
        yield self.at_operation(
            ctx,
            f"safemigrate couldn't check it: {op.reason}. Its locks, rewrites and compatibility with the running "
            "code were not judged, and later migrations are checked as if it changed no table.",
            "Review it by hand (which locks it takes, for how long, and whether the code deployed before it still "
            "works). Where Django has an operation for it, use that, or split an ALTER TABLE into the forms "
            "safemigrate reads (see the rule page).",
        )
