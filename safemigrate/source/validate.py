"""Checking what a migration file passes to a Django operation, before the evaluator builds it.

Django's operation classes keep their arguments as given and fail only later: in ``state_forwards``,
or when a rule reads ``operation.field.null``. A mistake in a migration file (``AddConstraint("item", 5)``,
a ``UniqueConstraint`` without a name, ``AlterField("item", "n", "notafield")``) must not crash
safemigrate, so the evaluator asks ``operation_problem`` first and, when there is one, builds an
``UnknownOperation`` carrying the reason instead (ZDM605 reports it). The checks are by parameter
name, so they hold for every operation class that names its parameters as Django's do.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.migrations.operations.base import Operation
from django.db.models.constraints import BaseConstraint

from safemigrate.source.placeholders import Placeholder, PlaceholderCall, Unevaluable

INERT = (Placeholder, PlaceholderCall, Unevaluable)

# What is wrong, and the dotted name whose import failed (None unless that is the cause).
Problem = tuple[str, str | None]
# A parameter's check: None when the value is fine, else (what it must be, the value that isn't).
_Check = Callable[[Any], "tuple[str, Any] | None"]

_SIGNATURES: dict[type, inspect.Signature] = {}
# An operation class's parameters: the names that may be passed by position, and each name's default.
# None when it takes *args or **kwargs, and the slower inspect.Signature.bind decides.
_PARAMETERS: dict[type, tuple[list[str], dict[str, Any]] | None] = {}
_EMPTY = inspect.Parameter.empty


def signature(cls: type) -> inspect.Signature:
    found = _SIGNATURES.get(cls)
    if found is None:
        found = _SIGNATURES[cls] = inspect.signature(cls)
    return found


def _parameters(cls: type) -> tuple[list[str], dict[str, Any]] | None:
    if cls not in _PARAMETERS:
        parameters = signature(cls).parameters.values()
        if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters):
            _PARAMETERS[cls] = None
        else:
            positional = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            _PARAMETERS[cls] = (positional, {p.name: p.default for p in parameters})
    return _PARAMETERS[cls]


def _bind(cls: type, args: list[Any], kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The arguments by parameter name, and each parameter's default (TypeError as Python would raise)."""
    parameters = _parameters(cls)
    if parameters is None:
        sig = signature(cls)
        return sig.bind(*args, **kwargs).arguments, {name: p.default for name, p in sig.parameters.items()}
    positional, defaults = parameters
    if len(args) > len(positional):
        raise TypeError("too many positional arguments")
    values = dict(zip(positional, args, strict=False))
    for name, value in kwargs.items():
        if name in values:
            raise TypeError(f"multiple values for argument {name!r}")
        if name not in defaults:
            raise TypeError(f"got an unexpected keyword argument {name!r}")
        values[name] = value
    if len(values) < len(defaults):
        for name, default in defaults.items():
            if default is _EMPTY and name not in values:
                raise TypeError(f"missing a required argument: {name!r}")
    return values, defaults


def operation_problem(cls: type[Operation], args: list[Any], kwargs: dict[str, Any]) -> Problem | None:
    """Why ``cls(*args, **kwargs)`` can't make an operation the engine can replay and the rules can read."""
    try:
        values, defaults = _bind(cls, args, kwargs)
    except TypeError as exc:  # "missing a required argument: 'field'"
        return f"{cls.__name__}() {exc}", None
    except ValueError:  # no signature to check against
        return None
    for name, value in values.items():
        check = _CHECKS.get(name)
        if check is None or (value is None and defaults.get(name) is None):
            continue  # not checked, or left at its default
        found = check(value)
        if found is not None:
            return argument_problem(name, *found)
    return None


def argument_problem(name: str, expected: str, value: Any) -> Problem:
    """The reason for an argument ``name`` that isn't ``expected``."""
    if isinstance(value, (Placeholder, PlaceholderCall)):
        if value.safemigrate_reason:  # a Django name that didn't import or a Django call that raised
            return f"its {name} {short(value)} {value.safemigrate_reason}", value.safemigrate_unimportable
        return f"its {name} is {short(value)}, from code safemigrate doesn't import", None
    if isinstance(value, Unevaluable):
        return f"its {name} is {short(value)}, an expression safemigrate doesn't evaluate", None
    return f"its {name} must be {expected}, not {describe(value)}", None


def short(value: Any, limit: int = 60) -> str:
    """A placeholder as written, without its module path: ``UniqueConstraint(fields=['n'])``."""
    if isinstance(value, Unevaluable):
        text = value.source
    elif isinstance(value, PlaceholderCall):
        parts = [_brief(a) for a in value.args] + [f"{k}={_brief(v)}" for k, v in value.kwargs.items()]
        text = f"{value.safemigrate_path.rpartition('.')[2]}({', '.join(parts)})"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _brief(value: Any) -> str:
    """An argument inside ``short``: literals as written, other objects by their class."""
    if isinstance(value, INERT):
        return short(value)
    if value is None or isinstance(value, (str, bytes, int, float, list, tuple, dict, set, frozenset)):
        return repr(value)
    return f"{type(value).__name__}(...)"


