"""Read one migration file into a Django ``Migration`` object, without importing it."""

from __future__ import annotations

import ast
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import migrations

from safemigrate.errors import InputError
from safemigrate.source.evaluator import ModuleEvaluator, as_operation
from safemigrate.source.placeholders import Unevaluable
from safemigrate.source.resolve import Resolver

_KNOWN_ATTRIBUTES = ("dependencies", "operations", "replaces", "run_before", "initial", "atomic")


@dataclass
class ParsedMigration:
    app_label: str
    name: str
    path: str
    migration: migrations.Migration
    line: int
    column: int
    locations: dict[int, tuple[int, int]]
    evaluator: ModuleEvaluator
    attributes: dict[str, Any] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, what couldn't be read)

    @property
    def key(self) -> tuple[str, str]:
        return (self.app_label, self.name)


def read_source(path: Path) -> str:
    try:
        with tokenize.open(path) as handle:  # honours PEP 263 encoding cookies
            return handle.read()
    except (OSError, SyntaxError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read migration: {exc}", str(path)) from exc


def read_migration(path: Path, app_label: str, resolver: Resolver, display_path: str | None = None) -> ParsedMigration:
    shown = display_path or str(path)
    source = read_source(path)
    try:
        tree = ast.parse(source, filename=shown)
    except SyntaxError as exc:
        raise InputError(f"syntax error: {exc.msg}", shown, exc.lineno) from exc
    evaluator = ModuleEvaluator(tree, resolver, source)
    class_node = next(
        (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Migration"),
        None,
    )
    if class_node is None:
        raise InputError("no Migration class (Django refuses to load this module)", shown, 1)
    name = path.stem
    values: dict[str, Any] = {}
    nodes: dict[str, ast.expr] = {}
    for stmt in class_node.body:
        target: ast.expr | None = None
        value: ast.expr | None = None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target, value = stmt.target, stmt.value
        if isinstance(target, ast.Name) and value is not None:
            nodes[target.id] = value
    parsed_problems: list[tuple[int, str]] = []
    for attr, node in nodes.items():
        values[attr] = evaluator.eval(node)
    migration = migrations.Migration(name, app_label)
    migration.dependencies = _pairs(values.get("dependencies", []), nodes.get("dependencies"), parsed_problems)
    migration.replaces = _pairs(values.get("replaces", []), nodes.get("replaces"), parsed_problems)
    migration.run_before = _pairs(values.get("run_before", []), nodes.get("run_before"), parsed_problems)
    migration.initial = values.get("initial") if isinstance(values.get("initial"), bool) else None
    atomic = values.get("atomic", True)
    migration.atomic = atomic if isinstance(atomic, bool) else True
    operations = values.get("operations", [])
    if not isinstance(operations, (list, tuple)):
        line = nodes["operations"].lineno if "operations" in nodes else class_node.lineno
        parsed_problems.append((line, "the operations list is not a literal list; its operations were not read"))
        operations = []
    migration.operations = [as_operation(op) for op in operations]
    attributes = {k: v for k, v in values.items() if k not in _KNOWN_ATTRIBUTES}
    return ParsedMigration(
        app_label=app_label,
        name=name,
        path=shown,
        migration=migration,
        line=class_node.lineno,
        column=class_node.col_offset + 1,
        locations=evaluator.locations,
        evaluator=evaluator,
        attributes=attributes,
        problems=parsed_problems,
    )


def _pairs(value: Any, node: ast.expr | None, problems: list[tuple[int, str]]) -> list[tuple[str, str]]:
    if not isinstance(value, (list, tuple)):
        if node is not None:
            problems.append((node.lineno, "not a literal list of (app_label, migration_name) pairs"))
        return []
    out: list[tuple[str, str]] = []
    for item in value:
        if isinstance(item, (list, tuple)) and len(item) == 2 and all(isinstance(x, str) for x in item):
            out.append((item[0], item[1]))
        elif isinstance(item, (Unevaluable,)) or node is not None:
            problems.append((node.lineno if node is not None else 1, f"dependency {item!r} could not be read"))
    return out
