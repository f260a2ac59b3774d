"""Inert stand-ins for names the static reader won't import (project code).

A placeholder keeps the dotted name it was written as and the literal
arguments it was called with, and behaves well enough inside Django's state
machinery (hashable, callable, comparable) to be replayed.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.migrations.operations.base import Operation


class Placeholder:
    """A reference to a project-specific name, e.g. ``shop.utils.make_code``.

    ``safemigrate_reason`` says why a name under ``django.*`` stayed a placeholder (it could not be
    imported, or doesn't exist); ``safemigrate_unimportable`` is the dotted name whose import failed.
    """

    def __init__(self, path: str, reason: str | None = None, unimportable: str | None = None) -> None:
        self.safemigrate_path = path
        self.safemigrate_reason = reason
        self.safemigrate_unimportable = unimportable

    def __repr__(self) -> str:
        return self.safemigrate_path

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Placeholder) and other.safemigrate_path == self.safemigrate_path

    def __hash__(self) -> int:
        return hash(self.safemigrate_path)

    def __call__(self, *args: Any, **kwargs: Any) -> PlaceholderCall:
        path, reason, unimportable = self.safemigrate_path, self.safemigrate_reason, self.safemigrate_unimportable
        return PlaceholderCall(path, args, kwargs, reason, unimportable)

    def __getattr__(self, name: str) -> Placeholder:
        if name.startswith("__"):
            raise AttributeError(name)
        return Placeholder(f"{self.safemigrate_path}.{name}", self.safemigrate_reason, self.safemigrate_unimportable)

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        return (self.safemigrate_path, (), {})


class PlaceholderCall:
    """The value of calling a project-specific name: ``shop.fields.Money(places=2)``, or of a call of one of
    Django's callables that raised (``safemigrate_reason`` holds what it raised)."""

    def __init__(
        self,
        path: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        reason: str | None = None,
        unimportable: str | None = None,
    ) -> None:
        self.safemigrate_path = path
        self.args = args
        self.kwargs = kwargs
        self.location: tuple[int, int] | None = None  # (line, column) where it was called
        self.safemigrate_reason = reason
        self.safemigrate_unimportable = unimportable

    def __repr__(self) -> str:
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"{self.safemigrate_path}({', '.join(parts)})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlaceholderCall) and repr(other) == repr(self)

    def __hash__(self) -> int:
        return hash(self.safemigrate_path)

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        return (self.safemigrate_path, self.args, dict(self.kwargs))


class Unevaluable:
    """An expression the reader doesn't evaluate (comprehensions, f-strings, ...)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.safemigrate_path = f"<expr {source}>"
        self.safemigrate_reason: str | None = None
        self.safemigrate_unimportable: str | None = None

    def __repr__(self) -> str:
        return self.safemigrate_path

    def __call__(self, *args: Any, **kwargs: Any) -> Unevaluable:
        return self


# Keyword arguments every Django field understands; a custom field's others are kept aside.
_FIELD_KWARGS = {
    "verbose_name", "name", "primary_key", "max_length", "unique", "blank", "null", "db_index", "rel",
    "default", "editable", "serialize", "unique_for_date", "unique_for_month", "unique_for_year",
    "choices", "help_text", "db_column", "db_tablespace", "auto_created", "validators",
    "error_messages", "db_comment", "db_default",
}
_RELATION_KWARGS = {
    "to", "on_delete", "related_name", "related_query_name", "limit_choices_to", "parent_link",
    "to_field", "db_constraint", "through", "through_fields", "symmetrical",
}


class PlaceholderFieldMixin:
    safemigrate_path: str
    safemigrate_kwargs: dict[str, Any]

    def deconstruct(self) -> tuple[Any, str, list[Any], dict[str, Any]]:
        name = getattr(self, "name", None)
        return (name, self.safemigrate_path, [], dict(self.safemigrate_kwargs))

    def clone(self) -> Any:
        return make_placeholder_field(self.safemigrate_path, (), dict(self.safemigrate_kwargs))


class PlaceholderField(PlaceholderFieldMixin, models.Field):  # type: ignore[type-arg]
    """A project-specific field class: kept by name, with Django's common options honoured."""


class PlaceholderForeignKey(PlaceholderFieldMixin, models.ForeignKey):  # type: ignore[type-arg]
    """A project-specific ForeignKey subclass (it was given ``on_delete``)."""


class PlaceholderOneToOne(PlaceholderFieldMixin, models.OneToOneField):  # type: ignore[type-arg]
    """A project-specific OneToOneField subclass."""


class PlaceholderManyToMany(PlaceholderFieldMixin, models.ManyToManyField):  # type: ignore[type-arg]
    """A project-specific many-to-many field (given ``to`` but no ``on_delete``)."""


def make_placeholder_field(path: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> models.Field:  # type: ignore[type-arg]
    """Build the best stand-in Django field for a project-specific field class."""
    known = {k: v for k, v in kwargs.items() if k in _FIELD_KWARGS}
    cls: type[models.Field] = PlaceholderField  # type: ignore[type-arg]
    relation = {k: v for k, v in kwargs.items() if k in _RELATION_KWARGS}
    to = relation.get("to", args[0] if args and isinstance(args[0], str) else None)
    field: models.Field  # type: ignore[type-arg]
    try:
        if to is not None and "on_delete" in relation:
            cls = PlaceholderOneToOne if "OneToOne" in path else PlaceholderForeignKey
            relation["to"] = to
            field = cls(**{**known, **relation})
        elif to is not None:
            cls = PlaceholderManyToMany
            relation["to"] = to
            relation.pop("on_delete", None)
            field = cls(**{**known, **relation})
        else:
            field = cls(**known)
    except Exception:
        field = PlaceholderField(**{k: v for k, v in known.items() if k in {"null", "primary_key", "db_column"}})
    field.safemigrate_path = path  # type: ignore[attr-defined]
    field.safemigrate_kwargs = dict(kwargs)  # type: ignore[attr-defined]
    return field


class UnknownOperation(Operation):
    """An operation the engine can't interpret: no state change is assumed, and ZDM605 reports it.

    A third-party operation has no ``safemigrate_reason``. Otherwise the reason says what went wrong
    (a Django operation whose arguments Django would refuse, an argument from the project's code, a
    name that could not be imported); ``safemigrate_unimportable`` is the dotted name whose import failed.
    """

    reduces_to_sql = False

    def __init__(
        self,
        path: str,
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        reason: str | None = None,
        unimportable: str | None = None,
    ) -> None:
        self.safemigrate_path = path
        self.args = args
        self.kwargs = kwargs or {}
        self.reversible = True
        self.safemigrate_location: tuple[int, int] | None = None
        self.safemigrate_reason = reason
        self.safemigrate_unimportable = unimportable

    def state_forwards(self, app_label: str, state: Any) -> None:
        return None

    def describe(self) -> str:
        return f"Unknown operation {self.safemigrate_path}"

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        return (self.safemigrate_path, self.args, self.kwargs)


class SourceFunction:
    """A function defined in the migration module (RunPython code), as read from source."""

    def __init__(self, name: str, line: int, facts: Any) -> None:
        self.__name__ = name
        self.__qualname__ = name
        self.line = line
        self.facts = facts

    def __call__(self, *args: Any, **kwargs: Any) -> None:  # pragma: no cover - never run
        raise RuntimeError("safemigrate never runs migration code")

    def __repr__(self) -> str:
        return f"<function {self.__name__} line {self.line}>"
