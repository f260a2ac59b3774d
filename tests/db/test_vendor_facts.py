"""Prove the vendor- and version-dependent verdicts against the real servers.

MariaDB 10.11: every ALTER TABLE / CREATE INDEX / DROP INDEX Django emits is run with the cheapest
``ALGORITHM``/``LOCK`` the server accepts (``run_operation(..., algorithms=True)``: ``INSTANT``, then
``NOCOPY, LOCK=NONE``, ``INPLACE, LOCK=NONE``, ... ``COPY``; a refused clause changes nothing). The
classification in ``safemigrate.vendors.mysql_online_ddl`` must name the same statements with the same
algorithm, operation by operation, and the MySQL-family rules must flag exactly the operations the
server could only run with ``ALGORITHM=COPY`` (every ``LOCK=NONE`` refused: writes blocked).

PostgreSQL 15: the version-dependent facts on the modern side (``ADD COLUMN`` with a constant default
is a catalog change from PostgreSQL 11). PostgreSQL 10 and 11 and MySQL can't run here: their verdicts
are unit-tested against the target in ``tests/rules/test_vendors.py`` and documented as inferred from
the vendors' manuals (see ``safemigrate/vendors.py``).

SQLite: PostgreSQL-only operations fail there too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from safemigrate.config import Config
from safemigrate.context import OperationContext
from safemigrate.engine import Engine
from safemigrate.lint import lint_project
from safemigrate.rules import REGISTRY
from safemigrate.schema import FieldInfo
from safemigrate.vendors import COPY, INPLACE, INSTANT, adds_column_instantly, mysql_online_ddl
from tests.db.harness import Report, ok, proofs, proves, run_operation

# The runner's base schema (run_operation.base_operations) as a migration file, for the static engine.
RUNNER_BASE = """
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            "Customer",
            [("id", models.BigAutoField(primary_key=True)), ("name", models.CharField(max_length=100))],
        ),
        migrations.CreateModel(
            "Product",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("name", models.CharField(max_length=100)),
                ("sku", models.CharField(max_length=32, db_index=True)),
                ("quantity", models.IntegerField()),
                ("note", models.CharField(max_length=50, null=True)),
                ("customer", models.ForeignKey("shop.customer", on_delete=django.db.models.deletion.CASCADE)),
            ],
            options={"indexes": [models.Index(fields=["quantity"], name="shop_product_qty_idx")]},
        ),
    ]
"""
HEADER = """
from django.contrib.postgres.operations import (
    AddConstraintNotValid, AddIndexConcurrently, RemoveIndexConcurrently, ValidateConstraint,
)
from django.db import migrations, models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils import timezone


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
"""
MARIADB = Config(database="mariadb", mariadb_version="10.11")
# The runner's accepted clause -> (algorithm, rebuilds the table), as vendors.OnlineDDL names them.
ACCEPTED = {
    "ALGORITHM=INSTANT": (INSTANT, False),
    "ALGORITHM=NOCOPY, LOCK=NONE": (INPLACE, False),
    "ALGORITHM=INPLACE, LOCK=NONE": (INPLACE, True),
    "ALGORITHM=COPY, LOCK=SHARED": (COPY, True),
}
LOCK_NONE = ("ALGORITHM=NOCOPY, LOCK=NONE", "ALGORITHM=INPLACE, LOCK=NONE")


def write_ops(tmp_path: Path, operations: list[str]) -> Path:
    """A project with the runner's base schema and a migration 0002_ops holding ``operations``."""
    migrations = tmp_path / "project" / "shop" / "migrations"
    migrations.mkdir(parents=True)
    (migrations.parent / "__init__.py").touch()
    (migrations / "__init__.py").touch()
    (migrations / "0001_initial.py").write_text(RUNNER_BASE, encoding="utf-8")
    body = "".join(f"        {op},\n" for op in operations)
    path = migrations / "0002_ops.py"
    path.write_text(HEADER + body + "    ]\n", encoding="utf-8")
    return path


