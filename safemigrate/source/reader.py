"""Read one migration file into a Django ``Migration`` object, without importing it."""

from __future__ import annotations

import ast
import os
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
    path: str  # as shown to the user
    migration: migrations.Migration
    line: int
    column: int
    attributes: dict[str, Any] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, what couldn't be read)
    file: str = ""  # absolute path on disk
    # False when the text lacks "safemigrate", so it holds no suppression comment (unknown: True)
    mentions_safemigrate: bool = True

    @property
    def key(self) -> tuple[str, str]:
        return (self.app_label, self.name)


def read_source(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read migration: {exc.strerror}", str(path)) from exc


def read_migration(path: Path, app_label: str, resolver: Resolver, display_path: str | None = None) -> ParsedMigration:
    shown = display_path or str(path)
    data = read_source(path)
    try:
        tree = ast.parse(data, filename=shown)
    except SyntaxError as exc:
        raise InputError(f"syntax error: {exc.msg}", shown, exc.lineno) from exc
    except ValueError as exc:  # null bytes
        raise InputError(f"cannot parse: {exc}", shown, 1) from exc
    except (RecursionError, MemoryError) as exc:  # Python's own import of it would fail the same way
        raise InputError("cannot parse: the code is nested too deeply for Python's parser", shown, 1) from exc
    evaluator = ModuleEvaluator(tree, resolver, data)
    class_node = next(
        (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Migration"),
        None,
    )
    if class_node is None:
        raise InputError("no Migration class (Django refuses to load this module)", shown, 1)
    name = path.stem
    parsed_problems: list[tuple[int, str]] = []
    values, nodes = _read_class_body(class_node, evaluator, parsed_problems)
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
    _locate_items(migration.operations, nodes.get("operations"))
    attributes = {k: v for k, v in values.items() if k not in _KNOWN_ATTRIBUTES}
    return ParsedMigration(
        app_label=app_label,
        name=name,
        path=shown,
        migration=migration,
        line=class_node.lineno,
        column=class_node.col_offset + 1,
        attributes=attributes,
        problems=parsed_problems,
        file=os.path.abspath(path),
        mentions_safemigrate=b"safemigrate" in data,
    )


def _read_class_body(
    class_node: ast.ClassDef, evaluator: ModuleEvaluator, problems: list[tuple[int, str]]
) -> tuple[dict[str, Any], dict[str, ast.expr]]:
    """Evaluate the Migration class body in order, as Python would: later statements see earlier names."""
    values: dict[str, Any] = {}
    nodes: dict[str, ast.expr] = {}
    scope = evaluator.class_scope
    for stmt in class_node.body:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            if stmt.value is None:
                continue
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            if names:
                value = evaluator.eval(stmt.value)
                for target in names:
                    values[target] = scope[target] = value
                    nodes[target] = stmt.value
        elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            target = stmt.target.id
            current = values.get(target)
            extra = evaluator.eval(stmt.value)
            if isinstance(stmt.op, ast.Add) and isinstance(current, list) and isinstance(extra, (list, tuple)):
                current.extend(extra)
            elif isinstance(stmt.op, ast.Add) and isinstance(current, tuple) and isinstance(extra, tuple):
                values[target] = scope[target] = current + extra
            else:
                values[target] = scope[target] = Unevaluable(ast.get_source_segment(evaluator.source, stmt) or target)
        elif isinstance(stmt, ast.Expr) and _is_list_mutation(stmt.value, values):
            call = stmt.value
            assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            assert isinstance(call.func.value, ast.Name)
            items = [evaluator.eval(a) for a in call.args]
            target_list = values[call.func.value.id]
            if call.func.attr == "append" and len(items) == 1:
                target_list.append(items[0])
            elif call.func.attr == "extend" and len(items) == 1 and isinstance(items[0], (list, tuple)):
                target_list.extend(items[0])
            elif call.func.attr == "insert" and len(items) == 2 and isinstance(items[0], int):
                target_list.insert(items[0], items[1])
            else:
                target_list.append(Unevaluable(ast.get_source_segment(evaluator.source, call) or "call"))
        elif isinstance(stmt, (ast.If, ast.Try, ast.For, ast.While, ast.With, ast.Match)):
            bound = sorted(_bound_names(stmt) & set(_KNOWN_ATTRIBUTES))
            if bound:
                problems.append((
                    stmt.lineno,
                    f"{', '.join(bound)} {'is' if len(bound) == 1 else 'are'} set under a condition or loop "
                    "(e.g. on the database vendor); what is set there was not read",
                ))
    return values, nodes


def _locate_items(operations: list[Any], node: ast.expr | None) -> None:
    """Give an item of a literal operations list that isn't a call (``5``, a bare name) its own line."""
    if not isinstance(node, (ast.List, ast.Tuple)) or len(node.elts) != len(operations):
        return
    if any(isinstance(element, ast.Starred) for element in node.elts):
        return
    for operation, element in zip(operations, node.elts, strict=True):
        if getattr(operation, "safemigrate_location", None) is None:
            operation.safemigrate_location = (element.lineno, element.col_offset + 1)


def _is_list_mutation(expr: ast.expr, values: dict[str, Any]) -> bool:
    return (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr in ("append", "extend", "insert")
        and isinstance(expr.func.value, ast.Name)
        and isinstance(values.get(expr.func.value.id), list)
        and not expr.keywords
    )


def _bound_names(stmt: ast.stmt) -> set[str]:
    """Names a compound statement assigns to or mutates (``x = ...``, ``x += ...``, ``x.append(...)``)."""
    names: set[str] = set()
    for node in ast.walk(stmt):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.attr in ("append", "extend", "insert", "remove", "pop", "clear")
        ):
            names.add(node.func.value.id)
    return names


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
