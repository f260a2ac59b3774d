"""The migration graph, built by Django's own loader logic over statically read migrations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.migrations.exceptions import CircularDependencyError, NodeNotFoundError
from django.db.migrations.graph import MigrationGraph
from django.db.migrations.loader import MigrationLoader

from safemigrate.context import AppGraphProblem

Key = tuple[str, str]


class _StaticLoader(MigrationLoader):
    """Django's MigrationLoader, fed migrations read from source instead of imported."""

    def __init__(self, disk: dict[Key, Any], migrated: set[str], unmigrated: set[str]) -> None:
        self._static_disk = disk
        self._static_migrated = migrated
        self._static_unmigrated = unmigrated
        super().__init__(None, load=False)

    def load_disk(self) -> None:
        self.disk_migrations = dict(self._static_disk)
        self.migrated_apps = set(self._static_migrated)
        self.unmigrated_apps = set(self._static_unmigrated)
        self._resolved: dict[tuple[str, str, str], Any] = {}

    def check_key(self, key: Key, current_app: str) -> Any:
        # Django resolves __first__/__latest__ by scanning every node, once per dependency. The answer
        # for an app doesn't change while external dependencies are added (only same-app edges
        # decide it), so remember it.
        if key[1] not in ("__first__", "__latest__"):
            return super().check_key(key, current_app)
        memo = (key[0], key[1], current_app if key[0] == current_app else "")
        if memo not in self._resolved:
            self._resolved[memo] = super().check_key(key, current_app)
        return self._resolved[memo]


@dataclass
class GraphResult:
    graph: MigrationGraph | None
    plan: list[Key]  # every node, dependencies first (Django's order)
    problems: list[AppGraphProblem] = field(default_factory=list)
    conflicts: dict[str, list[str]] = field(default_factory=dict)


def prune_dependencies(
    migrations: dict[Key, Any], external_apps: set[str], paths: dict[Key, str], lines: dict[Key, int]
) -> list[AppGraphProblem]:
    """Drop dependencies that can't be satisfied, reporting the ones that point nowhere."""
    replaced: set[Key] = set()
    for migration in migrations.values():
        replaced.update(tuple(r) for r in migration.replaces)  # type: ignore[misc]
    problems: list[AppGraphProblem] = []
    for key, migration in migrations.items():
        kept = []
        for dep in migration.dependencies:
            app, name = dep[0], dep[1]
            if app in external_apps:
                continue  # state unknown: noted once elsewhere
            if name in ("__first__", "__latest__") or (app, name) in migrations or (app, name) in replaced:
                kept.append(dep)
                continue
            problems.append(
                AppGraphProblem(
                    kind="missing-dependency",
                    app_label=key[0],
                    migrations=(key[1],),
                    detail=f"{app}.{name}",
                    path=paths[key],
                    line=lines[key],
                )
            )
        migration.dependencies = kept
        migration.run_before = [
            rb for rb in migration.run_before
            if rb[0] not in external_apps and ((rb[0], rb[1]) in migrations or rb[1] in ("__first__", "__latest__"))
        ]
    return problems


def build_graph(
    migrations: dict[Key, Any],
    migrated_apps: set[str],
    external_apps: set[str],
    paths: dict[Key, str],
    lines: dict[Key, int] | None = None,
) -> GraphResult:
    """Django's graph over the migrations. A cycle is reported, then broken at one of its
    edges so the rest of the project is still replayed and checked."""
    problems: list[AppGraphProblem] = []
    for _attempt in range(len(migrations) + 1):
        loader = _StaticLoader(migrations, migrated_apps, external_apps)
        try:
            loader.build_graph()
        except CircularDependencyError as exc:
            cycle = _cycle_nodes(str(exc), migrations)
            problems.append(_cycle_problem(str(exc), cycle, paths, lines or {}))
            if not _break_cycle(cycle, migrations):
                return GraphResult(None, [], problems)
            continue
        except (NodeNotFoundError, ValueError) as exc:  # pragma: no cover - pruned beforehand
            first = next(iter(paths), ("", ""))
            problem = AppGraphProblem("missing-dependency", first[0], (first[1],), str(exc), paths.get(first, ""))
            problems.append(problem)
            return GraphResult(None, [], problems)
        graph = loader.graph
        return GraphResult(graph, full_plan(graph), problems, loader.detect_conflicts())
    return GraphResult(None, [], problems)  # pragma: no cover


def _cycle_nodes(detail: str, migrations: dict[Key, Any]) -> list[Key]:
    nodes: list[Key] = []
    for part in detail.split(", "):
        app, _, name = part.strip().partition(".")
        if (app, name) in migrations:
            nodes.append((app, name))
    return nodes


def _break_cycle(cycle: list[Key], migrations: dict[Key, Any]) -> bool:
    """Drop one dependency between two nodes of the cycle (the newest migration's)."""
    members = set(cycle)
    for key in sorted(cycle, reverse=True):
        migration = migrations[key]
        for dep in migration.dependencies:
            if (dep[0], dep[1]) in members:
                migration.dependencies = [d for d in migration.dependencies if d is not dep]
                return True
        for child in migration.run_before:
            if (child[0], child[1]) in members:
                migration.run_before = [c for c in migration.run_before if c is not child]
                return True
    return False


def full_plan(graph: MigrationGraph) -> list[Key]:
    """All nodes in dependency order, as Django's executor would apply them: each leaf (in sorted
    order) brings its ``forwards_plan``, less the nodes already planned.

    One depth-first walk shared by all leaves, instead of Django's walk per leaf over all of its
    ancestors: a planned node's ancestors are all planned, so skipping it skips exactly the nodes
    the per-leaf walk would have filtered out, and the rest come in the same order.
    """
    plan: list[Key] = []
    visited: set[Any] = set()
    for leaf in sorted(graph.leaf_nodes()):
        stack = [(graph.node_map[leaf], False)]
        while stack:  # Django's MigrationGraph.iterative_dfs, with ``visited`` kept across leaves
            node, processed = stack.pop()
            if node in visited:
                continue
            if processed:
                visited.add(node)
                plan.append(node.key)
            else:
                stack.append((node, True))
                stack += [(parent, False) for parent in sorted(node.parents)]
    return plan


def _cycle_problem(
    detail: str, cycle: list[Key], paths: dict[Key, str], lines: dict[Key, int]
) -> AppGraphProblem:
    first = max(cycle) if cycle else ("", "")
    return AppGraphProblem(
        kind="cycle",
        app_label=first[0],
        migrations=tuple(k[1] for k in sorted(cycle)) or (first[1],),
        detail=detail,
        path=paths.get(first, ""),
        line=lines.get(first, 1),
    )


def leaf_problems(
    conflicts: dict[str, list[str]], paths: dict[Key, str], lines: dict[Key, int]
) -> Iterable[AppGraphProblem]:
    for app, names in sorted(conflicts.items()):
        names = sorted(names)
        key = (app, names[-1])
        yield AppGraphProblem(
            kind="conflict",
            app_label=app,
            migrations=tuple(names),
            detail=", ".join(names),
            path=paths.get(key, ""),
            line=lines.get(key, 1),
        )
