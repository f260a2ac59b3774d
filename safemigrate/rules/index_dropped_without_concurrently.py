from __future__ import annotations

from collections.abc import Iterator

from django.db.migrations import operations as ops

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.operations import is_operation
from safemigrate.rules.base import Rule
from safemigrate.sqlops import UNKNOWN_TABLE
from safemigrate.vendors import POSTGRESQL

LOCK = (
    "takes an ACCESS EXCLUSIVE lock on the table, so it blocks reads as well as writes, and every query "
    "queues behind it while it waits for running transactions"
)
CONCURRENTLY = (
    "Drop the index with django.contrib.postgres.operations.RemoveIndexConcurrently, alone in a migration "
    "with `atomic = False` (DROP INDEX CONCURRENTLY takes SHARE UPDATE EXCLUSIVE: reads and writes continue)."
)


class IndexDroppedWithoutConcurrently(Rule):
    id = "ZDM203"
    name = "index-dropped-without-concurrently"
    severity = Severity.ERROR
    category = Category.LOCKING
    vendors = POSTGRESQL  # PostgreSQL's locks: MySQL/MariaDB have their own rules, SQLite is for development
    summary = "Dropping an index on an existing table without CONCURRENTLY blocks reads and writes"
    operation_types = (ops.RemoveIndex, ops.AlterField, ops.AlterIndexTogether)

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        change = ctx.existing_table_change()
        if change is None:
            return
        before, after = change
        op, table = ctx.operation, before.table
        if isinstance(op, ops.RemoveIndex):
            if is_operation(op, "RemoveIndexConcurrently"):
                return
            subject = "It" if ctx.statement else "RemoveIndex"
            of = "" if table == UNKNOWN_TABLE else f' of "{table}"'  # a raw DROP INDEX of an index nothing named
            yield self.at_operation(
                ctx,
                f'{subject} drops index "{op.name}"{of} with a plain DROP INDEX, which {LOCK}.',
                CONCURRENTLY,
                sql_help="Use DROP INDEX CONCURRENTLY, alone in a migration with `atomic = False` (SHARE UPDATE "
                "EXCLUSIVE: reads and writes continue).",
            )
        elif isinstance(op, ops.AlterField):
            old, new = before.field(op.name), after.field(op.name)
            if old is None or new is None or old.is_m2m or old.primary_key:
                return
            # Django drops the column's plain index when db_index goes off; when unique comes on instead,
            # the UNIQUE constraint replaces it (index-created-without-concurrently reports that).
            if old.db_index and not old.unique and not new.db_index and not new.unique:
                yield self.at_operation(
                    ctx,
                    f'Turning off db_index for "{old.column}" of "{table}" drops its index with a plain DROP INDEX, '
                    f"which {LOCK}.",
                    "Keep the field's index in the state as Meta.indexes (SeparateDatabaseAndState), then "
                    + CONCURRENTLY[0].lower()
                    + CONCURRENTLY[1:],
                )
        elif isinstance(op, ops.AlterIndexTogether):
            for fields in sorted(before.index_together - after.index_together):
                yield self.at_operation(
                    ctx,
                    f'Removing index_together ({", ".join(fields)}) drops an index of "{table}" with a plain '
                    f"DROP INDEX, which {LOCK}.",
                    "Move the index to Meta.indexes in the state (SeparateDatabaseAndState), then "
                    + CONCURRENTLY[0].lower()
                    + CONCURRENTLY[1:],
                )
