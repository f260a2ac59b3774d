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
        # Apps where a dependency list couldn't be read: that migration became a second root of the app.
        unreadable = {m.app_label for m in project.migrations if any(_about_dependencies(t) for _, t in m.problems)}
        # A dependency on a missing migration of the same app is dropped, which splits the app's line of
        # migrations in two: the extra leaf is a symptom, and missing-dependency reports the cause.
        broken = {
            p.app_label for p in project.graph_problems
            if p.kind == "missing-dependency" and p.detail.partition(".")[0] == p.app_label
        }
        for problem in project.graph_problems:
            if problem.kind != "conflict" or not problem.reported:
                continue
            if problem.app_label in broken or problem.app_label in unreadable:
                continue  # a symptom: missing-dependency or unverifiable-operation reports the cause
            leaves = ", ".join(problem.migrations)
            yield self.at_graph(
                problem,
                f'App "{problem.app_label}" has {len(problem.migrations)} leaf migrations ({leaves}): '
                '`migrate` stops with "Conflicting migrations detected" until they are merged.',
                f"Run `python manage.py makemigrations --merge {problem.app_label}` to add a merge migration, "
                "or rebase: renumber your migration so it depends on the other leaf.",
            )


def _about_dependencies(text: str) -> bool:
    """Whether a reading problem is about a list of (app_label, migration_name) pairs."""
    return "dependenc" in text or "(app_label, migration_name)" in text
