"""Read-only views of a replayed model state: tables, columns, indexes, constraints.

These are what rules see of Django's ``ModelState``. They are built the same way
from the static replay and from Django's own loader, which is what the
differential tests compare.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db import models
from django.db.models import Q
from django.db.models.fields import NOT_PROVIDED


def field_path(field: models.Field[Any, Any]) -> str:
    """The dotted class path of a field, as a migration file would spell it."""
    placeholder = getattr(field, "safemigrate_path", None)
    if placeholder:
        return str(placeholder)
    cls = type(field)
    module = cls.__module__
    if module.startswith("django.db.models.fields"):
        module = "django.db.models"
    return f"{module}.{cls.__qualname__}"


def relation_key(target: Any, app_label: str) -> str | None:
    """Normalise a relation target ("shop.Product", "self", a model) to "app.model"."""
    if target is None:
        return None
    if isinstance(target, str):
        if target == "self":
            return None
        if "." in target:
            app, _, model = target.partition(".")
            return f"{app}.{model.lower()}"
        return f"{app_label}.{target.lower()}"
    meta = getattr(target, "_meta", None)
    if meta is not None:
        return str(meta.label_lower)
    return str(target).lower()


# The database connection accurate mode asks for real column types (FieldInfo.db_type); never connected.
# A one-element list, set by safemigrate.accurate while its rules run; None in static mode.
DB_TYPE_CONNECTION: list[Any] = [None]


def _callable_name(value: Any) -> str | None:
    if value is None:
        return None
    path = getattr(value, "safemigrate_path", None)
    if path:
        return str(path)
    name = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    module = getattr(value, "__module__", "")
    if name:
        return f"{module}.{name}" if module else str(name)
    return repr(value)


@dataclass(frozen=True)
class FieldInfo:
    """One field of a model, as the database sees it."""

    name: str
    field: models.Field[Any, Any]
    app_label: str
    model_name: str

    @property
    def path(self) -> str:
        return field_path(self.field)

    @property
    def known(self) -> bool:
        """False for project-specific field classes the static reader can't import."""
        return not getattr(self.field, "safemigrate_path", None)

    @property
    def internal_type(self) -> str:
        if not self.known:
            return self.path.rpartition(".")[2]
        try:
            return str(self.field.get_internal_type())
        except Exception:  # pragma: no cover - defensive for odd fields
            return type(self.field).__name__

    @property
    def is_m2m(self) -> bool:
        return bool(getattr(self.field, "many_to_many", False))

    @property
    def is_foreign_key(self) -> bool:
        return isinstance(self.field, models.ForeignKey)

    @property
    def column(self) -> str | None:
        """Column name; None for fields without one (many-to-many)."""
        if self.is_m2m:
            return None
        if self.field.db_column:
            return str(self.field.db_column)
        if self.is_foreign_key:
            return f"{self.name}_id"
        return self.name

    @property
    def null(self) -> bool:
        return bool(self.field.null)

    @property
    def has_default(self) -> bool:
        return self.field.default is not NOT_PROVIDED

    @property
    def default(self) -> Any:
        return None if self.field.default is NOT_PROVIDED else self.field.default

    @property
    def default_is_callable(self) -> bool:
        return self.has_default and callable(self.field.default)

    @property
    def has_db_default(self) -> bool:
        return getattr(self.field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED

    @property
    def db_default(self) -> Any:
        value = getattr(self.field, "db_default", NOT_PROVIDED)
        return None if value is NOT_PROVIDED else value

    @property
    def unique(self) -> bool:
        return bool(getattr(self.field, "_unique", False)) or bool(self.field.primary_key)

    @property
    def db_index(self) -> bool:
        return bool(self.field.db_index)

    @property
    def primary_key(self) -> bool:
        return bool(self.field.primary_key)

    @property
    def max_length(self) -> int | None:
        value = getattr(self.field, "max_length", None)
        return value if isinstance(value, int) else None

    @property
    def related_model(self) -> str | None:
        remote = getattr(self.field, "remote_field", None)
        if remote is None:
            return None
        target = relation_key(remote.model, self.app_label)
        return target or f"{self.app_label}.{self.model_name}"

    @property
    def on_delete(self) -> str | None:
        remote = getattr(self.field, "remote_field", None)
        return _callable_name(getattr(remote, "on_delete", None)) if remote else None

    @property
    def db_constraint(self) -> bool:
        return bool(getattr(self.field, "db_constraint", False))

    @property
    def indexed(self) -> bool:
        """Whether Django creates an index for this column on its own."""
        return self.db_index or self.unique or (self.is_foreign_key and self.db_constraint) or (
            self.is_foreign_key and self.field.db_index
        )

    @property
    def django_class(self) -> bool:
        """Whether the field's class is one of Django's own (its behaviour is then fully known)."""
        return self.known and type(self.field).__module__.startswith("django.")

    @property
    def db_type(self) -> str | None:
        """The column type the database gets, from the field's own ``db_type()``: accurate mode only
        (static mode has no connection, and project field classes are placeholders). None when unknown,
        e.g. for relations, whose type follows the target's primary key."""
        connection = DB_TYPE_CONNECTION[0]
        if connection is None or not self.known or self.field.is_relation:
            return None
        try:
            value = self.field.db_type(connection)
        except Exception:
            return None
        return str(value) if value is not None else None

    def describe(self) -> dict[str, Any]:
        """Everything the differential tests compare, as plain data.

        A field class from outside Django (a placeholder in static mode, the real class when
        Django loads the project) is described by what both sides know: its class name, its
        column and relation, and the database options its ``deconstruct()`` spells out (what the
        migration file wrote). Options it leaves to its own class defaults read ``<class default>``.
        """
        on_delete = (self.on_delete or "").rpartition(".")[2] or None
        if not self.django_class:
            try:
                kwargs = self.field.deconstruct()[3]
            except Exception:  # pragma: no cover - a custom field with a broken deconstruct()
                kwargs = {}
            return {
                "column": self.column,
                "type": self.path.rpartition(".")[2],
                **{
                    key: _describe_option(kwargs[key]) if key in kwargs else CLASS_DEFAULT
                    for key in _CUSTOM_FIELD_OPTIONS
                },
                "related_model": self.related_model,
                "on_delete": on_delete,
            }
        return {
            "column": self.column,
            "type": self.path,
            "null": self.null,
            "default": _describe_value(self.field.default),
            "db_default": _describe_value(getattr(self.field, "db_default", NOT_PROVIDED)),
            "unique": self.unique,
            "db_index": self.db_index,
            "primary_key": self.primary_key,
            "max_length": self.max_length,
            "related_model": self.related_model,
            "on_delete": on_delete,
        }


CLASS_DEFAULT = "<class default>"
# Options of a non-Django field class that describe() compares when they are spelled out.
_CUSTOM_FIELD_OPTIONS = ("null", "default", "db_default", "unique", "db_index", "primary_key", "max_length")


def _describe_option(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int)):
        return value
    return _describe_value(value)


