"""Whether an edit to a migration file changes what it does, and where the first such change is.

Two versions of a file are compared as syntax trees, so formatting, comments and docstrings
never count. Two changes to the ``Migration`` class don't count either, because they are
the steps of Django's own squash procedure (``squashmigrations``, then, once every
environment has applied the squash, deleting the replaced files):

- adding or removing ``replaces``;
- in ``dependencies``, swapping migrations for the squashed migration that replaces them.

Nor do the rewrites code tools make to old files: sorting or regrouping the module's imports
(isort, ruff), dropping ``from __future__`` imports and ``u""`` prefixes (pyupgrade), or
reordering ``dependencies`` (Django reads them as a set).

Anything else that differs in the tree (an operation, a RunPython function, an import added
or removed, a ``dependencies`` entry on a migration that doesn't squash it) is an edit.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Key = tuple[str, str]


@dataclass(frozen=True)
class Edit:
    """Where the new version first differs from the old one."""

    line: int
    column: int


def parse(source: bytes) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def literal_replaces(tree: ast.Module) -> set[Key]:
    """The ``(app_label, name)`` pairs a Migration class's ``replaces`` lists, where they are literal."""
    node = _class_attribute(tree, "replaces")
    if node is None or not isinstance(node.value, (ast.List, ast.Tuple)):
        return set()
    return {pair for elt in node.value.elts if (pair := _literal_pair(elt)) is not None}


def find_edit(old_source: bytes, new_source: bytes, squashes: Mapping[Key, set[Key]]) -> Edit | None:
    """The first change to what the migration does, or None when the edit changes no code.

    ``squashes`` maps each squashed migration to the migrations it replaces (now or at the
    compared revision), to recognise the dependency swaps of the squash procedure.
    """
    new = parse(new_source)
    if new is None:
        return Edit(1, 1)  # the engine reports the syntax error itself
    old = parse(old_source)
    if old is None:
        return Edit(1, 1)
    for tree in (old, new):
        _strip_docstrings(tree)
        _drop_class_attribute(tree, "replaces")
        _drop_tool_differences(tree)
    imports = _module_imports(old)
    if _module_imports(new) != imports:  # an import added or removed (not just sorted or regrouped)
        added = (s for s in new.body if isinstance(s, (ast.Import, ast.ImportFrom)) and _module_imports(s) - imports)
        first = next(added, None) or next((s for s in new.body if isinstance(s, (ast.Import, ast.ImportFrom))), None)
        return Edit(*_position(first)) if first is not None else Edit(1, 1)
    for tree in (old, new):
        tree.body = [stmt for stmt in tree.body if not isinstance(stmt, (ast.Import, ast.ImportFrom))]
    _forgive_squash_dependencies(old, new, squashes)
    try:
        return _first_change(old.body, new.body, (1, 1))
    except RecursionError:  # ast.dump of an expression nested hundreds deep: call it edited from the top
        return Edit(1, 1)


# --- normalising -------------------------------------------------------------


def _migration_class(tree: ast.Module) -> ast.ClassDef | None:
    return next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Migration"), None)


def _class_attribute(tree: ast.Module, name: str) -> ast.Assign | ast.AnnAssign | None:
    cls = _migration_class(tree)
    if cls is None:
        return None
    found = None
    for stmt in cls.body:
        if _assigns(stmt, name):
            found = stmt  # the last assignment wins, as in Python
    return found  # type: ignore[return-value]


def _assigns(stmt: ast.stmt, name: str) -> bool:
    if isinstance(stmt, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)
    if isinstance(stmt, ast.AnnAssign):
        return isinstance(stmt.target, ast.Name) and stmt.target.id == name and stmt.value is not None
    return False


def _drop_class_attribute(tree: ast.Module, name: str) -> None:
    cls = _migration_class(tree)
    if cls is not None:
        cls.body = [stmt for stmt in cls.body if not _assigns(stmt, name)] or [ast.Pass()]


def _strip_docstrings(tree: ast.AST) -> None:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]


