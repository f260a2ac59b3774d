from __future__ import annotations

from collections.abc import Iterator

from safemigrate.context import ProjectContext
from safemigrate.findings import Category, Finding, Phase, Severity
from safemigrate.rules.base import Rule


class MissingMigration(Rule):
    id = "ZDM612"
    name = "missing-migration"
    severity = Severity.ERROR
    category = Category.HYGIENE
    summary = "A model change has no migration (accurate mode: what makemigrations --check would create)"
    fix_command = "python manage.py makemigrations"

    def check_project(self, project: ProjectContext) -> Iterator[Finding]:
        for missing in project.missing_migrations:
            yield Finding(
                rule=self.id,
                name=self.name,
                severity=self.severity,
                category=self.category,
                phase=Phase.UNKNOWN,
                message=(
                    f'App "{missing.app_label}" has a model change with no migration: {missing.change}. '
                    f'makemigrations would create "{missing.migration}"; until it is committed, each environment '
                    "that runs makemigrations itself ends up with its own migration, and their schemas drift apart."
                ),
                help=(
                    f"Run `python manage.py makemigrations {missing.app_label}`, review the migration it writes, and "
                    "commit it with the model change (never generate migrations on the deploy server)."
                ),
                path=missing.path,
                line=missing.line,
                column=missing.column,
                app=missing.app_label,
                migration=missing.reported_at or missing.migration,  # where it is shown: its suppressions apply
                operation_index=None,
                page=self.page,
            )
