from __future__ import annotations

from collections.abc import Iterator

from safemigrate.context import ProjectContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules.base import Rule


class DependencyCycle(Rule):
    id = "ZDM604"
    name = "dependency-cycle"
    severity = Severity.ERROR
    category = Category.HYGIENE
    summary = "Migrations depend on each other in a cycle, so none of them can be applied"

    def check_project(self, project: ProjectContext) -> Iterator[Finding]:
        for problem in project.graph_problems:
            if problem.kind != "cycle" or not problem.reported:
                continue
            nodes = [n.strip() for n in problem.detail.split(",") if n.strip()] or [
                f"{problem.app_label}.{m}" for m in problem.migrations
            ]
            cycle = " -> ".join([*nodes, nodes[0]]) if nodes else problem.app_label
            yield self.at_graph(
                problem,
                f"Migrations {cycle} depend on each other in a cycle: `migrate` stops with "
                "CircularDependencyError, and no migration of the project can be applied.",
                "Remove the dependency that points forward: a migration may only depend on migrations that were "
                "written before it (check `dependencies` and `run_before` of each migration in the cycle).",
            )