def _describe_value(value: Any) -> Any:
    if value is NOT_PROVIDED:
        return "<none>"
    if callable(value) and not isinstance(value, type):
        name = _callable_name(value) or ""
        return "callable:" + name.rpartition(".")[2]
    path = getattr(value, "safemigrate_path", None)
    if path:
        return "value:" + str(path).rpartition(".")[2]
    try:
        return repr(value)
    except Exception:  # pragma: no cover
        return type(value).__name__


class ModelInfo:
    """A snapshot of one model's state at one point of the replay."""

    def __init__(
        self,
        app_label: str,
        name: str,
        fields: dict[str, models.Field[Any, Any]],
        options: dict[str, Any],
        bases: tuple[Any, ...] = (),
    ) -> None:
        self.app_label = app_label
        self.name = name
        self.name_lower = name.lower()
        self._fields = fields
        self.options = options
        self.bases = bases
        self._looked_up: dict[str, FieldInfo] = {}

    @classmethod
    def from_state(cls, model_state: Any) -> ModelInfo:
        # A shallow copy is enough: Django's state_forwards replaces field
        # objects and option values rather than mutating them.
        return cls(
            model_state.app_label,
            model_state.name,
            dict(model_state.fields),
            dict(model_state.options),
            tuple(model_state.bases),
        )

    @property
    def key(self) -> str:
        return f"{self.app_label}.{self.name_lower}"

    @property
    def table(self) -> str:
        db_table = self.options.get("db_table")
        if db_table:
            return str(db_table)
        return f"{self.app_label}_{self.name_lower}"

    @property
    def managed(self) -> bool:
        return bool(self.options.get("managed", True))

    @property
    def proxy(self) -> bool:
        return bool(self.options.get("proxy", False))

    @property
    def has_table(self) -> bool:
        """Whether Django manages a table of its own for this model."""
        return self.managed and not self.proxy

    @cached_property
    def fields(self) -> dict[str, FieldInfo]:
        return {
            name: FieldInfo(name, f, self.app_label, self.name_lower) for name, f in self._fields.items()
        }

    def field(self, name: str) -> FieldInfo | None:
        """One field by name (case-insensitive, as Django matches them)."""
        if "fields" in self.__dict__ and name in self.fields:
            return self.fields[name]
        found = self._looked_up.get(name)
        if found is not None:  # several rules ask about the same field of the same snapshot
            return found
        key = name
        if key not in self._fields:
            lowered = name.lower()
            key = next((k for k in self._fields if k.lower() == lowered), "")
            if not key:
                return None
        found = self._looked_up[name] = FieldInfo(key, self._fields[key], self.app_label, self.name_lower)
        return found

    @property
    def indexes(self) -> list[Any]:
        return list(self.options.get("indexes", []))

    @property
    def constraints(self) -> list[Any]:
        return list(self.options.get("constraints", []))

    def not_null_checks(self, field: FieldInfo) -> list[str]:
        """Names of the model's check constraints that prove ``field`` holds no NULLs."""
        names = {field.name}
        if field.column:
            names.add(field.column)  # customer_id for a foreign key
        return [
            str(constraint.name)
            for constraint in self.constraints
            if any(cls.__name__ == "CheckConstraint" for cls in type(constraint).__mro__)
            and _proves_not_null(constraint_condition(constraint), names)
        ]

    @property
    def unique_together(self) -> set[tuple[str, ...]]:
        return {tuple(t) for t in self.options.get("unique_together", ()) or ()}

    @property
    def index_together(self) -> set[tuple[str, ...]]:
        return {tuple(t) for t in self.options.get("index_together", ()) or ()}

    def describe(self) -> dict[str, Any]:
        """Everything the differential tests compare, as plain data."""
        return {
            "table": self.table,
            "managed": self.managed,
            "proxy": self.proxy,
            "fields": {name: info.describe() for name, info in self.fields.items()},
            "indexes": sorted(_describe_index(i) for i in self.indexes),
            "constraints": sorted(_describe_index(c) for c in self.constraints),
            "unique_together": sorted(self.unique_together),
            "index_together": sorted(self.index_together),
        }


