"""Evaluate the literal parts of a migration module's syntax tree into Django objects.

Only a safe subset of Python is evaluated: literals, names bound by imports or
module-level assignments, attribute access, calls of Django's own callables and
a few pure built-ins, and simple arithmetic on literals. Anything else becomes
an inert placeholder; nothing from the project is imported or run.
"""

from __future__ import annotations

import ast
import enum
import operator
import tokenize
from collections.abc import Callable
from functools import cached_property
from typing import Any

from django.db.migrations.operations import RunSQL, SeparateDatabaseAndState
from django.db.migrations.operations.base import Operation

from safemigrate.context import FunctionFacts
from safemigrate.source.placeholders import (
    Placeholder,
    PlaceholderCall,
    SourceFunction,
    Unevaluable,
    UnknownOperation,
    make_placeholder_field,
)
from safemigrate.source.resolve import SAFE_BUILTINS, Resolver
from safemigrate.source.validate import describe, operation_problem, short, signature
from safemigrate.sqlfacts import sql_texts

_BINOPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Mod: operator.mod,
    ast.BitOr: operator.or_,
    ast.BitAnd: operator.and_,
}
_PLAIN = (str, int, float, bytes, list, tuple, bool, type(None))
# Overriding any of these may change how an operation subclass changes the state.
_STATE_METHODS = {
    "__init__", "__new__", "state_forwards", "deconstruct", "__getattr__", "__getattribute__", "__setattr__",
    "__init_subclass__", "name", "model_name", "name_lower", "model_name_lower", "old_name", "new_name",
    "old_name_lower", "new_name_lower", "option_name", "field", "fields", "options", "index", "constraint",
    "state_operations", "database_operations",
}
# How deep the evaluator follows nested expressions (a few levels in any real migration). Deeper
# ones, like a SQL string concatenated from hundreds of literals, are left unevaluated rather than
# exhausting Python's recursion limit.
MAX_DEPTH = 100


