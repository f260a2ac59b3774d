"""Random valid operation sequences: the static replay of the written files equals Django's state.

Hypothesis draws a sequence of operations over two apps, keeping a model of the schema so
every sequence is one Django accepts. The reference applies them in-process to a
``ProjectState`` with Django's ``state_forwards``; the same operations are written as
migration files with Django's ``MigrationWriter`` (split into several migrations chained by
dependencies) and the static engine reads and replays those files. ``describe()`` of every
model must match.
"""

from __future__ import annotations

import datetime
import decimal
import inspect
import os
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import django
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safemigrate.config import Config
from safemigrate.engine import Engine, ensure_django_settings
from tests.differential.compare import describe_state, diff_states, format_diff, index_drift

ensure_django_settings()

from django.db import migrations, models  # noqa: E402
from django.db.migrations.operations.base import Operation  # noqa: E402
from django.db.migrations.state import ProjectState  # noqa: E402
from django.db.migrations.writer import MigrationWriter  # noqa: E402
from django.db.models.functions import Lower  # noqa: E402
from django.utils import timezone  # noqa: E402

APPS = ("alpha", "beta")
# More examples for a deeper run: SAFEMIGRATE_HYPOTHESIS_EXAMPLES=2000 pytest tests/test_differential_hypothesis.py
EXAMPLES = int(os.environ.get("SAFEMIGRATE_HYPOTHESIS_EXAMPLES", "60"))
# CI must be repeatable: the same examples every run, unless a deeper random run is asked for.
RANDOM = "SAFEMIGRATE_HYPOTHESIS_EXAMPLES" in os.environ
HAS_DB_DEFAULT = django.VERSION >= (5, 0)
HAS_GENERATED = HAS_DB_DEFAULT
HAS_INDEX_TOGETHER = hasattr(migrations, "AlterIndexTogether")
CHECK_KWARG = "condition" if "condition" in inspect.signature(models.CheckConstraint).parameters else "check"

# kind -> (field class, extra kwargs, numeric)
KINDS: dict[str, tuple[type[models.Field[Any, Any]], dict[str, Any], bool]] = {
    "char": (models.CharField, {"max_length": 20}, False),
    "slug": (models.SlugField, {"max_length": 30}, False),
    "email": (models.EmailField, {"max_length": 254}, False),
    "text": (models.TextField, {}, False),
    "int": (models.IntegerField, {}, True),
    "bigint": (models.BigIntegerField, {}, True),
    "posint": (models.PositiveIntegerField, {}, True),
    "float": (models.FloatField, {}, True),
    "decimal": (models.DecimalField, {"max_digits": 8, "decimal_places": 2}, True),
    "bool": (models.BooleanField, {}, False),
    "date": (models.DateField, {}, False),
    "datetime": (models.DateTimeField, {}, False),
    "uuid": (models.UUIDField, {}, False),
    "json": (models.JSONField, {}, False),
}
# Type changes AlterField may make.
ALTER_TO = {
    "char": ("text", "slug", "char"), "slug": ("char", "text"), "email": ("char", "text"), "text": ("char",),
    "int": ("bigint", "decimal", "float"), "bigint": ("int", "decimal"), "posint": ("int", "bigint"),
    "float": ("decimal", "int"), "decimal": ("float", "int"), "bool": ("bool",), "date": ("datetime",),
    "datetime": ("date",), "uuid": ("char",), "json": ("json", "text"),
}
PK_KINDS = {"auto": models.AutoField, "bigauto": models.BigAutoField}
ON_DELETE = (models.CASCADE, models.PROTECT, models.SET_NULL, models.DO_NOTHING)


@dataclass
class FieldSpec:
    kind: str  # a KINDS key, "fk", "o2o", "m2m" or a PK_KINDS key
    field: models.Field[Any, Any]
    target: tuple[str, str] | None = None  # relations: (app, model lower)
    to_field: str | None = None


