from __future__ import annotations

from collections.abc import Iterator

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules.base import Rule
from safemigrate.sqlops import WholeTableChange


class WholeTableUpdateOrDelete(Rule):
    id = "ZDM212"
    name = "whole-table-update-or-delete"
    severity = Severity.ERROR
    category = Category.LOCKING
    summary = "An UPDATE or DELETE without WHERE changes every row in one statement, locking them all until it ends"
    operation_types = (WholeTableChange,)

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        op = ctx.operation
        if not isinstance(op, WholeTableChange) or not ctx.existing_table:
            return
        until = "the migration commits" if ctx.migration.atomic else "the statement ends"
        verb = "updates" if op.verb == "UPDATE" else "deletes"
        yield self.at_operation(
            ctx,
            f'It {verb} every row of "{op.table}" in one statement, with no WHERE: each row stays locked until '
            f"{until}, so the running code's updates and deletes of any of them wait, and on a large table the "
            "statement itself runs for minutes (and leaves as many dead rows behind).",
            "Change the rows in batches, each its own short transaction: a RunPython (or RunSQL statements) that "
            f"{'updates' if op.verb == 'UPDATE' else 'deletes'} WHERE id BETWEEN <start> AND <start + 1000>, in a "
            "migration with `atomic = False`.",
        )