class ModuleEvaluator:
    """Evaluates expressions in the namespace of one migration module."""

    def __init__(self, tree: ast.Module, resolver: Resolver, data: bytes) -> None:
        self.resolver = resolver
        self._data = data  # the file's bytes; decoded only when a snippet is needed
        self.imports: dict[str, str] = {}  # local name -> dotted path
        self.assigns: dict[str, ast.expr] = {}
        self.functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self.classes: dict[str, ast.ClassDef] = {}
        # Names bound earlier in the Migration class body, visible to its later statements.
        self.class_scope: dict[str, Any] = {}
        self._evaluating: set[str] = set()
        self._depth = 0
        self._values: dict[str, Any] = {}
        self._facts: dict[str, FunctionFacts] = {}
        for node in tree.body:
            self._scan_top(node)

    # --- module namespace ------------------------------------------------
    def _scan_top(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.imports[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    self.imports[root] = root
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: project code
                base = "." * node.level + (node.module or "")
            else:
                base = node.module or ""
            for alias in node.names:
                if alias.name != "*":
                    self.imports[alias.asname or alias.name] = f"{base}.{alias.name}"
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.assigns[target.id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            self.assigns[node.target.id] = node.value
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.functions[node.name] = node
        elif isinstance(node, ast.ClassDef):
            self.classes[node.name] = node
        elif isinstance(node, (ast.If, ast.Try)):
            for child in node.body:
                self._scan_top(child)

    @cached_property
    def source(self) -> str:
        """The text, for source snippets (ast.parse itself honours PEP 263 encoding cookies)."""
        try:
            encoding, _ = tokenize.detect_encoding(iter(self._data.splitlines(keepends=True)).__next__)
            return self._data.decode(encoding, errors="replace")
        except (SyntaxError, LookupError):
            return self._data.decode("utf-8", errors="replace")

    def function_facts(self, name: str) -> FunctionFacts | None:
        return self._facts.get(name)

    # --- evaluation ----------------------------------------------------------
    def eval(self, node: ast.expr) -> Any:
        handler = _HANDLERS.get(type(node))
        if handler is None:
            handler = _HANDLERS[type(node)] = getattr(ModuleEvaluator, f"_eval_{type(node).__name__}", _unknown)
        if self._depth >= MAX_DEPTH:
            return Unevaluable(self._snippet(node))
        self._depth += 1
        try:
            return handler(self, node)
        finally:
            self._depth -= 1

    def _snippet(self, node: ast.AST) -> str:
        text = ast.get_source_segment(self.source, node) or type(node).__name__
        return text if len(text) <= 60 else text[:57] + "..."

    def _eval_Constant(self, node: ast.Constant) -> Any:
        return node.value

    def _elements(self, elts: list[ast.expr]) -> list[Any]:
        out: list[Any] = []
        for elt in elts:
            if type(elt) is ast.Constant:  # most elements: skip the dispatch
                out.append(elt.value)
            elif isinstance(elt, ast.Starred):
                value = self.eval(elt.value)
                if isinstance(value, (list, tuple)):
                    out.extend(value)
                else:
                    out.append(Unevaluable(self._snippet(elt)))
            else:
                out.append(self.eval(elt))
        return out

    def _eval_List(self, node: ast.List) -> list[Any]:
        return self._elements(node.elts)

    def _eval_Tuple(self, node: ast.Tuple) -> tuple[Any, ...]:
        return tuple(self._elements(node.elts))

    def _eval_Set(self, node: ast.Set) -> Any:
        items = self._elements(node.elts)
        try:
            return set(items)
        except TypeError:
            return Unevaluable(self._snippet(node))

    def _eval_Dict(self, node: ast.Dict) -> Any:
        out: dict[Any, Any] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                spread = self.eval(value)
                if isinstance(spread, dict):
                    out.update(spread)
                continue
            k = self.eval(key)
            try:
                out[k] = self.eval(value)
            except TypeError:
                return Unevaluable(self._snippet(node))
        return out

    def _eval_Name(self, node: ast.Name) -> Any:
        return self._name(node.id, node)

    def _name(self, name: str, node: ast.AST) -> Any:
        if name in self.class_scope and not self._evaluating:
            return self.class_scope[name]
        if name in self.imports:
            return self._resolve(self.imports[name])
        if name in self.functions:
            return self._function(self.functions[name])
        if name in self.classes:
            return self._class(self.classes[name])
        if name in self.assigns:
            if name in self._values:
                return self._values[name]
            if name in self._evaluating:
                return Unevaluable(name)
            self._evaluating.add(name)
            try:
                value = self.eval(self.assigns[name])
            finally:
                self._evaluating.discard(name)
            self._values[name] = value
            return value
        if name in SAFE_BUILTINS:
            return SAFE_BUILTINS[name]
        return Placeholder(name)

    def _resolve(self, path: str) -> Any:
        if path.startswith("."):
            return Placeholder(path)
        return self.resolver.resolve(path)

    def _dotted(self, node: ast.expr) -> str | None:
        """The import-qualified dotted name of a Name/Attribute chain, if it starts at an import."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name) and node.id in self.imports:
            parts.append(self.imports[node.id])
            return ".".join(reversed(parts))
        return None

    def _eval_Attribute(self, node: ast.Attribute) -> Any:
        dotted = self._dotted(node)
        if dotted is not None:
            return self._resolve(dotted)
        base = self.eval(node.value)
        if isinstance(base, (Placeholder, Unevaluable)):
            return Placeholder(f"{base!r}.{node.attr}")
        try:
            return getattr(base, node.attr)
        except Exception:
            return Unevaluable(self._snippet(node))

    def _eval_Call(self, node: ast.Call) -> Any:
        func = self.eval(node.func)
        args = self._elements(node.args)
        kwargs: dict[str, Any] = {}
        for kw in node.keywords:
            value = kw.value.value if type(kw.value) is ast.Constant else self.eval(kw.value)
            if kw.arg is None:
                if isinstance(value, dict):
                    kwargs.update(value)
                continue
            kwargs[kw.arg] = value
        if isinstance(func, (Placeholder, Unevaluable, PlaceholderCall)):
            # get_field_class()(...) is still a project name; a Django name that didn't import keeps saying so
            path = f"{func.safemigrate_path}()" if isinstance(func, PlaceholderCall) else func.safemigrate_path
            result: Any = PlaceholderCall(
                path, tuple(args), kwargs, func.safemigrate_reason, func.safemigrate_unimportable
            )
        elif isinstance(func, SourceFunction):
            return Unevaluable(self._snippet(node))
        elif isinstance(func, type) and issubclass(func, Operation):
            result = _build_operation(func, args, kwargs)
        else:
            try:
                result = func(*args, **kwargs)
            except Exception as exc:
                result = PlaceholderCall(_callable_path(func), tuple(args), kwargs, _raised(exc))
        if isinstance(result, Operation):
            result.safemigrate_location = (node.lineno, node.col_offset + 1)
            for name in ("database_operations", "state_operations"):
                nested = getattr(result, name, None)
                for child in nested if isinstance(nested, list) else ():
                    if isinstance(child, UnknownOperation) and child.safemigrate_location is None:
                        child.safemigrate_location = result.safemigrate_location  # e.g. a 5 in the list
            if isinstance(result, RunSQL):
                self._sql_locations(result, node)
        elif isinstance(result, PlaceholderCall):
            # Kept so a third-party operation built from it reports its own line.
            result.location = (node.lineno, node.col_offset + 1)
        return result

    def _sql_locations(self, operation: RunSQL, node: ast.Call) -> None:
        """Where each SQL text of a RunSQL's ``sql`` and ``reverse_sql`` starts, so a finding about one
        statement can point at its own line (the string's line plus the statement's line offset)."""
        for position, keyword, attribute in ((0, "sql", "sql"), (1, "reverse_sql", "reverse_sql")):
            arg = node.args[position] if len(node.args) > position else None
            arg = arg or next((k.value for k in node.keywords if k.arg == keyword), None)
            if arg is None:
                continue
            locations = self._string_locations(arg, 0)
            if locations is not None and len(locations) == len(sql_texts(getattr(operation, attribute, None))):
                setattr(operation, f"safemigrate_{attribute}_locations", locations)

    def _string_locations(self, node: ast.expr, depth: int) -> list[tuple[int, int]] | None:
        """(line, column) of each SQL text in a RunSQL argument, in ``sql_texts`` order."""
        if isinstance(node, ast.Name) and node.id in self.assigns and depth < 5:
            return self._string_locations(self.assigns[node.id], depth + 1)
        if isinstance(node, (ast.List, ast.Tuple)) and depth < 5:
            out: list[tuple[int, int]] = []
            for element in node.elts:
                if isinstance(element, (ast.List, ast.Tuple)) and element.elts:  # (sql, params)
                    element = element.elts[0]
                found = self._string_locations(element, depth + 1) if isinstance(element, ast.Name) else None
                out.extend(found or [(element.lineno, element.col_offset + 1)])
            return out
        return [(node.lineno, node.col_offset + 1)]

    def _eval_Subscript(self, node: ast.Subscript) -> Any:
        """``Deferrable['DEFERRED']`` (how MigrationWriter spells enum members), ``CHOICES[0]``."""
        base = self.eval(node.value)
        index = self.eval(node.slice)
        if isinstance(base, (Placeholder, Unevaluable)):
            return Placeholder(f"{base.safemigrate_path}[{index!r}]")
        subscriptable = isinstance(base, (dict, list, tuple, str)) or (
            isinstance(base, type) and issubclass(base, enum.Enum)
        )
        if subscriptable and isinstance(index, (str, int, slice)):
            try:
                return base[index]
            except Exception:
                pass
        return Unevaluable(self._snippet(node))

    def _eval_Slice(self, node: ast.Slice) -> Any:
        parts = [self.eval(p) if p is not None else None for p in (node.lower, node.upper, node.step)]
        if all(p is None or isinstance(p, int) for p in parts):
            return slice(*parts)
        return Unevaluable(self._snippet(node))

    def _eval_BinOp(self, node: ast.BinOp) -> Any:
        left = self.eval(node.left)
        right = self.eval(node.right)
        op = _BINOPS.get(type(node.op))
        if op is not None and isinstance(left, _PLAIN) and isinstance(right, _PLAIN):
            try:
                return op(left, right)
            except Exception:
                pass
        if op is operator.or_ or op is operator.and_:
            try:  # Q objects combine with | and &
                return op(left, right)
            except Exception:
                pass
        return Unevaluable(self._snippet(node))

    def _eval_UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.eval(node.operand)
        try:
            if isinstance(node.op, ast.USub):
                return -value
            if isinstance(node.op, ast.Not):
                return not value
            if isinstance(node.op, ast.Invert):
                return ~value
        except Exception:
            pass
        return Unevaluable(self._snippet(node))

    def _eval_JoinedStr(self, node: ast.JoinedStr) -> Any:
        if all(isinstance(v, ast.Constant) for v in node.values):
            return "".join(str(v.value) for v in node.values if isinstance(v, ast.Constant))
        return Unevaluable(self._snippet(node))

    def _eval_Lambda(self, node: ast.Lambda) -> Any:
        facts = FunctionFacts(name="<lambda>", line=node.lineno, is_noop=_is_noop_body(node.body))
        return SourceFunction("<lambda>", node.lineno, facts)

    # --- classes defined in the migration module ---------------------------
    def _class(self, node: ast.ClassDef) -> Any:
        """A module-level subclass of a Django operation that keeps its base's state change.

        ``class DeleteModelIfExists(migrations.DeleteModel)`` overriding only database methods
        changes the state exactly as its base does, so it becomes a bare subclass of that base
        (its body is never run). Anything that may change the state differently stays a placeholder.
        """
        cached = self._values.get(f"<class {node.name}>")
        if cached is not None:
            return cached
        value: Any = Placeholder(node.name)
        if len(node.bases) == 1 and not node.keywords and node.name not in self._evaluating:
            self._evaluating.add(node.name)
            try:
                base = self.eval(node.bases[0])
            finally:
                self._evaluating.discard(node.name)
            defined = {
                n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
            } | {t.id for n in node.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
            if (
                isinstance(base, type)
                and issubclass(base, Operation)
                and not issubclass(base, UnknownOperation)
                and base.__module__.startswith("django.")
                and not defined & _STATE_METHODS
            ):
                value = type(node.name, (base,), {"__module__": base.__module__, "safemigrate_subclass": node.name})
        self._values[f"<class {node.name}>"] = value
        return value

    # --- functions (RunPython code) ---------------------------------------
    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> SourceFunction:
        facts = self._facts.get(node.name)
        if facts is None:
            facts = self._read_function(node)
            self._facts[node.name] = facts
        return SourceFunction(node.name, node.lineno, facts)

    def _read_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> FunctionFacts:
        imported: list[str] = []
        uses_get_model = False
        names_read: set[str] = set()
        names_bound: set[str] = {a.arg for a in [*node.args.args, *node.args.kwonlyargs, *node.args.posonlyargs]}
        for child in ast.walk(node):
            if isinstance(child, ast.ImportFrom):
                module = "." * child.level + (child.module or "")
                target = module.lstrip(".")
                if child.level or not target.startswith("django"):
                    if target and _is_models_module(target):
                        imported.append(module)  # from shop.models import Product
                    # from shop import models / from . import models
                    imported.extend(f"{module.rstrip('.')}.models" for a in child.names if a.name == "models")
            elif isinstance(child, ast.Import):
                imported.extend(a.name for a in child.names if _is_models_module(a.name))
            elif isinstance(child, ast.Attribute) and child.attr == "get_model":
                uses_get_model = True
            elif isinstance(child, ast.Name):
                if isinstance(child.ctx, ast.Load):
                    names_read.add(child.id)
                else:
                    names_bound.add(child.id)
        # Module-level imports from a models module, read (not rebound) inside the function.
        for name in names_read - names_bound:
            path = self.imports.get(name)
            if not path or path.startswith("django."):
                continue
            if _is_models_module(path):
                imported.append(path)  # from shop.models import Product / import shop.models
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]
        is_noop = all(isinstance(s, ast.Pass) for s in body) or (
            len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is None
        )
        return FunctionFacts(
            name=node.name,
            line=node.lineno,
            is_noop=is_noop,
            imported_models=tuple(dict.fromkeys(imported)),
            uses_get_model=uses_get_model,
        )


_HANDLERS: dict[type, Callable[[ModuleEvaluator, Any], Any]] = {}
_INERT = (Placeholder, PlaceholderCall, Unevaluable)


def _unknown(evaluator: ModuleEvaluator, node: ast.expr) -> Any:
    return Unevaluable(evaluator._snippet(node))


def _has_placeholder(args: list[Any], kwargs: dict[str, Any]) -> bool:
    """Whether any argument (or a field in a CreateModel's list, or a nested operation) is inert."""
    for value in (*args, *kwargs.values()):
        if isinstance(value, _INERT):
            return True
        if isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, _INERT) or (
                    isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], _INERT)
                ):
                    return True
    return False


def _is_models_module(module: str) -> bool:
    parts = module.split(".")
    return parts[0] != "django" and ("models" in parts[1:] or parts[-1] == "models")


def _is_noop_body(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def _callable_path(func: Any) -> str:
    module = getattr(func, "__module__", "") or ""
    name = getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or type(func).__name__
    return f"{module}.{name}" if module else str(name)


def _raised(exc: Exception) -> str:
    """What a call raised, as the reason its value is a placeholder: ``raises ValueError: ...``."""
    text = str(exc).strip().rstrip(".")
    return f"raises {type(exc).__name__}: {text}" if text else f"raises {type(exc).__name__}"


def _build_operation(cls: type[Operation], args: list[Any], kwargs: dict[str, Any]) -> Operation:
    """``cls(*args, **kwargs)``, or an UnknownOperation saying why its arguments can't make one."""
    if _has_placeholder(args, kwargs) or issubclass(cls, (SeparateDatabaseAndState, RunSQL)):
        args, kwargs = _coerce_operation_arguments(cls, args, kwargs)
    problem = operation_problem(cls, args, kwargs)
    if problem is None:
        try:
            return cls(*args, **kwargs)
        except Exception as exc:
            problem = (f"{cls.__name__}() {_raised(exc)}", None)
    reason, unimportable = problem
    return UnknownOperation(_callable_path(cls), tuple(args), kwargs, reason, unimportable)


def _as_operation(value: Any, where: str = "the operations list") -> Any:
    """An item of an operations list as an operation: anything else becomes an UnknownOperation saying what it is."""
    if isinstance(value, Operation):
        return value
    if isinstance(value, PlaceholderCall):
        reason = f"it {value.safemigrate_reason}" if value.safemigrate_reason else None
        operation = UnknownOperation(
            value.safemigrate_path, value.args, value.kwargs, reason, value.safemigrate_unimportable
        )
        operation.safemigrate_location = value.location
        return operation
    if isinstance(value, Placeholder):
        reason = f"it {value.safemigrate_reason}" if value.safemigrate_reason else None
        return UnknownOperation(value.safemigrate_path, (), {}, reason, value.safemigrate_unimportable)
    if isinstance(value, Unevaluable):
        return UnknownOperation(
            value.safemigrate_path, (), {}, f"{short(value)} is an expression safemigrate doesn't evaluate"
        )
    if isinstance(value, type):
        reason = f"{where} holds the class {value.__name__} itself, not an operation made by calling it"
        return UnknownOperation(_callable_path(value), (), {}, reason)
    return UnknownOperation(f"{value!r:.40}", (), {}, f"{where} holds {describe(value)}, not an operation")


def _as_field(value: Any) -> Any:
    if isinstance(value, PlaceholderCall):
        return make_placeholder_field(value.safemigrate_path, value.args, value.kwargs)
    if isinstance(value, (Placeholder, Unevaluable)):
        return make_placeholder_field(value.safemigrate_path, (), {})
    return value


def _coerce_operation_arguments(
    cls: type[Operation], args: list[Any], kwargs: dict[str, Any]
) -> tuple[list[Any], dict[str, Any]]:
    """Turn placeholder values into stand-in fields/operations where an operation expects them."""
    try:
        bound = signature(cls).bind_partial(*args, **kwargs)
    except (TypeError, ValueError):
        return args, kwargs
    arguments = bound.arguments
    if "field" in arguments:
        arguments["field"] = _as_field(arguments["field"])
    if "fields" in arguments and isinstance(arguments["fields"], (list, tuple)):
        arguments["fields"] = [
            (item[0], _as_field(item[1])) if isinstance(item, tuple) and len(item) == 2 else item
            for item in arguments["fields"]
        ]
    for name in ("database_operations", "state_operations"):
        value = arguments.get(name)
        where = f"{cls.__name__}'s {name}"
        if isinstance(value, (list, tuple)):
            arguments[name] = [_as_operation(op, where) for op in value]
        elif isinstance(value, _INERT):  # a list the reader couldn't evaluate is a list of unknown operations
            arguments[name] = [_as_operation(value, where)]
    return list(bound.args), dict(bound.kwargs)


def as_operation(value: Any) -> Operation:
    """An item of a migration's operations list as an operation (an UnknownOperation when it isn't one)."""
    operation: Operation = _as_operation(value)
    return operation