@dataclass
class ModelSpec:
    app: str
    name: str
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    indexes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    constraints: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unique_together: set[tuple[str, ...]] = field(default_factory=set)
    index_together: set[tuple[str, ...]] = field(default_factory=set)
    base: tuple[str, str] | None = None  # a proxy's or a multi-table child's parent
    proxy: bool = False
    generated: dict[str, str] = field(default_factory=dict)  # generated field -> the field it reads

    @property
    def key(self) -> tuple[str, str]:
        return (self.app, self.name.lower())

    def plain_fields(self) -> list[str]:
        """Fields AlterField, indexes and constraints may use: not keys, m2m or generated ones."""
        return [n for n, f in self.fields.items() if f.kind not in PK_KINDS and f.kind not in ("m2m", "ptr", "generated")]

    def pinned(self) -> set[str]:
        """Fields named by indexes, constraints or generated fields (Django's state doesn't rewrite those)."""
        groups = [*self.indexes.values(), *self.constraints.values(), tuple(self.generated.values())]
        return {n for names in groups for n in names}


class Schema:
    """What exists after the operations drawn so far."""

    def __init__(self) -> None:
        self.models: dict[tuple[str, str], ModelSpec] = {}
        self.counter = 0

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def referenced(self, key: tuple[str, str]) -> bool:
        """Whether another model has a relation to this one, or is its proxy or child."""
        return any(
            m.base == key or any(f.target == key for f in m.fields.values())
            for m in self.models.values()
            if m.key != key
        )

    def to_field_targets(self, key: tuple[str, str]) -> set[str]:
        """Fields of this model that foreign keys name with ``to_field``."""
        return {f.to_field for m in self.models.values() for f in m.fields.values() if f.target == key and f.to_field}

    def is_base(self, key: tuple[str, str]) -> bool:
        return any(m.base == key for m in self.models.values())

    def concrete(self) -> list[ModelSpec]:
        return sorted((m for m in self.models.values() if not m.proxy), key=lambda m: m.key)


# --- field strategies --------------------------------------------------------------------
def literal(kind: str) -> st.SearchStrategy[Any]:
    if kind in ("char", "slug", "email", "text"):
        return st.text("abcxyz", max_size=5)
    if kind in ("int", "bigint", "posint"):
        return st.integers(0, 1000)
    if kind == "float":
        return st.sampled_from([0.0, 1.5, 2.25])
    if kind == "decimal":
        return st.sampled_from([decimal.Decimal("0"), decimal.Decimal("1.50"), decimal.Decimal("12.34")])
    if kind == "bool":
        return st.booleans()
    if kind == "date":
        return st.just(datetime.date(2020, 1, 2))
    if kind == "datetime":
        return st.sampled_from([datetime.datetime(2020, 1, 2, 3, 4, tzinfo=datetime.timezone.utc), timezone.now])
    if kind == "uuid":
        return st.just(uuid.uuid4)
    return st.sampled_from([dict, list])  # json


def db_literal(kind: str) -> st.SearchStrategy[Any] | None:
    if not HAS_DB_DEFAULT:
        return None
    if kind in ("char", "slug", "text", "int", "bigint", "posint", "bool"):
        return literal(kind).map(models.Value)
    if kind == "datetime":
        from django.db.models.functions import Now

        return st.just(Now())
    return None


@st.composite
def plain_field(draw: st.DrawFn, schema: Schema, kind: str | None = None, adding: bool = True) -> FieldSpec:
    kind = kind or draw(st.sampled_from(sorted(KINDS)))
    cls, extra, _numeric = KINDS[kind]
    kwargs: dict[str, Any] = dict(extra)
    if "max_length" in kwargs and kind != "email":
        kwargs["max_length"] = draw(st.sampled_from([10, 20, 50, 255]))
    kwargs["null"] = draw(st.booleans())
    if draw(st.booleans()):
        kwargs["default"] = draw(literal(kind))
    db_default = db_literal(kind)
    if db_default is not None and draw(st.integers(0, 3)) == 0:
        kwargs["db_default"] = draw(db_default)
    if adding and not kwargs["null"] and "default" not in kwargs and "db_default" not in kwargs:
        kwargs["null"] = True  # an added column needs a value for existing rows
    if kind not in ("text", "json", "bool") and draw(st.integers(0, 5)) == 0:
        kwargs["unique"] = True
    elif kind not in ("json",) and draw(st.integers(0, 4)) == 0:
        kwargs["db_index"] = not kwargs.get("db_index", kind == "slug")
    if draw(st.integers(0, 8)) == 0:
        kwargs["db_column"] = schema.fresh("col_")
    return FieldSpec(kind, cls(**kwargs))


