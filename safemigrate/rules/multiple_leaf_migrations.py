from __future__ import annotations

from collections.abc import Iterator

from safemigrate.context import ProjectContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules.base import Rule


class MultipleLeafMigrations(Rule):
    id = "ZDM602"
    name = "multiple-leaf-migrations"
    severity = Severity.ERROR
    category = Category.HYGIENE
    summary = "An app has two or more leaf migrations, so `migrate` refuses to run"
    fix_command = "python manage.py makemigrations --merge"

    def check_project(self, project: ProjectContext) -> Iterator[Finding]:
        unreadable = {m.key for m in project.migrations if m.problems}
        for problem in project.graph_problems:
            if problem.kind != "conflict" or not problem.reported:
                continue
            if any((problem.app_label, name) in unreadable for name in problem.migrations):
                # A leaf whose file couldn't be fully read (its dependencies, say) may be a leaf only
                # because of that; unverifiable-operation reports the unreadable part instead.
                continue
            leaves = ", ".join(problem.migrations)
            yield self.at_graph(
                problem,
                f'App "{problem.app_label}" has {len(problem.migrations)} leaf migrations ({leaves}): '
                '`migrate` stops with "Conflicting migrations detected" until they are merged.',
                f"Run `python manage.py makemigrations --merge {problem.app_label}` to add a merge migration, "
                "or rebase: renumber your migration so it depends on the other leaf.",
            )
