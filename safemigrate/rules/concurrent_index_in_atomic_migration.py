from __future__ import annotations

from collections.abc import Iterator

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.operations import is_operation
from safemigrate.rules.base import Rule
from safemigrate.vendors import POSTGRESQL

# Django's operations, and what sqlops reads CREATE INDEX / DROP INDEX / REINDEX ... CONCURRENTLY as.
CONCURRENT_OPERATIONS = ("AddIndexConcurrently", "RemoveIndexConcurrently", "ReindexConcurrently")


class ConcurrentIndexInAtomicMigration(Rule):
    id = "ZDM204"
    name = "concurrent-index-in-atomic-migration"
    severity = Severity.ERROR
    category = Category.LOCKING
    vendors = POSTGRESQL  # PostgreSQL's locks: MySQL/MariaDB have their own rules, SQLite is for development
    summary = "A concurrent index operation in an atomic migration fails when the migration runs"

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        op = ctx.operation
        if not ctx.migration.atomic or ctx.state_only or not is_operation(op, *CONCURRENT_OPERATIONS):
            return
        help = (
            f"Set `atomic = False` on migration {ctx.migration.name} and keep this operation alone in it, so a "
            "failure can't leave the other operations half-applied."
        )
        if ctx.statement is not None:  # a RunSQL statement (on rollback, at_operation makes it a warning)
            yield self.at_operation(
                ctx,
                "It runs inside the migration's transaction, and PostgreSQL fails it with \"cannot run inside a "
                f'transaction block", so the {"rollback" if ctx.on_rollback else "migration"} fails.',
                help,
            )
            return
        kind = str(getattr(op, "safemigrate_path", type(op).__name__)).rpartition(".")[2]
        target = getattr(getattr(op, "index", None), "name", None) or getattr(op, "name", "?")
        yield self.at_operation(
            ctx,
            f'{kind} of index "{target}" runs inside the migration\'s transaction: Django refuses '
            'it ("cannot be executed inside a transaction"), and PostgreSQL rejects CONCURRENTLY inside a '
            "transaction block, so the migration fails.",
            help,
        )