@st.composite
def relation_field(draw: st.DrawFn, schema: Schema, targets: list[tuple[str, str]]) -> FieldSpec:
    target = draw(st.sampled_from(targets))
    to = f"{target[0]}.{schema.models[target].name}" if target in schema.models else f"{target[0]}.{target[1]}"
    kind = draw(st.sampled_from(["fk", "fk", "o2o", "m2m"]))
    if kind == "m2m":
        return FieldSpec(kind, models.ManyToManyField(to=to, blank=True), target)
    on_delete = draw(st.sampled_from(ON_DELETE))
    kwargs: dict[str, Any] = {"to": to, "on_delete": on_delete, "related_name": "+"}
    kwargs["null"] = True if on_delete is models.SET_NULL else draw(st.booleans())
    if draw(st.integers(0, 4)) == 0:
        kwargs["db_constraint"] = False
    if draw(st.integers(0, 4)) == 0:
        kwargs["db_index"] = False
    model = schema.models.get(target)
    unique = [n for n in model.plain_fields() if model.fields[n].field.unique] if model else []
    if unique and draw(st.booleans()):
        kwargs["to_field"] = draw(st.sampled_from(unique))
    cls = models.OneToOneField if kind == "o2o" else models.ForeignKey
    return FieldSpec(kind, cls(**kwargs), target, kwargs.get("to_field"))


def rebuild(spec: FieldSpec, cls: type[models.Field[Any, Any]] | None = None, **changes: Any) -> models.Field[Any, Any]:
    _name, _path, args, kwargs = spec.field.deconstruct()
    kwargs.update(changes)
    for key in [k for k, v in changes.items() if v is _DROP]:
        kwargs.pop(key)
    return (cls or type(spec.field))(*args, **kwargs)


_DROP = object()


# --- operation strategies ----------------------------------------------------------------
Step = tuple[str, Operation]  # (app label, operation)


@st.composite
def create_model(draw: st.DrawFn, schema: Schema) -> list[Step]:
    app = draw(st.sampled_from(APPS))
    name = schema.fresh(draw(st.sampled_from(["Item", "Order", "Tag", "Person"])))
    spec = ModelSpec(app, name)
    parents = schema.concrete()
    shape = draw(st.sampled_from(["plain", "plain", "plain", "proxy", "child"])) if parents else "plain"
    if shape == "proxy":
        parent = draw(st.sampled_from(parents))
        spec.base, spec.proxy = parent.key, True
        schema.models[spec.key] = spec
        base = f"{parent.app}.{parent.name.lower()}"
        op = migrations.CreateModel(name=name, fields=[], options={"proxy": True}, bases=(base,))
        return [(app, op)]
    if shape == "child":
        parent = draw(st.sampled_from(parents))
        spec.base = parent.key
        to = f"{parent.app}.{parent.name.lower()}"
        ptr = models.OneToOneField(
            auto_created=True, on_delete=models.CASCADE, parent_link=True, primary_key=True, serialize=False, to=to
        )
        spec.fields[f"{parent.name.lower()}_ptr"] = FieldSpec("ptr", ptr, parent.key)
    else:
        pk_kind = draw(st.sampled_from(sorted(PK_KINDS)))
        spec.fields["id"] = FieldSpec(pk_kind, PK_KINDS[pk_kind](auto_created=True, primary_key=True, serialize=False))
    for _ in range(draw(st.integers(0, 4))):
        spec.fields[schema.fresh("f")] = draw(plain_field(schema, adding=False))
    targets = [m.key for m in schema.concrete()]
    if targets and draw(st.booleans()):
        spec.fields[schema.fresh("rel")] = draw(relation_field(schema, targets))
    options: dict[str, Any] = {}
    if draw(st.integers(0, 4)) == 0:
        options["db_table"] = f"tbl_{name.lower()}"
    if draw(st.integers(0, 5)) == 0:
        options["managed"] = False
    if draw(st.integers(0, 3)) == 0 and spec.plain_fields():
        idx = schema.fresh("ix")
        spec.indexes[idx] = (draw(st.sampled_from(spec.plain_fields())),)
        options["indexes"] = [models.Index(fields=list(spec.indexes[idx]), name=idx)]
    schema.models[spec.key] = spec
    fields = [(n, f.field) for n, f in spec.fields.items()]
    bases = (f"{spec.base[0]}.{spec.base[1]}",) if spec.base else (models.Model,)
    return [(app, migrations.CreateModel(name=name, fields=fields, options=options, bases=bases))]


