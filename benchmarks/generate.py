"""Generate a synthetic Django project full of realistic migrations.

The output is a plain Django project (``manage.py`` + ``settings.py`` at the root, one
package per app) whose migrations look like what ``makemigrations`` writes.  A small
in-memory model of the schema is kept while generating, so every migration is valid:
fields that are altered, removed or renamed exist at that point, foreign keys only point
at models that already exist (with a dependency on the migration creating them), and
index / constraint names are unique across the database.

Usage::

    python benchmarks/generate.py OUT_DIR --apps 40 --migrations 50 [--seed 1]

The generator is deterministic for a given (apps, migrations, seed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

APP_WORDS = [
    "accounts", "billing", "catalog", "orders", "shipping", "inventory", "reviews", "payments",
    "support", "analytics", "marketing", "profiles", "content", "search", "notifications",
    "reports", "partners", "pricing", "loyalty", "warehouse",
]  # fmt: skip

MODEL_WORDS = [
    "Customer", "Order", "Invoice", "Product", "Category", "Shipment", "Address", "Payment",
    "Review", "Ticket", "Campaign", "Coupon", "Supplier", "Warehouse", "Stock", "Refund",
    "Subscription", "Plan", "Message", "Attachment", "Tag", "Event", "Report", "Contract",
]  # fmt: skip

FIELD_WORDS: dict[str, list[str]] = {
    "char": ["title", "name", "slug", "code", "status", "label", "reference", "email", "phone", "city", "country"],
    "text": ["notes", "body", "summary", "comment", "description"],
    "int": ["quantity", "position", "priority", "count", "score", "rank", "level", "attempts"],
    "decimal": ["price", "amount", "total", "balance", "discount", "tax_rate", "weight"],
    "datetime": ["created_at", "updated_at", "published_at", "expires_at", "last_seen", "processed_at"],
    "bool": ["is_active", "is_public", "archived", "verified", "enabled", "featured"],
}

FIELD_CLASS = {
    "char": "CharField",
    "text": "TextField",
    "int": "IntegerField",
    "bigint": "BigIntegerField",
    "decimal": "DecimalField",
    "datetime": "DateTimeField",
    "bool": "BooleanField",
    "fk": "ForeignKey",
    "auto": "BigAutoField",
}

CASCADE = "django.db.models.deletion.CASCADE"
SET_NULL = "django.db.models.deletion.SET_NULL"
USER_MODEL = "settings.AUTH_USER_MODEL"


class Raw(str):
    """A Python expression rendered verbatim (not quoted) in the generated source."""


# --------------------------------------------------------------------------- rendering


def literal(value: Any) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


def call(func: str, kwargs: list[tuple[str, Any]], indent: int, args: tuple[Any, ...] = ()) -> str:
    """Render ``func(*args, **kwargs)`` on one line when it fits, else one argument per line (black style)."""
    parts = [literal(a) for a in args] + [f"{k}={literal(v)}" for k, v in kwargs]
    one_line = f"{func}({', '.join(parts)})"
    if indent + len(one_line) <= 88:
        return one_line
    pad = " " * (indent + 4)
    return f"{func}(\n" + "".join(f"{pad}{p},\n" for p in parts) + " " * indent + ")"


# --------------------------------------------------------------------------- schema state


@dataclass
class Field:
    kind: str
    kwargs: list[tuple[str, Any]]
    locked: bool = False  # referenced by an index/constraint/data migration: never removed, renamed or altered

    def render(self, indent: int) -> str:
        return call(f"models.{FIELD_CLASS[self.kind]}", sorted(self.kwargs), indent)


@dataclass
class Model:
    app: str
    name: str  # class name, e.g. "Order"
    fields: dict[str, Field] = field(default_factory=dict)
    fk_targets: set[str] = field(default_factory=set)  # avoid two FKs to one target (reverse accessor clash)

    @property
    def lower(self) -> str:
        return self.name.lower()

    @property
    def table(self) -> str:
        return f"{self.app}_{self.lower}"


@dataclass
class App:
    label: str
    models: dict[str, Model] = field(default_factory=dict)  # keyed by lower-case model name
    migrations: list[str] = field(default_factory=list)
    created_in: dict[str, str] = field(default_factory=dict)  # model lower name -> migration name


@dataclass
class MigrationDraft:
    app: App
    number: int
    operations: list[str] = field(default_factory=list)
    name_parts: list[str] = field(default_factory=list)
    dependencies: set[tuple[str, str]] = field(default_factory=set)
    functions: list[str] = field(default_factory=list)
    uses_settings: bool = False


class Generator:
    def __init__(self, n_apps: int, n_migrations: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.n_migrations = n_migrations
        self.apps = [App(self._app_label(i)) for i in range(n_apps)]
        self.counter = 0  # global counter for database-wide unique index / constraint names
        self.clock = dt.datetime(2023, 1, 2, 9, 0)

    @staticmethod
    def _app_label(i: int) -> str:
        return f"{APP_WORDS[i % len(APP_WORDS)]}_{i:02d}"

    def _next_id(self) -> int:
        self.counter += 1
        return self.counter

    # ----------------------------------------------------------------- fields

    def _field_name(self, model: Model, kind: str) -> str:
        base = self.rng.choice(FIELD_WORDS["int" if kind == "bigint" else kind])
        name, n = base, 2
        while name in model.fields:
            name, n = f"{base}_{n}", n + 1
        return name

    def _new_plain_field(self, kind: str, *, for_add: bool = False) -> Field:
        rng = self.rng
        kw: list[tuple[str, Any]]
        if kind == "char":
            kw = [("max_length", rng.choice([32, 64, 100, 128, 200, 255]))]
            if for_add or rng.random() < 0.3:
                kw = (
                    [("blank", True), ("default", ""), *kw]
                    if rng.random() < 0.6
                    else [("blank", True), *kw, ("null", True)]
                )
            elif rng.random() < 0.2:
                kw.append(("db_index", True))
        elif kind == "text":
            kw = [("blank", True)] + ([("null", True)] if for_add and rng.random() < 0.5 else [("default", "")])
        elif kind == "int":
            kw = [("default", rng.choice([0, 1, 10]))] if rng.random() < 0.6 else [("blank", True), ("null", True)]
        elif kind == "decimal":
            kw = [("decimal_places", 2), ("max_digits", rng.choice([8, 10, 12]))]
            if for_add or rng.random() < 0.4:
                kw = [("decimal_places", 2), ("default", Raw('Decimal("0.00")')), ("max_digits", kw[1][1])]
        elif kind == "datetime":
            r = rng.random()
            if r < 0.3 and not for_add:
                kw = [("auto_now_add", True)]
            elif r < 0.45 and not for_add:
                kw = [("auto_now", True)]
            else:
                kw = [("blank", True), ("null", True)]
        elif kind == "bool":
            kw = [("default", rng.random() < 0.3)]
        else:
            raise ValueError(kind)
        return Field(kind, kw)

    def _fk_field(self, target: str, nullable: bool) -> Field:
        to: Any = Raw(USER_MODEL) if target == USER_MODEL else target
        kw: list[tuple[str, Any]] = []
        if nullable:
            kw += [("blank", True), ("null", True), ("on_delete", Raw(SET_NULL))]
        else:
            kw.append(("on_delete", Raw(CASCADE)))
        kw.append(("to", to))
        return Field("fk", kw)

    def _pick_fk_target(self, draft: MigrationDraft, model: Model, pool_models: list[Model]) -> Model | None:
        """Pick an existing model in this app or an earlier-generated one in another app."""
        candidates = [m for m in pool_models if f"{m.app}.{m.lower}" not in model.fk_targets and m is not model]
        if self.rng.random() < 0.5:
            others = [
                m
                for a in self.apps
                if a is not draft.app and a.models
                for m in a.models.values()
                if f"{m.app}.{m.lower}" not in model.fk_targets
            ]
            if others:
                return self.rng.choice(others)
        return self.rng.choice(candidates) if candidates else None

    def _depend_on_model(self, draft: MigrationDraft, target: Model) -> None:
        if target.app != draft.app.label:
            owner = next(a for a in self.apps if a.label == target.app)
            draft.dependencies.add((target.app, owner.created_in[target.lower]))

    # ----------------------------------------------------------------- operations

    def _create_model(self, draft: MigrationDraft, *, same_migration: list[Model]) -> Model:
        app = draft.app
        base = self.rng.choice(MODEL_WORDS)
        name, n = base, 2
        while name.lower() in app.models or any(m.name == name for m in same_migration):
            name, n = f"{base}{n}", n + 1
        model = Model(app.label, name)
        n_fields = self.rng.randint(5, 15)
        kinds = ["char", "char", "text", "int", "decimal", "datetime", "bool"]
        existing = list(app.models.values()) + same_migration
        for _ in range(n_fields):
            if self.rng.random() < 0.15:
                target = self._pick_fk_target(draft, model, existing)
                if target is not None:
                    fname = target.lower if target.lower not in model.fields else f"{target.lower}_ref"
                    if fname in model.fields:
                        continue
                    model.fields[fname] = self._fk_field(f"{target.app}.{target.lower}", nullable=False)
                    model.fk_targets.add(f"{target.app}.{target.lower}")
                    self._depend_on_model(draft, target)
                    continue
            kind = self.rng.choice(kinds)
            model.fields[self._field_name(model, kind)] = self._new_plain_field(kind)
        if self.rng.random() < 0.2 and "owner" not in model.fields:
            model.fields["owner"] = self._fk_field(USER_MODEL, nullable=self.rng.random() < 0.5)
            draft.dependencies.add((Raw("migrations.swappable_dependency(settings.AUTH_USER_MODEL)"), ""))
            draft.uses_settings = True

        id_field = Field(
            "auto", [("auto_created", True), ("primary_key", True), ("serialize", False), ("verbose_name", "ID")]
        )
        lines = ["        migrations.CreateModel(", f"            name={literal(name)},", "            fields=["]
        for fname, fld in [("id", id_field), *model.fields.items()]:
            one = f"                ({literal(fname)}, {fld.render(16)}),"
            if len(one) <= 88 and "\n" not in one:
                lines.append(one)
            else:
                pad = " " * 16
                lines.append(f"{pad}(\n{pad}    {literal(fname)},\n{pad}    {fld.render(20)},\n{pad}),")
        lines.append("            ],")
        if self.rng.random() < 0.4:
            first = next(iter(model.fields))
            model.fields[first].locked = True
            lines.append(f'            options={{"ordering": ["-{first}"]}},')
        lines.append("        ),")
        draft.operations.append("\n".join(lines))
        draft.name_parts.append(model.lower)
        return model

    def _add_field(self, draft: MigrationDraft, model: Model) -> None:
        if self.rng.random() < 0.15:
            target = self._pick_fk_target(draft, model, list(draft.app.models.values()))
            if target is not None and target.lower not in model.fields:
                fname = target.lower
                fld = self._fk_field(f"{target.app}.{target.lower}", nullable=True)
                model.fk_targets.add(f"{target.app}.{target.lower}")
                self._depend_on_model(draft, target)
                self._emit_add_field(draft, model, fname, fld, preserve_default=True)
                return
        kind = self.rng.choice(["char", "text", "int", "decimal", "datetime", "bool"])
        fname = self._field_name(model, kind)
        fld = self._new_plain_field(kind, for_add=True)
        preserve = True
        if kind in ("int", "bool") and self.rng.random() < 0.25:
            # the "provide a one-off default" answer of makemigrations
            fld = Field(kind, [("default", 0 if kind == "int" else False)])
            preserve = False
        self._emit_add_field(draft, model, fname, fld, preserve_default=preserve)

    def _emit_add_field(
        self, draft: MigrationDraft, model: Model, fname: str, fld: Field, *, preserve_default: bool
    ) -> None:
        kw: list[tuple[str, Any]] = [("model_name", model.lower), ("name", fname), ("field", Raw(fld.render(12)))]
        if not preserve_default:
            kw.append(("preserve_default", False))
            fld = Field(fld.kind, [k for k in fld.kwargs if k[0] != "default"])  # NOT NULL, no default from now on
        model.fields[fname] = fld
        draft.operations.append(self._op("AddField", kw))
        draft.name_parts.append(f"{model.lower}_{fname}")

    def _op(self, name: str, kwargs: list[tuple[str, Any]]) -> str:
        return f"        {call(f'migrations.{name}', kwargs, 8)},"

    def _mutable_fields(self, model: Model, kinds: tuple[str, ...] | None = None) -> list[str]:
        return [
            n for n, f in model.fields.items() if not f.locked and f.kind != "fk" and (kinds is None or f.kind in kinds)
        ]

    def _alter_field(self, draft: MigrationDraft, model: Model) -> bool:
        names = self._mutable_fields(model, ("char", "int", "decimal", "text", "bool"))
        if not names:
            return False
        fname = self.rng.choice(names)
        old = model.fields[fname]
        kw = dict(old.kwargs)
        kind = old.kind
        if kind == "char":
            choice = self.rng.random()
            if choice < 0.5:
                kw["max_length"] = int(kw["max_length"]) + self.rng.choice([32, 64, 100])
            elif choice < 0.75 and not kw.get("db_index"):
                kw["db_index"] = True
            else:
                kw["blank"], kw["null"] = True, True
                kw.pop("default", None)
        elif kind == "int":
            if self.rng.random() < 0.4:
                kind = "bigint"
            elif kw.get("null"):
                kw = {"default": 0}
            else:
                kw = {"blank": True, "null": True}
        elif kind == "decimal":
            kw["max_digits"] = int(kw["max_digits"]) + 2
        elif kind == "text":
            kw = {"blank": True, "null": True} if not kw.get("null") else {"blank": True, "default": ""}
        elif kind == "bool":
            kw["default"] = not kw.get("default", False)
            if self.rng.random() < 0.3:
                kw["db_index"] = True
        new = Field(kind, sorted(kw.items()))
        model.fields[fname] = new
        draft.operations.append(
            self._op("AlterField", [("model_name", model.lower), ("name", fname), ("field", Raw(new.render(12)))])
        )
        draft.name_parts.append(f"alter_{model.lower}_{fname}")
        return True

    def _remove_field(self, draft: MigrationDraft, model: Model) -> bool:
        names = [n for n, f in model.fields.items() if not f.locked]
        if len(model.fields) <= 3 or not names:
            return False
        fname = self.rng.choice(names)
        fld = model.fields.pop(fname)
        if fld.kind == "fk":
            model.fk_targets.discard(str(dict(fld.kwargs)["to"]))
        draft.operations.append(self._op("RemoveField", [("model_name", model.lower), ("name", fname)]))
        draft.name_parts.append(f"remove_{model.lower}_{fname}")
        return True

    def _rename_field(self, draft: MigrationDraft, model: Model) -> bool:
        names = self._mutable_fields(model)
        if not names:
            return False
        old = self.rng.choice(names)
        new = self._field_name(model, model.fields[old].kind)
        model.fields[new] = model.fields.pop(old)
        draft.operations.append(
            self._op("RenameField", [("model_name", model.lower), ("old_name", old), ("new_name", new)])
        )
        draft.name_parts.append(f"rename_{old}_{model.lower}_{new}")
        return True

    def _add_index(self, draft: MigrationDraft, model: Model) -> bool:
        names = [n for n, f in model.fields.items() if f.kind in ("char", "int", "datetime", "bool", "decimal")]
        if not names:
            return False
        cols = self.rng.sample(names, k=min(len(names), self.rng.choice([1, 1, 2])))
        for c in cols:
            model.fields[c].locked = True
        fields_expr: list[str] = [f"-{c}" if self.rng.random() < 0.15 and len(cols) == 1 else c for c in cols]
        iname = f"{model.lower[:10]}_{cols[0][:8]}_{self._next_id():05d}_idx"
        index = call("models.Index", [("fields", fields_expr), ("name", iname)], 12)
        draft.operations.append(self._op("AddIndex", [("model_name", model.lower), ("index", Raw(index))]))
        draft.name_parts.append(f"{model.lower}_{iname}")
        return True

    def _add_constraint(self, draft: MigrationDraft, model: Model) -> bool:
        numeric = [
            n for n, f in model.fields.items() if f.kind in ("int", "decimal") and not dict(f.kwargs).get("null")
        ]
        uniq = [n for n, f in model.fields.items() if f.kind in ("char", "fk", "int")]
        if numeric and (self.rng.random() < 0.5 or len(uniq) < 2):
            col = self.rng.choice(numeric)
            model.fields[col].locked = True
            cname = f"{model.lower[:12]}_{col[:10]}_gte_{self._next_id():05d}"
            expr = call(
                "models.CheckConstraint",
                [("condition", Raw(f"models.Q(({literal(col + '__gte')}, 0))")), ("name", cname)],
                12,
            )
        elif len(uniq) >= 2:
            cols = self.rng.sample(uniq, 2)
            for c in cols:
                model.fields[c].locked = True
            cname = f"uniq_{model.lower[:12]}_{self._next_id():05d}"
            expr = call("models.UniqueConstraint", [("fields", tuple(cols)), ("name", cname)], 12)
        else:
            return False
        draft.operations.append(self._op("AddConstraint", [("model_name", model.lower), ("constraint", Raw(expr))]))
        draft.name_parts.append(f"{model.lower}_{cname}")
        return True

    def _run_python(self, draft: MigrationDraft, model: Model) -> None:
        fn = f"backfill_{model.lower}_{len(draft.functions) + 1}"
        ints = [n for n, f in model.fields.items() if f.kind in ("int", "bigint") and dict(f.kwargs).get("null")]
        bools = [n for n, f in model.fields.items() if f.kind == "bool"]
        if ints:
            col = ints[0]
            model.fields[col].locked = True
            stmt = f"{model.name}.objects.filter({col}__isnull=True).update({col}=0)"
        elif bools:
            col = bools[0]
            model.fields[col].locked = True
            stmt = f"{model.name}.objects.filter({col}=False).update({col}=True)"
        else:
            stmt = f"{model.name}.objects.filter(pk__isnull=True).delete()"
        draft.functions.append(
            f"def {fn}(apps, schema_editor):\n"
            f"    {model.name} = apps.get_model({literal(model.app)}, {literal(model.name)})\n"
            f"    {stmt}\n"
        )
        draft.operations.append(f"        migrations.RunPython({fn}, migrations.RunPython.noop),")

    def _run_sql(self, draft: MigrationDraft, model: Model) -> None:
        ints = [n for n, f in model.fields.items() if f.kind in ("int", "bigint") and not dict(f.kwargs).get("null")]
        if ints and self.rng.random() < 0.6:
            col = ints[0]
            model.fields[col].locked = True
            sql = f"UPDATE {model.table} SET {col} = 0 WHERE {col} < 0;"
            reverse: Any = Raw("migrations.RunSQL.noop")
        else:
            iname = f"{model.table[:18]}_sql_{self._next_id():05d}"
            sql = f"CREATE INDEX {iname} ON {model.table} (id);"
            reverse = f"DROP INDEX {iname};"
        draft.operations.append(self._op("RunSQL", [("sql", sql), ("reverse_sql", reverse)]))

    # ----------------------------------------------------------------- migrations

    def _initial(self, app: App) -> MigrationDraft:
        draft = MigrationDraft(app, 1)
        created: list[Model] = []
        for _ in range(self.rng.randint(2, 5)):
            created.append(self._create_model(draft, same_migration=created))
        for m in created:
            app.models[m.lower] = m
        return draft

    def _later(self, app: App, number: int) -> MigrationDraft:
        draft = MigrationDraft(app, number)
        rng = self.rng
        draft.dependencies.add((app.label, app.migrations[-1]))
        ops = [
            ("add", 30), ("alter", 14), ("remove", 7), ("rename", 5), ("index", 10), ("constraint", 7),
            ("create", 8), ("python", 5), ("sql", 4),
        ]  # fmt: skip
        for _ in range(rng.choices([1, 2, 3, 4], weights=[55, 25, 12, 8])[0]):
            kind = rng.choices([k for k, _ in ops], weights=[w for _, w in ops])[0]
            model = rng.choice(list(app.models.values()))
            if kind == "create":
                new = self._create_model(draft, same_migration=[])
                app.models[new.lower] = new
                app.created_in[new.lower] = self._name_placeholder
            elif kind == "python":
                self._run_python(draft, model)
            elif kind == "sql":
                self._run_sql(draft, model)
            else:
                done = self._mutate(kind, draft, model)
                if not done:
                    self._add_field(draft, model)
        if rng.random() < 0.05:
            others = [a for a in self.apps if a is not app and a.migrations]
            if others:
                other = rng.choice(others)
                draft.dependencies.add((other.label, rng.choice(other.migrations)))
        return draft

    _name_placeholder = "\0pending"

    def _mutate(self, kind: str, draft: MigrationDraft, model: Model) -> bool:
        if kind == "alter":
            return self._alter_field(draft, model)
        if kind == "remove":
            return self._remove_field(draft, model)
        if kind == "rename":
            return self._rename_field(draft, model)
        if kind == "index":
            return self._add_index(draft, model)
        if kind == "constraint":
            return self._add_constraint(draft, model)
        self._add_field(draft, model)
        return True

    def _migration_name(self, draft: MigrationDraft) -> str:
        if draft.number == 1:
            base = "initial"
        elif not draft.name_parts:
            base = "auto_" + self.clock.strftime("%Y%m%d_%H%M")
        else:
            base = "_".join(draft.name_parts)
            if len(base) > 52:
                base = "auto_" + self.clock.strftime("%Y%m%d_%H%M")
        return f"{draft.number:04d}_{base}"

    def _render(self, draft: MigrationDraft) -> str:
        imports = []
        if draft.uses_settings:
            imports.append("from django.conf import settings")
        body = "\n".join(draft.operations)
        imports.append(
            "from django.db import migrations, models" if "models." in body else "from django.db import migrations"
        )
        head = ["import django.db.models.deletion"] if "django.db.models.deletion" in body else []
        if "Decimal(" in body:
            head.append("from decimal import Decimal")
        lines = [f"# Generated by Django 5.2 on {self.clock:%Y-%m-%d %H:%M}", ""]
        lines += head + imports + ["", ""]
        for fn in draft.functions:
            lines += [fn, ""]
        lines.append("class Migration(migrations.Migration):")
        if draft.number == 1:
            lines += ["", "    initial = True"]
        deps = sorted(draft.dependencies, key=lambda d: (not isinstance(d[0], Raw), str(d[0]), d[1]))
        lines += ["", "    dependencies = ["]
        for dep in deps:
            if isinstance(dep[0], Raw):
                lines.append(f"        {dep[0]},")
            else:
                lines.append(f"        ({literal(dep[0])}, {literal(dep[1])}),")
        lines += ["    ]", "", "    operations = [", body, "    ]", ""]
        return "\n".join(lines)

    def generate(self, out: Path) -> int:
        files: dict[Path, str] = {}
        for number in range(1, self.n_migrations + 1):
            for app in self.apps:
                draft = self._initial(app) if number == 1 else self._later(app, number)
                self.clock += dt.timedelta(minutes=self.rng.randint(5, 600))
                name = self._migration_name(draft)
                for lower, where in app.created_in.items():
                    if where == self._name_placeholder:
                        app.created_in[lower] = name
                if number == 1:
                    for lower in app.models:
                        app.created_in[lower] = name
                app.migrations.append(name)
                files[out / app.label / "migrations" / f"{name}.py"] = self._render(draft)
        for app in self.apps:
            files[out / app.label / "__init__.py"] = ""
            files[out / app.label / "migrations" / "__init__.py"] = ""
            files[out / app.label / "models.py"] = "from django.db import models  # noqa: F401\n"
            files[out / app.label / "apps.py"] = APPS_PY.format(
                cls="".join(p.capitalize() for p in app.label.split("_")) + "Config", label=app.label
            )
        files[out / "settings.py"] = SETTINGS_PY.format(apps="".join(f'    "{a.label}",\n' for a in self.apps))
        files[out / "manage.py"] = MANAGE_PY
        for path, text in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return len(self.apps) * self.n_migrations


APPS_PY = """from django.apps import AppConfig


class {cls}(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "{label}"
"""

SETTINGS_PY = '''"""Settings of a generated benchmark project (SQLite)."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
SECRET_KEY = "benchmark-only-not-secret"
DEBUG = False
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
{apps}]
# extra apps (e.g. a peer linter providing a management command), comma separated
INSTALLED_APPS += [a for a in os.environ.get("BENCH_EXTRA_APPS", "").split(",") if a]

DATABASES = {{
    "default": {{
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("BENCH_DB_NAME", str(BASE_DIR / "db.sqlite3")),
    }}
}}
'''

MANAGE_PY = """#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
"""


def generate(out: Path, n_apps: int, n_migrations: int, seed: int = 1) -> int:
    """Write the project into ``out``; return the number of migrations written."""
    if n_apps < 1 or n_migrations < 1:
        raise ValueError("need at least one app and one migration")
    return Generator(n_apps, n_migrations, seed).generate(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--apps", type=int, default=40)
    parser.add_argument("--migrations", type=int, default=50, help="migrations per app")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    count = generate(args.out_dir, args.apps, args.migrations, args.seed)
    print(f"wrote {count} migrations ({args.apps} apps x {args.migrations}) to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