def _describe_index(obj: Any) -> str:
    try:
        path, _args, kwargs = obj.deconstruct()
    except Exception:  # pragma: no cover - placeholder indexes
        return repr(obj)
    return f"{path.rpartition('.')[2]}({kwargs.get('name')}, {sorted((k, repr(v)) for k, v in kwargs.items())})"


def constraint_condition(constraint: object) -> Any:
    """A CheckConstraint's condition: ``condition`` on Django 5.1+, ``check`` on 4.2 and 5.0."""
    condition = getattr(constraint, "condition", None)
    if condition is None:
        condition = getattr(constraint, "check", None)
    return None if callable(condition) and not hasattr(condition, "children") else condition


def _proves_not_null(condition: Any, names: set[str]) -> bool:
    """Whether a check condition implies ``<one of names> IS NOT NULL``, as PostgreSQL 12+ sees it.

    PostgreSQL accepts a check whose condition is the IS NOT NULL test itself, ``NOT (col IS NULL)``,
    or an AND with such a term; an OR proves nothing.
    """
    if not isinstance(condition, Q):
        return False
    if condition.negated:
        if len(condition.children) != 1 or isinstance(condition.children[0], Q):
            return False
        lookup, value = condition.children[0]
        return _is_null_test(lookup, value, names)
    if condition.connector != Q.AND and len(condition.children) > 1:
        return False
    for child in condition.children:
        if isinstance(child, Q):
            if _proves_not_null(child, names):
                return True
        elif isinstance(child, tuple) and len(child) == 2:
            lookup, value = child
            if lookup in {f"{n}__isnull" for n in names} and _is_false(value):
                return True
    return False


def _is_null_test(lookup: str, value: Any, names: set[str]) -> bool:
    """``col__isnull=True``, ``col=None`` or ``col__exact=None``."""
    if lookup in {f"{n}__isnull" for n in names}:
        return isinstance(value, (bool, int)) and bool(value)
    return value is None and lookup in names | {f"{n}__exact" for n in names}


def _is_false(value: Any) -> bool:
    return isinstance(value, (bool, int)) and not value