def pick_model(draw: st.DrawFn, schema: Schema, need_fields: bool = False, proxies: bool = False) -> ModelSpec | None:
    """A model to change: concrete ones only unless ``proxies``; with plain fields if ``need_fields``."""
    candidates = [
        m for m in schema.models.values() if (proxies or not m.proxy) and (not need_fields or m.plain_fields())
    ]
    return draw(st.sampled_from(sorted(candidates, key=lambda m: m.key))) if candidates else None


@st.composite
def add_field(draw: st.DrawFn, schema: Schema) -> list[Step]:
    model = pick_model(draw, schema)
    if model is None:
        return []
    numeric = [n for n in model.plain_fields() if model.fields[n].kind in ("int", "bigint", "posint")]
    if HAS_GENERATED and numeric and draw(st.integers(0, 6)) == 0:
        source = draw(st.sampled_from(numeric))
        name = schema.fresh("gen")
        generated = models.GeneratedField(
            expression=models.F(source) + 1, output_field=models.BigIntegerField(), db_persist=draw(st.booleans())
        )
        model.fields[name] = FieldSpec("generated", generated)
        model.generated[name] = source
        return [(model.app, migrations.AddField(model_name=model.name.lower(), name=name, field=generated))]
    if draw(st.integers(0, 3)) == 0:
        spec = draw(relation_field(schema, [m.key for m in schema.concrete()]))
        if spec.kind != "m2m" and not spec.field.null:
            spec = FieldSpec(spec.kind, rebuild(spec, null=True), spec.target, spec.to_field)
    else:
        spec = draw(plain_field(schema))
    name = schema.fresh("added")
    preserve_default = True
    if spec.field.has_default() and draw(st.booleans()):
        preserve_default = False
    model.fields[name] = FieldSpec(spec.kind, rebuild(spec, default=_DROP) if not preserve_default else spec.field,
                                   spec.target, spec.to_field)
    op = migrations.AddField(model_name=model.name.lower(), name=name, field=spec.field,
                             preserve_default=preserve_default)
    return [(model.app, op)]