def _drop_tool_differences(tree: ast.Module) -> None:
    """Forget what pyupgrade changes in old files: ``from __future__`` imports (no-ops on Python 3) and the
    ``u`` of ``u"..."``."""
    tree.body = [s for s in tree.body if not (isinstance(s, ast.ImportFrom) and s.module == "__future__")]
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant):
            node.kind = None


def _module_imports(node: ast.Module | ast.stmt) -> set[tuple[object, ...]]:
    """The module-level imports (or one import statement's), one per imported name, whatever their order and
    grouping."""
    found: set[tuple[object, ...]] = set()
    for stmt in node.body if isinstance(node, ast.Module) else [node]:
        if isinstance(stmt, ast.Import):
            found.update(("import", alias.name, alias.asname) for alias in stmt.names)
        elif isinstance(stmt, ast.ImportFrom):
            found.update(("from", stmt.level, stmt.module, alias.name, alias.asname) for alias in stmt.names)
    return found


def _literal_pair(node: ast.expr) -> Key | None:
    if isinstance(node, (ast.Tuple, ast.List)) and len(node.elts) == 2:
        first, second = node.elts
        if isinstance(first, ast.Constant) and isinstance(second, ast.Constant) \
                and isinstance(first.value, str) and isinstance(second.value, str):
            return (first.value, second.value)
    return None


def _forgive_squash_dependencies(old: ast.Module, new: ast.Module, squashes: Mapping[Key, set[Key]]) -> None:
    """Make the new ``dependencies`` equal to the old when they differ only by squash swaps."""
    old_node, new_node = _class_attribute(old, "dependencies"), _class_attribute(new, "dependencies")
    if old_node is None or new_node is None:
        return
    old_value, new_value = old_node.value, new_node.value
    if not isinstance(old_value, (ast.List, ast.Tuple)) or not isinstance(new_value, (ast.List, ast.Tuple)):
        return
    old_dumps = {_dump(e) for e in old_value.elts}
    new_dumps = {_dump(e) for e in new_value.elts}
    if old_dumps == new_dumps:  # reordered: Django doesn't care
        new_node.value = old_value
        return
    added = [e for e in new_value.elts if _dump(e) not in old_dumps]
    removed = [e for e in old_value.elts if _dump(e) not in new_dumps]
    old_pairs = {p for e in old_value.elts if (p := _literal_pair(e)) is not None}
    new_pairs = {p for e in new_value.elts if (p := _literal_pair(e)) is not None}
    for elt in added:  # each new dependency must squash an old one
        pair = _literal_pair(elt)
        if pair is None or not squashes.get(pair, set()) & old_pairs:
            return
    replaced_by_new = set().union(*(squashes.get(p, set()) for p in new_pairs))
    for elt in removed:  # each dropped dependency must be replaced by a new one
        pair = _literal_pair(elt)
        if pair is None or pair not in replaced_by_new:
            return
    new_node.value = old_value


# --- comparing ---------------------------------------------------------------


def _dump(node: ast.AST) -> str:
    return ast.dump(node, include_attributes=False)


def _position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1)


def _children(node: ast.AST) -> Sequence[ast.AST] | None:
    """The parts to look into for the first change: bodies, list elements, call arguments."""
    if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
        return node.body
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.Expr, ast.Return, ast.keyword)):
        return [node.value] if node.value is not None else None
    if isinstance(node, (ast.List, ast.Tuple)):
        return node.elts
    if isinstance(node, ast.Call):
        return [*node.args, *node.keywords]
    return None


def _first_change(old: Sequence[ast.AST], new: Sequence[ast.AST], container: tuple[int, int]) -> Edit | None:
    for index, node in enumerate(new):
        if index >= len(old):
            return Edit(*_position(node))  # something was added here
        before = old[index]
        if _dump(before) == _dump(node):
            continue
        inner_old, inner_new = _children(before), _children(node)
        if type(before) is type(node) and inner_old is not None and inner_new is not None:
            inner = _first_change(inner_old, inner_new, _position(node))
            if inner is not None:
                return inner
        return Edit(*_position(node))
    if len(old) > len(new):
        return Edit(*container)  # something was removed at the end
    return None
