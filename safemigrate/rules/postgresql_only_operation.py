from __future__ import annotations

from collections.abc import Iterator

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules.base import Rule
from safemigrate.vendors import NOT_POSTGRESQL, postgresql_only

_WHY = {
    "AddIndexConcurrently": (
        "Django passes concurrently=True to a schema editor that doesn't take it (TypeError)",
        "Use AddIndex: {online}",
    ),
    "RemoveIndexConcurrently": (
        "Django passes concurrently=True to a schema editor that doesn't take it (TypeError)",
        "Use RemoveIndex: {online}",
    ),
    "AddConstraintNotValid": (
        "NOT VALID is PostgreSQL syntax, so the server rejects the ALTER TABLE",
        "Use AddConstraint (see copy-algorithm-alter, ZDM221, for what adding a CHECK costs on MySQL/MariaDB).",
    ),
    "ValidateConstraint": (
        "VALIDATE CONSTRAINT is PostgreSQL syntax, so the server rejects the ALTER TABLE",
        "Remove it: constraints are validated when they are added.",
    ),
    "ExclusionConstraint": (
        "EXCLUDE constraints are PostgreSQL syntax, so the server rejects the ALTER TABLE",
        "Enforce the rule in the code, or with a unique constraint if one fits.",
    ),
}
_FIELD = (
    "its column type doesn't exist there, so the server rejects the statement",
    "Use a field every database has (for example JSONField instead of ArrayField or HStoreField).",
)
_ONLINE = {
    "mysql": "MySQL builds and drops indexes online (ALGORITHM=INPLACE, LOCK=NONE: reads and writes continue).",
    "mariadb": "MariaDB builds and drops indexes online (ALGORITHM=NOCOPY, LOCK=NONE: reads and writes continue).",
    "sqlite": "SQLite has no concurrent index builds.",
}


class PostgresqlOnlyOperation(Rule):
    id = "ZDM615"
    name = "postgresql-only-operation"
    severity = Severity.ERROR
    category = Category.HYGIENE
    summary = "A PostgreSQL-only operation or field makes the migration fail on MySQL, MariaDB or SQLite"
    vendors = NOT_POSTGRESQL

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        if ctx.state_only:
            return
        what = postgresql_only(ctx)
        if what is None:
            return
        target = ctx.migration.target
        why, help = _WHY.get(what, _FIELD)
        subject = what if what in _WHY else f"{ctx.kind} with {what}"
        if ctx.statement is not None:  # raw SQL read as this operation
            subject, why = "This statement", "the server rejects PostgreSQL's syntax"
            help = "Write the statement in the target database's own SQL."
        yield self.at_operation(
            ctx,
            f"{subject} only works on PostgreSQL: on {target.describe()} the migration fails when it runs "
            f"({why}).",
            help.format(online=_ONLINE[target.vendor]),
        )