@st.composite
def alter_field(draw: st.DrawFn, schema: Schema) -> list[Step]:
    model = pick_model(draw, schema, need_fields=True)
    if model is None:
        return []
    choices = [n for n in model.plain_fields() if n not in schema.to_field_targets(model.key)]
    if not choices:
        return []
    name = draw(st.sampled_from(choices))
    spec = model.fields[name]
    if spec.kind in ("fk", "o2o"):
        on_delete = draw(st.sampled_from(ON_DELETE))
        new = rebuild(spec, on_delete=on_delete, null=True if on_delete is models.SET_NULL else draw(st.booleans()))
        new_spec = FieldSpec(spec.kind, new, spec.target, spec.to_field)
    else:
        change = draw(st.sampled_from(["null", "type", "max_length", "default", "unique"]))
        if change == "type":
            kind = draw(st.sampled_from(ALTER_TO[spec.kind]))
            new_spec = draw(plain_field(schema, kind=kind, adding=False))
        elif change == "max_length" and "max_length" in KINDS[spec.kind][1]:
            new_spec = FieldSpec(spec.kind, rebuild(spec, max_length=draw(st.sampled_from([15, 40, 100, 300]))))
        elif change == "default":
            new_spec = FieldSpec(spec.kind, rebuild(spec, default=draw(literal(spec.kind))))
        elif change == "unique" and spec.kind not in ("text", "json", "bool"):
            new_spec = FieldSpec(spec.kind, rebuild(spec, unique=not spec.field.unique))
        else:
            new_spec = FieldSpec(spec.kind, rebuild(spec, null=not spec.field.null))
    preserve_default = True
    if new_spec.field.has_default() and draw(st.booleans()):
        preserve_default = False
    model.fields[name] = (
        FieldSpec(new_spec.kind, rebuild(new_spec, default=_DROP), new_spec.target, new_spec.to_field)
        if not preserve_default
        else new_spec
    )
    op = migrations.AlterField(model_name=model.name.lower(), name=name, field=new_spec.field,
                               preserve_default=preserve_default)
    return [(model.app, op)]


@st.composite
def rename_field(draw: st.DrawFn, schema: Schema) -> list[Step]:
    model = pick_model(draw, schema, need_fields=True)
    if model is None:
        return []
    free = [n for n in model.plain_fields() if n not in model.pinned()]
    free += [n for n, f in model.fields.items() if f.kind in ("m2m", "generated")]
    if not free:
        return []
    old = draw(st.sampled_from(sorted(free)))
    new = schema.fresh("renamed")
    model.fields = {(new if n == old else n): f for n, f in model.fields.items()}
    model.unique_together = {tuple(new if n == old else n for n in t) for t in model.unique_together}
    model.index_together = {tuple(new if n == old else n for n in t) for t in model.index_together}
    model.generated = {(new if n == old else n): source for n, source in model.generated.items()}
    for other in schema.models.values():  # Django repoints to_field references in the state
        for spec in other.fields.values():
            if spec.target == model.key and spec.to_field == old:
                spec.to_field = new
                spec.field = rebuild(spec, to_field=new)
    return [(model.app, migrations.RenameField(model_name=model.name.lower(), old_name=old, new_name=new))]


@st.composite
def remove_field(draw: st.DrawFn, schema: Schema) -> list[Step]:
    model = pick_model(draw, schema)
    if model is None:
        return []
    used = model.pinned() | {n for t in [*model.unique_together, *model.index_together] for n in t}
    used |= schema.to_field_targets(model.key)
    free = [n for n, f in model.fields.items() if f.kind not in PK_KINDS and f.kind != "ptr" and n not in used]
    if not free:
        return []
    name = draw(st.sampled_from(sorted(free)))
    del model.fields[name]
    model.generated.pop(name, None)
    return [(model.app, migrations.RemoveField(model_name=model.name.lower(), name=name))]


@st.composite
def rename_model(draw: st.DrawFn, schema: Schema) -> list[Step]:
    # Django's state doesn't rewrite the bases of proxies and children: leave parents alone.
    candidates = [m for m in schema.models.values() if not schema.is_base(m.key)]
    if not candidates:
        return []
    model = draw(st.sampled_from(sorted(candidates, key=lambda m: m.key)))
    old_key = model.key
    old_name = model.name
    model.name = schema.fresh("Renamed")
    del schema.models[old_key]
    schema.models[model.key] = model
    for other in schema.models.values():
        for spec in other.fields.values():
            if spec.target == old_key:
                spec.target = model.key
                spec.field = rebuild(spec, to=f"{model.app}.{model.name.lower()}")
    return [(model.app, migrations.RenameModel(old_name=old_name, new_name=model.name))]


@st.composite
def delete_model(draw: st.DrawFn, schema: Schema) -> list[Step]:
    free = [m for m in schema.models.values() if not schema.referenced(m.key)]
    if not free:
        return []
    model = draw(st.sampled_from(sorted(free, key=lambda m: m.key)))
    del schema.models[model.key]
    return [(model.app, migrations.DeleteModel(name=model.name))]