def judged(tmp_path: Path, operations: list[str], config: Config) -> list[OperationContext]:
    """The static engine's contexts for the operations of such a migration."""
    analysis = Engine(config).analyze([write_ops(tmp_path, operations)])
    migration = next(m for m in analysis.project.migrations if m.name == "0002_ops")
    return [ctx for ctx in migration.operations if ctx.parent is None]


def lint_ops(tmp_path: Path, operations: list[str], config: Config) -> list[tuple[str, int | None]]:
    """(rule, operation index) of every finding, all rules, for such a migration deployed to ``config``'s database."""
    analysis = Engine(config).analyze([write_ops(tmp_path, operations)])
    findings = lint_project(analysis, [rule for _, rule in sorted(REGISTRY.items())]).findings
    return [(f.rule, f.operation_index) for f in findings]


def added(ctx: OperationContext) -> tuple[FieldInfo, Any]:
    """An AddField's field as the state has it, and as the operation spells it."""
    assert ctx.after is not None
    info = ctx.after.field(getattr(ctx.operation, "name", ""))
    assert info is not None
    return info, getattr(ctx.operation, "field", None)


def measured(report: Report, count: int) -> dict[int, list[tuple[str, bool]]]:
    out: dict[int, list[tuple[str, bool]]] = {i: [] for i in range(count)}
    for entry in report["algorithms"]:
        assert entry["accepted"] in ACCEPTED, entry
        out[entry["operation"]].append(ACCEPTED[entry["accepted"]])
    return out


