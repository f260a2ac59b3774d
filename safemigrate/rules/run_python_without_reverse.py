from __future__ import annotations

from collections.abc import Iterator

from django.db.migrations import operations as ops

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules.base import Rule


class RunPythonWithoutReverse(Rule):
    id = "ZDM401"
    name = "run-python-without-reverse"
    severity = Severity.ERROR
    category = Category.IRREVERSIBLE
    summary = "RunPython without reverse_code makes the migration impossible to unapply"
    operation_types = (ops.RunPython,)

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        op = ctx.operation
        if not isinstance(op, ops.RunPython) or ctx.state_only or op.reverse_code is not None:
            return
        name = ctx.function.name if ctx.function else "code"
        yield self.at_operation(
            ctx,
            f'RunPython({name}) has no reverse_code, so migration "{ctx.migration.name}" can\'t be unapplied: '
            "rolling back a failed deploy raises IrreversibleError.",
            "Pass reverse_code: migrations.RunPython.noop when nothing needs undoing (a backfill of a column "
            "that the reverse migration drops anyway), otherwise a function that undoes the forward one.",
        )