@st.composite
def add_index(draw: st.DrawFn, schema: Schema) -> list[Step]:
    model = pick_model(draw, schema, need_fields=True)
    if model is None:
        return []
    names = draw(st.lists(st.sampled_from(model.plain_fields()), min_size=1, max_size=2, unique=True))
    name = schema.fresh("ix")
    model.indexes[name] = tuple(names)
    shape = draw(st.sampled_from(["fields", "fields", "condition", "expression", "include"]))
    index: models.Index
    if shape == "condition":
        index = models.Index(fields=names, name=name, condition=models.Q(**{f"{names[0]}__isnull": False}))
    elif shape == "expression":
        index = models.Index(Lower(names[0]), models.F(names[-1]).desc(), name=name)
    elif shape == "include" and len(names) == 2:
        index = models.Index(fields=names[:1], include=names[1:], name=name)
    else:
        index = models.Index(fields=[f"-{names[0]}", *names[1:]], name=name, db_tablespace=None)
    return [(model.app, migrations.AddIndex(model_name=model.name.lower(), index=index))]


@st.composite
def rename_index(draw: st.DrawFn, schema: Schema) -> list[Step]:
    models_with = [m for m in schema.models.values() if m.indexes]
    if not models_with:
        return []
    model = draw(st.sampled_from(sorted(models_with, key=lambda m: m.key)))
    old = draw(st.sampled_from(sorted(model.indexes)))
    new = schema.fresh("ix")
    model.indexes[new] = model.indexes.pop(old)
    return [(model.app, migrations.RenameIndex(model_name=model.name.lower(), new_name=new, old_name=old))]


@st.composite
def remove_index(draw: st.DrawFn, schema: Schema) -> list[Step]:
    models_with = [m for m in schema.models.values() if m.indexes]
    if not models_with:
        return []
    model = draw(st.sampled_from(sorted(models_with, key=lambda m: m.key)))
    name = draw(st.sampled_from(sorted(model.indexes)))
    del model.indexes[name]
    return [(model.app, migrations.RemoveIndex(model_name=model.name.lower(), name=name))]


@st.composite
def add_constraint(draw: st.DrawFn, schema: Schema) -> list[Step]:
    model = pick_model(draw, schema, need_fields=True)
    if model is None:
        return []
    name = schema.fresh("ck")
    constraint: Any
    if draw(st.booleans()):
        names = draw(st.lists(st.sampled_from(model.plain_fields()), min_size=1, max_size=2, unique=True))
        shape = draw(st.sampled_from(["fields", "deferrable", "condition", "expression", "nulls"]))
        if shape == "deferrable":
            deferrable = draw(st.sampled_from([models.Deferrable.DEFERRED, models.Deferrable.IMMEDIATE]))
            constraint = models.UniqueConstraint(fields=names, name=name, deferrable=deferrable)
        elif shape == "condition":
            condition = models.Q(**{f"{names[0]}__isnull": False}) | models.Q(pk__gt=5)
            constraint = models.UniqueConstraint(fields=names, name=name, condition=condition)
        elif shape == "expression":
            constraint = models.UniqueConstraint(Lower(names[0]), name=name, violation_error_message="taken")
        elif shape == "nulls" and HAS_DB_DEFAULT:
            constraint = models.UniqueConstraint(fields=names, name=name, nulls_distinct=draw(st.booleans()))
        else:
            constraint = models.UniqueConstraint(fields=names, name=name)
    else:
        names = [draw(st.sampled_from(model.plain_fields()))]
        spec = model.fields[names[0]]
        numeric = spec.kind in KINDS and KINDS[spec.kind][2]
        lookup = {f"{names[0]}__gte": 0} if numeric else {f"{names[0]}__isnull": False}
        constraint = models.CheckConstraint(name=name, **{CHECK_KWARG: models.Q(**lookup)})
    model.constraints[name] = tuple(names)
    return [(model.app, migrations.AddConstraint(model_name=model.name.lower(), constraint=constraint))]