# Each batch runs as one migration; the static replay sees the same sequence, so operations may build on
# the ones before them. Comments give what the server accepted (MariaDB 10.11.19).
BATCHES = {
    "add-column": [
        'migrations.AddField("product", "a_null", models.IntegerField(null=True))',  # INSTANT
        'migrations.AddField("product", "a_default", models.IntegerField(default=0))',  # INSTANT, DROP DEFAULT INSTANT
        'migrations.AddField("product", "a_default_null", models.IntegerField(default=0, null=True))',  # INSTANT x2
        'migrations.AddField("product", "a_db_default", models.IntegerField(db_default=0))',  # INSTANT
        'migrations.AddField("product", "a_now", models.DateTimeField(db_default=Now()))',  # INSTANT
        'migrations.AddField("product", "a_uuid", models.CharField(max_length=36, db_default=models.Func(function="UUID")))',
        'migrations.AddField("product", "a_rand", models.FloatField(db_default=models.Func(function="RAND")))',  # INSTANT
        'migrations.AddField("product", "a_text", models.TextField(default=""))',  # INSTANT, then an UPDATE
        'migrations.AddField("product", "a_text_x", models.TextField(default="x"))',  # INSTANT x2
        'migrations.AddField("product", "a_unique", models.CharField(max_length=20, null=True, unique=True))',  # INPLACE rebuild
        'migrations.AddField("product", "a_indexed", models.CharField(max_length=20, null=True, db_index=True))',  # INSTANT, NOCOPY
        'migrations.AddField("product", "a_fk", models.ForeignKey("shop.customer", models.CASCADE, null=True, related_name="+"))',
        'migrations.AddField("product", "a_fk_free", models.ForeignKey("shop.customer", models.CASCADE, null=True, related_name="+", db_constraint=False))',
        'migrations.AddField("product", "a_positive", models.PositiveIntegerField(default=0))',  # INSTANT (MySQL: COPY)
        'migrations.AddField("product", "a_json", models.JSONField(null=True))',  # INSTANT
    ],
    "alter-column": [
        'migrations.AlterField("product", "name", models.CharField(max_length=200))',  # varchar grow: INSTANT
        'migrations.AlterField("product", "note", models.CharField(max_length=63, null=True))',  # 200 -> 252 bytes: INSTANT
        'migrations.AlterField("product", "sku", models.CharField(max_length=40, db_index=True))',  # INSTANT
        'migrations.AlterField("product", "quantity", models.BigIntegerField())',  # COPY
        'migrations.AlterField("product", "note", models.CharField(max_length=64, null=True))',  # 252 -> 256 bytes: COPY
        'migrations.AlterField("product", "name", models.CharField(max_length=50))',  # shrink: COPY
        'migrations.AlterField("product", "quantity", models.PositiveBigIntegerField())',  # COPY, ADD CHECK COPY
        'migrations.AlterField("product", "note", models.TextField(null=True))',  # COPY
    ],
    "null-default-index": [
        'migrations.AlterField("product", "note", models.CharField(max_length=50, default="x"))',  # SET DEFAULT, MODIFY NOT NULL (INPLACE rebuild), DROP DEFAULT
        'migrations.AlterField("product", "name", models.CharField(max_length=100, null=True))',  # INPLACE rebuild
        'migrations.AlterField("product", "quantity", models.IntegerField(db_default=5))',  # INSTANT
        'migrations.AlterField("product", "quantity", models.IntegerField(default=3, db_default=5))',  # no SQL
        'migrations.AlterField("product", "name", models.CharField(max_length=100, null=True, db_index=True))',  # NOCOPY
        'migrations.AlterField("product", "sku", models.CharField(max_length=32))',  # DROP INDEX: NOCOPY
        'migrations.AlterField("product", "sku", models.CharField(max_length=32, unique=True))',  # NOCOPY
    ],
    "foreign-key": [
        'migrations.AlterField("product", "customer", models.ForeignKey("shop.customer", models.CASCADE, null=True))',
        'migrations.AlterField("product", "customer", models.ForeignKey("shop.customer", models.CASCADE, null=True, default=1))',
        'migrations.AlterField("product", "customer", models.ForeignKey("shop.customer", models.CASCADE, null=True, default=1, help_text="x"))',
        'migrations.RenameField("product", "customer", "buyer")',  # DROP FK, RENAME COLUMN INSTANT, ADD FK COPY
        'migrations.AlterField("product", "buyer", models.ForeignKey("shop.customer", models.CASCADE, null=True, default=1, db_constraint=False))',
    ],
    "indexes-constraints": [
        'migrations.AddIndex("product", models.Index(fields=["name"], name="product_name_idx"))',  # NOCOPY
        'migrations.RemoveIndex("product", "shop_product_qty_idx")',  # NOCOPY
        'migrations.RenameIndex("product", new_name="product_name_idx2", old_name="product_name_idx")',  # INSTANT
        'migrations.AddConstraint("product", models.UniqueConstraint(fields=["sku"], name="sku_uniq"))',  # NOCOPY
        'migrations.AddConstraint("product", models.CheckConstraint(condition=Q(quantity__gte=0), name="qty_pos"))',  # COPY
        'migrations.RemoveConstraint("product", "qty_pos")',  # INSTANT
        'migrations.RemoveConstraint("product", "sku_uniq")',  # NOCOPY
        'migrations.AlterUniqueTogether("product", {("name", "sku")})',  # NOCOPY
        'migrations.AddIndex("product", models.Index(fields=["note"], name="product_note_part", condition=Q(quantity__gt=0)))',
    ],
    "remove-rename": [
        'migrations.RenameField("product", "name", "title")',  # INSTANT
        'migrations.RemoveField("product", "note")',  # INSTANT
        'migrations.RemoveField("product", "customer")',  # DROP FK INSTANT, DROP COLUMN (and its index) NOCOPY
        'migrations.RemoveField("product", "sku")',  # indexed: NOCOPY
    ],
}