def describe(value: Any) -> str:
    """A value that isn't what was expected, for a message: ``the int 5``, ``the class AddField``."""
    if value is None:
        return "None"
    if isinstance(value, type):
        return f"the class {value.__name__}"
    if isinstance(value, INERT):
        return short(value)
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    if isinstance(value, (str, bytes, int, float, list, tuple, dict, set, frozenset)):
        return f"the {type(value).__name__} {text}"
    return text


# --- checks, by parameter name ------------------------------------------------
def _string(value: Any) -> tuple[str, Any] | None:
    return None if isinstance(value, str) else ("a string", value)


def _optional_string(value: Any) -> tuple[str, Any] | None:
    return None if value is None or isinstance(value, str) else ("a string or None", value)


def _field(value: Any) -> tuple[str, Any] | None:
    return None if isinstance(value, models.Field) else ("a model field", value)


def _model_fields(value: Any) -> tuple[str, Any] | None:
    pairs = "a list of (name, field) pairs"
    if not isinstance(value, (list, tuple)):
        return pairs, value
    for item in value:
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            return pairs, item
        if not isinstance(item[0], str):
            return "a list of (name, field) pairs whose names are strings", item[0]
        if not isinstance(item[1], models.Field):
            return "a list of (name, field) pairs whose fields are model fields", item[1]
    return None


def _index(value: Any) -> tuple[str, Any] | None:
    if not isinstance(value, models.Index) or not isinstance(value.name, str) or not value.name:
        return "an Index with a name", value
    return None


def _constraint(value: Any) -> tuple[str, Any] | None:
    if not isinstance(value, BaseConstraint) or not isinstance(value.name, str) or not value.name:
        return "a constraint (CheckConstraint, UniqueConstraint, ...) with a name", value
    fields = getattr(value, "fields", ())
    if not isinstance(fields, (list, tuple)) or not all(isinstance(f, str) for f in fields):
        return "a constraint whose fields are field names", fields
    return None


def _operations(value: Any) -> tuple[str, Any] | None:
    if not isinstance(value, (list, tuple)):
        return "a list of operations", value
    for item in value:
        if not isinstance(item, Operation):
            return "a list of operations", item
    return None


def _together(value: Any) -> tuple[str, Any] | None:
    """``unique_together``: a set of tuples of field names (or one such tuple, which Django wraps)."""
    expected = "a list of tuples of field names"
    if value is None:
        return None  # none (Django normalises it to an empty set)
    if not isinstance(value, (list, tuple, set, frozenset)):
        return expected, value
    if all(isinstance(item, str) for item in value):
        return None
    for item in value:
        if not isinstance(item, (list, tuple)) or not all(isinstance(name, str) for name in item):
            return expected, item
    return None


def _names(value: Any) -> tuple[str, Any] | None:
    if not isinstance(value, (list, tuple)) or not all(isinstance(name, str) for name in value):
        return "a list of field names", value
    return None


def _dict(value: Any) -> tuple[str, Any] | None:
    if not isinstance(value, dict):
        return "a dict", value
    for key, check in _OPTION_CHECKS.items():
        if key in value and value[key] is not None:
            found = check(value[key])
            if found is not None:
                return f"a dict whose {key!r} is {found[0]}", found[1]
    return None


def _list_of(check: _Check, expected: str) -> _Check:
    def check_list(value: Any) -> tuple[str, Any] | None:
        if not isinstance(value, (list, tuple)):
            return expected, value
        for item in value:
            if check(item) is not None:
                return expected, item
        return None

    return check_list


def _bases(value: Any) -> tuple[str, Any] | None:
    if not isinstance(value, (list, tuple)):
        return "a tuple of base classes", value
    for base in value:
        if not isinstance(base, (str, type, Placeholder)):
            return "a tuple of base classes (classes or 'app.Model' strings)", base
    return None


def _managers(value: Any) -> tuple[str, Any] | None:
    if not isinstance(value, (list, tuple)):
        return "a list of (name, manager) pairs", value
    for item in value:
        if not isinstance(item, (list, tuple)) or len(item) != 2 or not isinstance(item[0], str):
            return "a list of (name, manager) pairs", item
    return None


_OPTION_CHECKS: dict[str, _Check] = {
    "indexes": _list_of(_index, "a list of Index objects with names"),
    "constraints": _list_of(_constraint, "a list of constraints with names"),
    "unique_together": _together,
    "index_together": _together,
    "db_table": _string,
    "db_table_comment": _string,
    "order_with_respect_to": _string,
}
_CHECKS: dict[str, _Check] = {
    "name": _string,
    "model_name": _string,
    "old_name": _string,
    "new_name": _string,
    "field": _field,
    "fields": _model_fields,
    "index": _index,
    "constraint": _constraint,
    "database_operations": _operations,
    "state_operations": _operations,
    "options": _dict,
    "bases": _bases,
    "managers": _managers,
    "unique_together": _together,
    "index_together": _together,
    "old_fields": _names,
    "table": _optional_string,
    "table_comment": _optional_string,
    "order_with_respect_to": _optional_string,
}