@st.composite
def remove_constraint(draw: st.DrawFn, schema: Schema) -> list[Step]:
    models_with = [m for m in schema.models.values() if m.constraints]
    if not models_with:
        return []
    model = draw(st.sampled_from(sorted(models_with, key=lambda m: m.key)))
    name = draw(st.sampled_from(sorted(model.constraints)))
    del model.constraints[name]
    return [(model.app, migrations.RemoveConstraint(model_name=model.name.lower(), name=name))]


@st.composite
def alter_unique_together(draw: st.DrawFn, schema: Schema) -> list[Step]:
    model = pick_model(draw, schema, need_fields=True)
    if model is None:
        return []
    groups = draw(st.lists(
        st.lists(st.sampled_from(model.plain_fields()), min_size=1, max_size=2, unique=True).map(tuple),
        max_size=2, unique=True,
    ))
    model.unique_together = set(groups)
    return [(model.app, migrations.AlterUniqueTogether(name=model.name.lower(), unique_together=set(groups)))]


@st.composite
def alter_index_together(draw: st.DrawFn, schema: Schema) -> list[Step]:
    model = pick_model(draw, schema, need_fields=True)
    if model is None or not HAS_INDEX_TOGETHER:
        return []
    groups = draw(st.lists(
        st.lists(st.sampled_from(model.plain_fields()), min_size=1, max_size=2, unique=True).map(tuple),
        max_size=2, unique=True,
    ))
    model.index_together = set(groups)
    return [(model.app, migrations.AlterIndexTogether(name=model.name.lower(), index_together=set(groups)))]


@st.composite
def alter_model_table(draw: st.DrawFn, schema: Schema) -> list[Step]:
    model = pick_model(draw, schema)
    if model is None:
        return []
    table = draw(st.one_of(st.none(), st.just(f"t_{schema.fresh('x')}")))
    return [(model.app, migrations.AlterModelTable(name=model.name.lower(), table=table))]


@st.composite
def alter_model_options(draw: st.DrawFn, schema: Schema) -> list[Step]:
    model = pick_model(draw, schema, proxies=True)
    if model is None:
        return []
    options: dict[str, Any] = {}
    if draw(st.booleans()):
        options["verbose_name"] = draw(st.sampled_from(["thing", "item"]))
    if draw(st.booleans()):
        options["managed"] = draw(st.booleans())
    if draw(st.booleans()) and model.plain_fields() and not model.proxy:
        options["ordering"] = [draw(st.sampled_from(model.plain_fields()))]
    return [(model.app, migrations.AlterModelOptions(name=model.name.lower(), options=options))]


OPERATIONS = [
    create_model, create_model, add_field, add_field, alter_field, alter_field, rename_field, remove_field,
    rename_model, delete_model, add_index, remove_index, rename_index, add_constraint, remove_constraint,
    alter_unique_together, alter_index_together, alter_model_table, alter_model_options,
]


@st.composite
def wrapped(draw: st.DrawFn, step: Step) -> Step:
    """Sometimes the same state change, spelled as state operations of a special operation."""
    app, op = step
    how = draw(st.sampled_from(["plain"] * 6 + ["separate", "runsql"]))
    if how == "separate":
        both = draw(st.booleans())
        return app, migrations.SeparateDatabaseAndState(database_operations=[op] if both else [], state_operations=[op])
    if how == "runsql":
        return app, migrations.RunSQL("SELECT 1", reverse_sql=migrations.RunSQL.noop, state_operations=[op])
    return step


@st.composite
def operation_sequences(draw: st.DrawFn) -> list[Step]:
    schema = Schema()
    steps: list[Step] = []
    steps.extend(draw(create_model(schema)))
    for _ in range(draw(st.integers(1, 20))):
        choice = draw(st.sampled_from(OPERATIONS))
        for step in draw(choice(schema)):
            steps.append(draw(wrapped(step)))
        if draw(st.integers(0, 10)) == 0:
            code = migrations.RunPython.noop
            steps.append((draw(st.sampled_from(APPS)), migrations.RunPython(code, code)))
    return steps