@proves("ZDM221", "ZDM201", "ZDM202", "ZDM203", "ZDM205", "ZDM301", "ZDM302")
@pytest.mark.parametrize("batch", sorted(BATCHES))
def test_mariadb_algorithms_match_the_classification(maria_db: str, tmp_path: Path, batch: str) -> None:
    operations = BATCHES[batch]
    r = run_operation(maria_db, operations, algorithms=True)
    assert r["error"] is None, r.explain()
    server = measured(r, len(operations))
    contexts = judged(tmp_path / "static", operations, MARIADB)
    assert len(contexts) == len(operations)
    for index, ctx in enumerate(contexts):
        ours = [(step.algorithm, step.rebuild) for step in mysql_online_ddl(ctx)]
        statements = [e["sql"] for e in r["algorithms"] if e["operation"] == index]
        assert ours == server[index], f"{operations[index]}\n  server: {server[index]} {statements}\n  ours: {ours}"
    # What needs COPY can't keep writes going: the server refused every LOCK=NONE for it.
    for entry in r["algorithms"]:
        if entry["accepted"].startswith("ALGORITHM=COPY"):
            assert all(clause in entry["refused"] for clause in LOCK_NONE), entry
    # The MySQL-family rule flags exactly the operations that copy; PostgreSQL's lock rules say nothing.
    copying = {i for i, steps in server.items() if any(algorithm == COPY for algorithm, _ in steps)}
    findings = lint_ops(tmp_path / "lint", operations, MARIADB)
    assert {i for rule, i in findings if rule == "ZDM221"} == copying, findings
    pg_lock_rules = {"ZDM201", "ZDM202", "ZDM203", "ZDM204", "ZDM205", "ZDM206", "ZDM301", "ZDM302"}
    assert not [f for f in findings if f[0] in pg_lock_rules], findings


@proves("ZDM221")
def test_mariadb_copy_blocks_writes_but_old_code_works_after(maria_db: str) -> None:
    r = run_operation(maria_db, ['migrations.AlterField("product", "quantity", models.BigIntegerField())'], algorithms=True)
    assert r["error"] is None, r.explain()
    (entry,) = r["algorithms"]
    assert entry["accepted"] == "ALGORITHM=COPY, LOCK=SHARED", r.explain()
    assert "Cannot change column type" in entry["refused"]["ALGORITHM=INSTANT"]
    assert all(ok(r.old_after(action)) for action in ("select", "insert", "update")), r.explain()


@proves("ZDM221")
def test_mariadb_foreign_key_added_in_place_without_checks(maria_db: str) -> None:
    # The safe form ZDM221's help gives: with foreign_key_checks off, InnoDB adds the constraint in place.
    r = run_operation(
        maria_db,
        [
            'migrations.AddField("product", "buyer", models.ForeignKey("shop.customer", models.CASCADE, '
            'null=True, related_name="+", db_constraint=False))',
            'migrations.RunSQL(["SET SESSION foreign_key_checks = 0", "ALTER TABLE shop_product ADD CONSTRAINT '
            'buyer_fk FOREIGN KEY (buyer_id) REFERENCES shop_customer (id), ALGORITHM=INPLACE, LOCK=NONE", '
            '"SET SESSION foreign_key_checks = 1"])',
        ],
        algorithms=True,
    )
    assert r["error"] is None, r.explain()
    assert [e["accepted"] for e in r["algorithms"] if e["operation"] == 0] == [
        "ALGORITHM=INSTANT", "ALGORITHM=NOCOPY, LOCK=NONE",
    ], r.explain()


@proves("ZDM614")
def test_mariadb_failed_migration_leaves_earlier_operations_applied(maria_db: str, tmp_path: Path) -> None:
    operations = [
        'migrations.AddField("product", "stock", models.IntegerField(null=True))',
        # 'product 12345' doesn't fit: strict mode fails the ALTER ("Data too long").
        'migrations.AlterField("product", "name", models.CharField(max_length=5))',
    ]
    r = run_operation(maria_db, operations, atomic=True)
    assert r["error"] is not None and "'name'" in r["error"]["message"], r.explain()
    assert "stock" in r["columns_after"], r.explain()  # the first operation stayed: no rollback
    # Running the migration again fails on the first operation.
    again = run_operation(maria_db, operations[:1])
    assert again["error"] is not None and "Duplicate column" in again["error"]["message"], again.explain()
    findings = lint_ops(tmp_path, operations, MARIADB)
    assert ("ZDM614", None) in findings
    assert not [f for f in lint_ops(tmp_path / "pg", operations, Config()) if f[0] == "ZDM614"]


