from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from safemigrate.context import MigrationContext
from safemigrate.findings import Category, Finding, Phase, Severity
from safemigrate.rules.base import Rule


class EditedMigration(Rule):
    id = "ZDM610"
    name = "edited-migration"
    severity = Severity.ERROR
    category = Category.HYGIENE
    summary = "A migration that existed at the --since revision was edited; databases that applied it miss the edit"

    def check_migration(self, migration: MigrationContext) -> Iterator[Finding]:
        change = migration.change
        if change is None or change.status != "edited":
            return
        finding = self.at_migration(
            migration,
            f"Migration {migration.app_label}.{migration.name} already existed at {change.since} ({change.base}) "
            "and was edited since: databases that applied it will never run the edit, so they silently "
            "differ from databases migrated from scratch.",
            "Undo the edit and make the change in a new migration (`python manage.py makemigrations`). "
            "If this migration was never applied to any database yet, the edit is harmless.",
            Phase.ANY,
        )
        yield replace(finding, line=change.line, column=change.column)  # the first changed line
