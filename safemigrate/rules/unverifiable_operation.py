from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from safemigrate.context import MigrationContext, OperationContext
from safemigrate.findings import Category, Finding, Phase, Severity
from safemigrate.rules.base import Rule


class UnverifiableOperation(Rule):
    id = "ZDM605"
    name = "unverifiable-operation"
    severity = Severity.WARNING
    category = Category.HYGIENE
    summary = "An operation or part of a migration file can't be read statically, so nothing checked it"

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        path = ctx.unknown_operation
        if not path:
            return
        # Set by the static reader: why it could not build the operation, and the name whose import failed.
        reason = getattr(ctx.operation, "safemigrate_reason", None)
        unimportable = getattr(ctx.operation, "safemigrate_unimportable", None)
        if reason and unimportable:
            why = f'Operation "{path}" could not be read ({reason})'
            if unimportable.startswith("django.contrib.postgres."):
                fix = "Install the project's PostgreSQL driver (psycopg) where safemigrate runs, so it can read it."
            else:
                fix = "Install what it needs where safemigrate runs, so it can read it."
        elif reason:
            why = f'Operation "{path}" could not be read ({reason})'
            fix = (
                "If it is a mistake, correct it: Django fails on it too. If it uses the project's own code, "
                "review its SQL by hand (`python manage.py sqlmigrate` shows it) or run `safemigrate check "
                "--django`, which imports the project."
            )
        else:
            why = f'Operation "{path}" comes from a package safemigrate can\'t interpret'
            fix = (
                "Review its SQL by hand (`python manage.py sqlmigrate` shows it), or use Django's own "
                "operations where they exist; wrap it in SeparateDatabaseAndState with the equivalent "
                "state_operations so later operations are checked against the right state."
            )
        yield self.at_operation(
            ctx,
            f"{why}: its locks, rewrites and compatibility with the running code were not checked, and the "
            "model state after it is assumed unchanged.",
            fix,
        )

    def check_migration(self, migration: MigrationContext) -> Iterator[Finding]:
        for line, text in migration.problems:
            finding = self.at_migration(
                migration,
                f'Part of migration "{migration.name}" could not be read statically ({text}): whatever it holds '
                "was not checked by any rule.",
                "Write it as literals (a literal list of operations and of (app_label, migration_name) "
                "dependencies), as makemigrations does, so every operation can be checked.",
                Phase.UNKNOWN,
            )
            yield dataclasses.replace(finding, line=line, column=1)
