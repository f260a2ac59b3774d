"""The replay order: one shared walk over the graph gives exactly the order of Django's walk per leaf."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest
from django.db.migrations.graph import MigrationGraph

from safemigrate.config import Config
from safemigrate.engine import Engine
from safemigrate.graph import Key, build_graph, full_plan

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from generate import generate  # noqa: E402


def per_leaf_plan(graph: MigrationGraph) -> list[Key]:
    """What Django's executor does for all leaves: each leaf's forwards_plan, minus nodes already planned."""
    plan: list[Key] = []
    seen: set[Key] = set()
    for leaf in sorted(graph.leaf_nodes()):
        for node in graph.forwards_plan(leaf):
            if node not in seen:
                seen.add(node)
                plan.append(node)
    return plan


def random_graph(seed: int) -> MigrationGraph:
    """A few apps, each a chain, with random cross-app dependencies pointing back in time."""
    rng = random.Random(seed)
    graph = MigrationGraph()
    order: list[Key] = []
    chains = {f"app{n}": 0 for n in range(rng.randint(1, 6))}
    for _ in range(rng.randint(1, 60)):
        app = rng.choice(sorted(chains))
        chains[app] += 1
        key = (app, f"{chains[app]:04d}_m")
        graph.add_node(key, None)
        if chains[app] > 1:
            graph.add_dependency(None, key, (app, f"{chains[app] - 1:04d}_m"))
        for parent in rng.sample(order, k=min(len(order), rng.randint(0, 3))):
            graph.add_dependency(None, key, parent)
        order.append(key)
    return graph


@pytest.mark.parametrize("seed", range(200))
def test_shared_walk_matches_django_on_random_graphs(seed: int) -> None:
    graph = random_graph(seed)
    assert full_plan(graph) == per_leaf_plan(graph)


@pytest.mark.parametrize("where", ["sample_project", "generated"])
def test_shared_walk_matches_django_on_projects(where: str, tmp_path: Path) -> None:
    if where == "generated":
        generate(tmp_path, 8, 12, seed=3)
        root = tmp_path
    else:
        root = REPO / "sample_project"
    loaded = Engine(Config()).load([root])
    assert loaded.plan, "nothing planned"
    migrations = {key: pm.migration for key, pm in loaded.migrations.items()}
    result = build_graph(migrations, {key[0] for key in migrations}, loaded.external_apps, {})
    assert result.graph is not None
    assert result.plan == per_leaf_plan(result.graph) == loaded.plan
    assert len(result.plan) == len(migrations)
