from __future__ import annotations

from collections.abc import Iterator

from django.db.migrations import operations as ops

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules.base import Rule


class RunSqlWithoutReverse(Rule):
    id = "ZDM402"
    name = "run-sql-without-reverse"
    severity = Severity.ERROR
    category = Category.IRREVERSIBLE
    summary = "RunSQL without reverse_sql makes the migration impossible to unapply"
    operation_types = (ops.RunSQL,)

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        op = ctx.operation
        if not isinstance(op, ops.RunSQL) or ctx.state_only or op.reverse_sql is not None:
            return
        first = ctx.statements[0].text.split("\n", 1)[0] if ctx.statements else ""
        what = f' ("{first[:57]}...")' if len(first) > 60 else (f' ("{first}")' if first else "")
        yield self.at_operation(
            ctx,
            f'RunSQL{what} has no reverse_sql, so migration "{ctx.migration.name}" can\'t be unapplied: '
            "rolling back a failed deploy raises IrreversibleError.",
            "Pass reverse_sql: SQL that undoes the forward statements, or migrations.RunSQL.noop when there is "
            "nothing to undo.",
        )