@st.composite
def migration_cuts(draw: st.DrawFn, steps: list[Step]) -> list[bool]:
    """Where a new migration starts (always where the app changes)."""
    return [draw(st.integers(0, 3)) == 0 for _ in steps]


# --- the test ------------------------------------------------------------------------------
def write_migrations(root: Path, steps: list[Step], cuts: list[bool]) -> list[Path]:
    """Split the steps into migrations chained in order, written with Django's MigrationWriter."""
    chunks: list[tuple[str, list[Operation]]] = []
    for (app, op), cut in zip(steps, cuts, strict=True):
        if not chunks or chunks[-1][0] != app or cut:
            chunks.append((app, []))
        chunks[-1][1].append(op)
    counters = dict.fromkeys(APPS, 0)
    previous: tuple[str, str] | None = None
    last_of_app: dict[str, tuple[str, str]] = {}
    for app in APPS:
        directory = root / app / "migrations"
        directory.mkdir(parents=True)
        (directory / "__init__.py").write_text("")
    for app, operations in chunks:
        counters[app] += 1
        name = f"{counters[app]:04d}_step"
        migration = migrations.Migration(name, app)
        deps = [d for d in (last_of_app.get(app), previous) if d is not None]
        migration.dependencies = list(dict.fromkeys(deps))
        migration.operations = operations
        migration.initial = counters[app] == 1
        (root / app / "migrations" / f"{name}.py").write_text(MigrationWriter(migration).as_string())
        previous = last_of_app[app] = (app, name)
    return [root / app / "migrations" for app in APPS]


def reference_state(steps: list[Step], relations: bool = False) -> ProjectState:
    """Django's state after the steps; with ``relations``, one that keeps its reverse-relation index all
    along (as the replay's does), to compare the index itself."""
    state = ProjectState()
    if relations:
        state.resolve_fields_and_relations()
    for app, op in steps:
        op.state_forwards(app, state)
    return state


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_static_replay_matches_state_forwards(data: st.DataObject) -> None:
    steps = data.draw(operation_sequences(), label="operations")
    cuts = data.draw(migration_cuts(steps), label="cuts")
    expected = describe_state(reference_state(steps))
    with tempfile.TemporaryDirectory(prefix="safemigrate-hypo-") as tmp:
        paths = write_migrations(Path(tmp), steps, cuts)
        analysis = Engine(Config()).analyze(paths)
        problems = [p for m in analysis.project.migrations for p in m.problems]
        actual = describe_state(analysis.replayer.state)
        drift = index_drift(analysis.replayer.state, reference_state(steps, relations=True))
    assert not problems, problems
    assert not drift, drift
    assert analysis.migrations_loaded == sum(1 for i, c in enumerate(cuts) if i == 0 or c or steps[i][0] != steps[i - 1][0])
    differences = diff_states(expected, actual)
    assert not differences, format_diff(differences)


def test_operation_sequences_cover_every_operation() -> None:
    """The strategy does produce every kind of operation (a guard against a vacuous generator)."""
    seen: set[str] = set()

    @settings(max_examples=300, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(steps=operation_sequences())
    def collect(steps: list[Step]) -> None:
        for _, op in steps:
            seen.add(type(op).__name__)
            seen.update(type(child).__name__ for child in getattr(op, "state_operations", []))

    collect()
    wanted = {
        "SeparateDatabaseAndState", "RunSQL", "RunPython", "RenameIndex", "AlterIndexTogether", "CreateModel", "AddField", "AlterField", "RenameField", "RemoveField", "RenameModel", "DeleteModel",
        "AddIndex", "RemoveIndex", "AddConstraint", "RemoveConstraint", "AlterUniqueTogether", "AlterModelTable",
        "AlterModelOptions",
    }
    assert wanted <= seen, sorted(wanted - seen)


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__, "-q"])
