from __future__ import annotations

from collections.abc import Iterator

from safemigrate.context import MigrationContext
from safemigrate.findings import Category, Finding, Phase, Severity
from safemigrate.rules.base import Rule


class MigrationRoutedNowhere(Rule):
    id = "ZDM613"
    name = "migration-routed-nowhere"
    severity = Severity.WARNING
    category = Category.HYGIENE
    summary = "DATABASE_ROUTERS let none of a migration's operations run on any database (accurate mode)"

    def check_migration(self, migration: MigrationContext) -> Iterator[Finding]:
        if migration.databases != ():
            return  # None: unknown (static mode) or nothing to route
        yield self.at_migration(
            migration,
            f'DATABASE_ROUTERS\' allow_migrate() refuses every operation of migration "{migration.name}" on every '
            f'database in DATABASES: `migrate` records it as applied, but its tables and columns are created '
            "nowhere, and code that uses them fails.",
            f'Make a router allow app "{migration.app_label}" on the database that should hold its tables (and check '
            "that alias is in DATABASES), or run `migrate --database ALIAS` for it.",
            Phase.UNKNOWN,
        )