POSTGRESQL_ONLY = [
    ('AddIndexConcurrently("product", models.Index(fields=["name"], name="product_name_idx"))', "TypeError"),
    ('RemoveIndexConcurrently("product", "shop_product_qty_idx")', "TypeError"),
    (
        'AddConstraintNotValid("product", models.CheckConstraint(condition=Q(quantity__gte=0), name="qty_pos"))',
        "ProgrammingError",
    ),
]


@proves("ZDM615")
@pytest.mark.parametrize(("operation", "error"), POSTGRESQL_ONLY, ids=["add-concurrently", "remove-concurrently", "not-valid"])
def test_postgresql_only_operations_fail_on_mariadb(maria_db: str, tmp_path: Path, operation: str, error: str) -> None:
    r = run_operation(maria_db, [operation], atomic=False)
    assert r["error"] is not None and r["error"]["type"] == error, r.explain()
    assert ("ZDM615", 0) in lint_ops(tmp_path, [operation], MARIADB)


@proves("ZDM615")
def test_validate_constraint_fails_on_mariadb(maria_db: str, tmp_path: Path) -> None:
    setup = ['migrations.AddConstraint("product", models.CheckConstraint(condition=Q(quantity__gte=0), name="q"))']
    r = run_operation(maria_db, ['ValidateConstraint("product", "q")'], setup=setup)
    assert r["error"] is not None and "syntax" in r["error"]["message"], r.explain()


@proves("ZDM615")
def test_postgresql_only_operation_fails_on_sqlite(tmp_path: Path) -> None:
    operation = POSTGRESQL_ONLY[0][0]
    r = run_operation(f"sqlite:///{tmp_path / 'db.sqlite3'}", [operation], atomic=False)
    assert r["error"] is not None and r["error"]["type"] == "TypeError", r.explain()
    findings = lint_ops(tmp_path / "lint", [operation], Config(database="sqlite"))
    assert [f for f in findings if f[0].startswith(("ZDM2", "ZDM3", "ZDM615"))] == [("ZDM615", 0)]


@proves("ZDM303")
@pytest.mark.parametrize(
    "field",
    [
        "models.IntegerField(default=0)",
        "models.IntegerField(default=0, null=True)",
        "models.IntegerField(db_default=0)",
        "models.DateTimeField(db_default=Now())",
        "models.CharField(max_length=10, blank=True)",  # Django's implicit '' default
    ],
)
def test_postgres_15_adds_a_column_with_a_default_without_rewrite(pg_db: str, tmp_path: Path, field: str) -> None:
    # The fact PostgreSQL 11 brought, that ZDM303 is silent for: what it reports before 11 is inferred from the
    # release notes (a rewrite of every row to store the default).
    operation = f'migrations.AddField("product", "stock", {field})'
    r = run_operation(pg_db, [operation])
    assert r["error"] is None, r.explain()
    assert any(" DEFAULT " in sql for sql in r["sql"]), r.explain()
    assert not r.rewritten(), r.explain()
    assert r.index_changes() == {}, r.explain()
    (ctx,) = judged(tmp_path / "pg15", [operation], Config(postgresql_version=15))
    assert adds_column_instantly(ctx.migration.target, *added(ctx))
    pg10 = Config(postgresql_version=10)
    (ctx10,) = judged(tmp_path / "pg10", [operation], pg10)
    assert not adds_column_instantly(ctx10.migration.target, *added(ctx10))
    assert ("ZDM303", 0) in lint_ops(tmp_path / "lint10", [operation], pg10)
    assert not [f for f in lint_ops(tmp_path / "lint15", [operation], Config()) if f[0] == "ZDM303"]


PROVES = proofs(globals())
