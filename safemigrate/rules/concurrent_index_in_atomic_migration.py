from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

from django.db.migrations import operations as ops

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules._operations import is_operation
from safemigrate.rules.base import Rule
from safemigrate.vendors import POSTGRESQL

CONCURRENT_OPERATIONS = ("AddIndexConcurrently", "RemoveIndexConcurrently")
_CONCURRENT_SQL = re.compile(
    r"^\s*((CREATE\s+(UNIQUE\s+)?INDEX|DROP\s+INDEX|REINDEX(\s+\w+)?)\s+CONCURRENTLY\b|REINDEX\s*\([^)]*\bCONCURRENTLY\b)",
    re.I,
)


class ConcurrentIndexInAtomicMigration(Rule):
    id = "ZDM204"
    name = "concurrent-index-in-atomic-migration"
    severity = Severity.ERROR
    category = Category.LOCKING
    vendors = POSTGRESQL  # PostgreSQL's locks: MySQL/MariaDB have their own rules, SQLite is for development
    summary = "A concurrent index operation in an atomic migration fails when the migration runs"

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        if not ctx.migration.atomic or ctx.state_only or ctx.statement is not None:
            return  # a RunSQL's statements are judged below, on the RunSQL itself
        op = ctx.operation
        help = (
            f"Set `atomic = False` on migration {ctx.migration.name} and keep this operation alone in it, so a "
            "failure can't leave the other operations half-applied."
        )
        if is_operation(op, *CONCURRENT_OPERATIONS):
            kind = str(getattr(op, "safemigrate_path", type(op).__name__)).rpartition(".")[2]
            target = getattr(getattr(op, "index", None), "name", None) or getattr(op, "name", "?")
            yield self.at_operation(
                ctx,
                f'{kind} of index "{target}" runs inside the migration\'s transaction: Django refuses '
                'it ("cannot be executed inside a transaction"), and PostgreSQL rejects CONCURRENTLY inside a '
                "transaction block, so the migration fails.",
                help,
            )
        elif isinstance(op, ops.RunSQL):
            for statements, rollback in ((ctx.statements, False), (ctx.reverse_statements, True)):
                statement = next((s for s in statements if _CONCURRENT_SQL.match(s.text)), None)
                if statement is None:
                    continue
                first = " ".join(statement.text.split()[:4])
                finding = self.at_operation(
                    ctx,
                    f'RunSQL "{first} ..." runs inside the migration\'s transaction, and PostgreSQL fails it '
                    f'with "cannot run inside a transaction block", so the {"rollback" if rollback else "migration"} '
                    "fails.",
                    help,
                )
                if rollback:  # like every reverse_sql finding: a warning, the rollback is the operator's call
                    message = "In reverse_sql (runs on rollback): " + finding.message
                    finding = dataclasses.replace(finding, severity=Severity.WARNING, message=message)
                yield finding
