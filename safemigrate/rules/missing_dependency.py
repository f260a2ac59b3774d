from __future__ import annotations

from collections.abc import Iterator

from safemigrate.context import ProjectContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules.base import Rule


class MissingDependency(Rule):
    id = "ZDM603"
    name = "missing-dependency"
    severity = Severity.ERROR
    category = Category.HYGIENE
    summary = "A migration depends on a migration that doesn't exist"

    def check_project(self, project: ProjectContext) -> Iterator[Finding]:
        for problem in project.graph_problems:
            if problem.kind != "missing-dependency" or not problem.reported:
                continue
            source = f"{problem.app_label}.{problem.migrations[0]}" if problem.migrations else problem.app_label
            yield self.at_graph(
                problem,
                f'Migration "{source}" depends on "{problem.detail}", which doesn\'t exist: '
                "`migrate` stops with NodeNotFoundError before applying anything.",
                f'Point the dependency at an existing migration (was "{problem.detail}" renamed, squashed away, '
                "or never committed?), or add the missing migration file.",
            )
