from __future__ import annotations

from collections.abc import Iterator

from safemigrate.context import ProjectContext
from safemigrate.findings import Category, Finding, Phase, Severity
from safemigrate.rules.base import Rule


class DeletedMigration(Rule):
    id = "ZDM611"
    name = "deleted-migration"
    severity = Severity.ERROR
    category = Category.HYGIENE
    summary = "A migration that existed at the --since revision was deleted without a squashed migration replacing it"

    def check_project(self, project: ProjectContext) -> Iterator[Finding]:
        for deleted in project.deleted_migrations:
            yield Finding(
                rule=self.id,
                name=self.name,
                severity=self.severity,
                category=self.category,
                phase=Phase.ANY,
                message=(
                    f"Migration {deleted.app_label}.{deleted.name} ({deleted.file}) existed at {deleted.since} "
                    f"({deleted.base}) and was deleted: databases that applied it keep its changes, databases "
                    "migrated from scratch never get them, and no squashed migration `replaces` it."
                ),
                help=(
                    "Restore the file; undo its changes in a new migration if they are unwanted. To shorten the "
                    "history, squash (`python manage.py squashmigrations`) and delete the replaced files only "
                    "once every database has applied the squashed migration."
                ),
                path=deleted.path,
                line=1,
                column=1,
                app=deleted.app_label,
                migration=deleted.name,
                page=self.page,
            )
