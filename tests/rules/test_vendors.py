"""The same migration judged for different databases and versions (config ``database`` / ``*_version``).

The verdicts for PostgreSQL 15 and MariaDB 10.11 are proven against the real servers in
tests/db/test_vendor_facts.py; the ones for versions and vendors not on this machine (PostgreSQL 10
and 11, MySQL) are checked here against the target alone, as the vendors' manuals give them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from safemigrate.config import Config
from safemigrate.context import OperationContext
from safemigrate.engine import Engine
from safemigrate.findings import Finding
from safemigrate.vendors import _MYSQL_TYPES, COPY, INPLACE, INSTANT, adds_column_instantly, mysql_online_ddl
from tests.rule_examples import lint_migrations, write_project

HEADER = """
import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q
"""

PG = Config()
PG10 = Config(postgresql_version=10)
PG11 = Config(postgresql_version="11.22")
PG12 = Config(postgresql_version=12)
MARIADB = Config(database="mariadb")
MYSQL = Config(database="mysql")
SQLITE = Config(database="sqlite")


def migration(*operations: str, atomic: bool = True, name: str = "0002_change", depends: str = "0001_initial") -> str:
    body = "".join(f"        {op},\n" for op in operations)
    atomic_line = "" if atomic else "    atomic = False\n"
    return (
        HEADER
        + f"\n\nclass Migration(migrations.Migration):\n{atomic_line}"
        + f'    dependencies = [("shop", "{depends}")]\n    operations = [\n{body}    ]\n'
    )


def rules(tmp_path: Path, config: Config, *operations: str, atomic: bool = True) -> list[str]:
    """The rule IDs flagged (sorted, repeated per finding) for one migration deployed to ``config``'s database."""
    findings = lint_migrations(tmp_path, [("0002_change.py", migration(*operations, atomic=atomic))], config=config)
    return sorted(f.rule for f in findings)


def findings(tmp_path: Path, config: Config, *operations: str, atomic: bool = True) -> list[Finding]:
    return lint_migrations(tmp_path, [("0002_change.py", migration(*operations, atomic=atomic))], config=config)


def contexts(tmp_path: Path, config: Config, *operations: str) -> list[OperationContext]:
    project = write_project(tmp_path, [("0002_change.py", migration(*operations))])
    analysis = Engine(config).analyze([project / "shop" / "migrations" / "0002_change.py"])
    target = next(m for m in analysis.project.migrations if m.name == "0002_change")
    return [ctx for ctx in target.operations if ctx.parent is None]


BIGINT = 'migrations.AlterField("product", "quantity", models.BigIntegerField(default=0))'
ADD_INDEX = 'migrations.AddIndex("product", models.Index(fields=["sku"], name="product_sku_idx"))'
REMOVE_INDEX = 'migrations.RemoveIndex("product", "product_name_idx")'
ADD_FK = (
    'migrations.AddField("order", "referrer", models.ForeignKey("shop.customer", '
    'django.db.models.deletion.SET_NULL, null=True, related_name="+"))'
)
ADD_CHECK = 'migrations.AddConstraint("product", models.CheckConstraint(condition=Q(quantity__gte=0), name="q_pos"))'
SKU_NOT_NULL = 'migrations.AlterField("product", "sku", models.CharField(max_length=32))'
ADD_NULLABLE = 'migrations.AddField("product", "weight", models.IntegerField(null=True))'
REMOVE_FIELD = 'migrations.RemoveField("customer", "legacy_code")'


@pytest.mark.parametrize(
    ("config", "expected"),
    [(PG, ["ZDM302"]), (MARIADB, ["ZDM221"]), (MYSQL, ["ZDM221"]), (SQLITE, [])],
    ids=["postgresql", "mariadb", "mysql", "sqlite"],
)
def test_column_type_change(tmp_path: Path, config: Config, expected: list[str]) -> None:
    assert rules(tmp_path, config, BIGINT) == expected


@pytest.mark.parametrize(
    ("config", "expected"),
    [(PG, ["ZDM202"]), (MARIADB, []), (MYSQL, []), (SQLITE, [])],
    ids=["postgresql", "mariadb", "mysql", "sqlite"],
)
def test_index_built_online_on_mysql_family(tmp_path: Path, config: Config, expected: list[str]) -> None:
    assert rules(tmp_path, config, ADD_INDEX) == expected
    assert rules(tmp_path / "drop", config, REMOVE_INDEX) == [r.replace("ZDM202", "ZDM203") for r in expected]


@pytest.mark.parametrize(
    ("config", "expected"),
    [(PG, ["ZDM205"]), (MARIADB, ["ZDM221"]), (MYSQL, ["ZDM221"]), (SQLITE, [])],
    ids=["postgresql", "mariadb", "mysql", "sqlite"],
)
def test_foreign_key_added(tmp_path: Path, config: Config, expected: list[str]) -> None:
    assert rules(tmp_path, config, ADD_FK) == expected


def test_foreign_key_help_differs_by_vendor(tmp_path: Path) -> None:
    (pg,) = findings(tmp_path / "pg", PG, ADD_FK)
    (maria,) = findings(tmp_path / "maria", MARIADB, ADD_FK)
    assert "NOT VALID" in pg.help and "AddIndexConcurrently" in pg.help
    assert "foreign_key_checks = 0" in maria.help and "CONCURRENTLY" not in maria.help.upper()
    assert "MariaDB 10.11" in maria.message and "ALGORITHM=COPY" in maria.message


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (PG, ["ZDM205"]),
        (MARIADB, ["ZDM221"]),
        (Config(database="mysql", mysql_version="8.0.16"), ["ZDM221"]),
        (Config(database="mysql", mysql_version="8.0.15"), []),  # CHECK is ignored, Django emits none
        (SQLITE, []),
    ],
    ids=["postgresql", "mariadb", "mysql-8.0.16", "mysql-8.0.15", "sqlite"],
)
def test_check_constraint(tmp_path: Path, config: Config, expected: list[str]) -> None:
    assert rules(tmp_path, config, ADD_CHECK) == expected


def test_positive_integer_column_copies_on_mysql_only(tmp_path: Path) -> None:
    add = 'migrations.AddField("product", "stock", models.PositiveIntegerField(null=True))'
    assert rules(tmp_path / "mysql", MYSQL, add) == ["ZDM221"]  # ADD COLUMN ... CHECK: COPY (MySQL bug #117450)
    assert rules(tmp_path / "maria", MARIADB, add) == []  # INSTANT, measured
    assert rules(tmp_path / "old", Config(database="mysql", mysql_version="8.0.15"), add) == []


@pytest.mark.parametrize(
    ("config", "expected"),
    [(PG, ["ZDM201"]), (MARIADB, []), (MYSQL, []), (SQLITE, [])],
    ids=["postgresql", "mariadb", "mysql", "sqlite"],
)
def test_set_not_null(tmp_path: Path, config: Config, expected: list[str]) -> None:
    assert rules(tmp_path, config, SKU_NOT_NULL) == expected


def _validated_check_then_not_null(tmp_path: Path, config: Config) -> list[Finding]:
    check = (
        'migrations.AddConstraint("product", models.CheckConstraint(condition=Q(sku__isnull=False), '
        'name="product_sku_not_null"))'
    )
    migrations = [
        ("0002_check.py", migration(check, name="0002_check")),
        ("0003_not_null.py", migration(SKU_NOT_NULL, depends="0002_check")),
    ]
    return [f for f in lint_migrations(tmp_path, migrations, config=config) if f.migration == "0003_not_null"]


def test_set_not_null_after_validated_check_needs_postgresql_12(tmp_path: Path) -> None:
    assert _validated_check_then_not_null(tmp_path / "12", PG12) == []
    assert _validated_check_then_not_null(tmp_path / "15", PG) == []
    (finding,) = _validated_check_then_not_null(tmp_path / "11", PG11)
    assert finding.rule == "ZDM201"
    assert "PostgreSQL 11.22 can't use the validated check" in finding.message
    assert "state_operations" in finding.help


def test_set_not_null_help_before_postgresql_12_keeps_the_check(tmp_path: Path) -> None:
    (old,) = findings(tmp_path / "11", PG11, SKU_NOT_NULL)
    (new,) = findings(tmp_path / "15", PG, SKU_NOT_NULL)
    assert "make the field NOT NULL in the state only" in old.help
    assert "(PostgreSQL 12+ skips the scan)" in new.help


@pytest.mark.parametrize(
    ("field", "pg10"),
    [
        ("models.IntegerField(db_default=0)", ["ZDM303"]),
        ("models.IntegerField(default=0)", ["ZDM101", "ZDM303"]),
        ("models.IntegerField(default=0, null=True)", ["ZDM303"]),
        ("models.CharField(max_length=10, blank=True)", ["ZDM101", "ZDM303"]),  # Django's implicit ''
        ("models.IntegerField(null=True)", []),
        ("models.IntegerField(null=True, default=None)", []),
    ],
)
def test_add_column_with_default_before_postgresql_11(tmp_path: Path, field: str, pg10: list[str]) -> None:
    add = f'migrations.AddField("product", "weight", {field})'
    assert rules(tmp_path / "10", PG10, add) == pg10
    assert rules(tmp_path / "11", Config(postgresql_version=11), add) == [r for r in pg10 if r != "ZDM303"]


def test_volatile_default_is_zdm301_on_every_postgresql_version(tmp_path: Path) -> None:
    add = (
        'migrations.AddField("product", "token", models.UUIDField(null=True, '
        'db_default=models.Func(function="gen_random_uuid")))'
    )
    assert rules(tmp_path / "10", PG10, add) == ["ZDM301"]
    assert rules(tmp_path / "15", PG, add) == ["ZDM301"]
    assert rules(tmp_path / "maria", MARIADB, add) == []  # gen_random_uuid isn't MariaDB's; not a copy


CONCURRENT = 'AddIndexConcurrently("product", models.Index(fields=["sku"], name="product_sku_idx"))'


def _concurrent(tmp_path: Path, config: Config, atomic: bool) -> list[str]:
    source = migration(CONCURRENT, atomic=atomic).replace(
        "from django.db.models import Q\n", "from django.db.models import Q\n"
        "from django.contrib.postgres.operations import AddIndexConcurrently\n"
    )
    return sorted(f.rule for f in lint_migrations(tmp_path, [("0002_change.py", source)], config=config))


def test_concurrent_index_is_postgresql_only(tmp_path: Path) -> None:
    assert _concurrent(tmp_path / "pg", PG, atomic=False) == []
    assert _concurrent(tmp_path / "pg-atomic", PG, atomic=True) == ["ZDM204"]
    assert _concurrent(tmp_path / "maria", MARIADB, atomic=False) == ["ZDM615"]
    assert _concurrent(tmp_path / "maria-atomic", MARIADB, atomic=True) == ["ZDM615"]
    assert _concurrent(tmp_path / "sqlite", SQLITE, atomic=False) == ["ZDM615"]


def test_postgresql_field_fails_elsewhere(tmp_path: Path) -> None:
    source = migration(
        'migrations.AddField("product", "tags", ArrayField(models.CharField(max_length=20), null=True))'
    ).replace("from django.db.models import Q\n", "from django.db.models import Q\nfrom django.contrib.postgres.fields import ArrayField\n")
    maria = lint_migrations(tmp_path / "maria", [("0002_change.py", source)], config=MARIADB)
    assert [(f.rule, "ArrayField" in f.message) for f in maria] == [("ZDM615", True)]
    assert lint_migrations(tmp_path / "pg", [("0002_change.py", source)], config=PG) == []


@pytest.mark.parametrize(
    ("config", "expected"),
    [(PG, []), (MARIADB, ["ZDM614"]), (MYSQL, ["ZDM614"]), (SQLITE, [])],
    ids=["postgresql", "mariadb", "mysql", "sqlite"],
)
def test_several_database_operations(tmp_path: Path, config: Config, expected: list[str]) -> None:
    flagged = rules(tmp_path, config, ADD_NULLABLE, 'migrations.AddField("product", "height", models.IntegerField(null=True))')
    assert flagged == expected


def test_non_transactional_rule_counts_only_database_operations(tmp_path: Path) -> None:
    state_only = (
        "migrations.SeparateDatabaseAndState(state_operations=["
        'migrations.AlterField("product", "description", models.CharField(max_length=200, blank=True, help_text="x"))])'
    )
    options = 'migrations.AlterModelOptions("product", {"ordering": ["name"]})'
    help_text = 'migrations.AlterField("product", "name", models.CharField(max_length=100, help_text="The name"))'
    assert rules(tmp_path / "a", MARIADB, ADD_NULLABLE, state_only, options, help_text) == []
    noop = "migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)"
    assert rules(tmp_path / "b", MARIADB, ADD_NULLABLE, noop) == []
    data = 'migrations.RunSQL("UPDATE shop_product SET quantity = 0", "UPDATE shop_product SET quantity = 0")'
    assert "ZDM614" in rules(tmp_path / "c", MARIADB, ADD_NULLABLE, data)
    new_tables = (
        'migrations.CreateModel("Tag", [("id", models.BigAutoField(primary_key=True)), '
        '("name", models.CharField(max_length=20))])',
        'migrations.AddField("tag", "slug", models.SlugField(null=True))',
        'migrations.AddIndex("tag", models.Index(fields=["name"], name="tag_name_idx"))',
    )
    assert rules(tmp_path / "d", MARIADB, *new_tables) == []  # only a table nothing uses yet
    assert rules(tmp_path / "e", MARIADB, *new_tables, ADD_NULLABLE) == ["ZDM614"]


@pytest.mark.parametrize("config", [PG, MARIADB, MYSQL, SQLITE], ids=["postgresql", "mariadb", "mysql", "sqlite"])
def test_backward_incompatible_rules_apply_to_every_database(tmp_path: Path, config: Config) -> None:
    assert rules(tmp_path, config, REMOVE_FIELD) == ["ZDM102"]
    add = 'migrations.AddField("product", "weight", models.IntegerField(default=0))'
    assert "ZDM101" in rules(tmp_path / "add", config, add)


# --- the classification, version by version -------------------------------------------------------


def _steps(tmp_path: Path, config: Config, operation: str) -> list[tuple[str, bool]]:
    (ctx,) = contexts(tmp_path, config, operation)
    return [(step.algorithm, step.rebuild) for step in mysql_online_ddl(ctx)]


@pytest.mark.parametrize(
    ("config", "instant"),
    [
        (Config(database="mysql", mysql_version="8.0.11"), False),
        (Config(database="mysql", mysql_version="8.0.12"), True),
        (Config(database="mariadb", mariadb_version="10.3.1"), False),
        (Config(database="mariadb", mariadb_version="10.3.2"), True),
        (PG10, True),  # no default: a catalog change on every PostgreSQL
        (SQLITE, True),
    ],
    ids=["mysql-8.0.11", "mysql-8.0.12", "mariadb-10.3.1", "mariadb-10.3.2", "postgresql-10", "sqlite"],
)
def test_add_column_instantly_by_version(tmp_path: Path, config: Config, instant: bool) -> None:
    (ctx,) = contexts(tmp_path, config, ADD_NULLABLE)
    assert ctx.after is not None
    field = ctx.after.field("weight")
    assert field is not None
    assert adds_column_instantly(ctx.migration.target, field) is instant


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (Config(database="mysql", mysql_version="8.0.28"), [(INPLACE, True)]),
        (Config(database="mysql", mysql_version="8.0.29"), [(INSTANT, False)]),
        (Config(database="mariadb", mariadb_version="10.3"), [(INPLACE, True)]),
        (Config(database="mariadb", mariadb_version="10.4"), [(INSTANT, False)]),
    ],
    ids=["mysql-8.0.28", "mysql-8.0.29", "mariadb-10.3", "mariadb-10.4"],
)
def test_drop_column_by_version(tmp_path: Path, config: Config, expected: list[tuple[str, bool]]) -> None:
    assert _steps(tmp_path, config, REMOVE_FIELD) == expected


@pytest.mark.parametrize(
    ("length", "mysql", "mariadb"),
    [
        (40, (INPLACE, False), (INSTANT, False)),  # 80 -> 160 bytes: 1-byte length prefix both sides
        (63, (INPLACE, False), (INSTANT, False)),  # 252 bytes
        (64, (COPY, True), (COPY, True)),  # 256 bytes: the prefix grows to 2 bytes
        (10, (COPY, True), (COPY, True)),  # shorter
    ],
)
def test_varchar_length_prefix(
    tmp_path: Path, length: int, mysql: tuple[str, bool], mariadb: tuple[str, bool]
) -> None:
    # legacy_code is varchar(20) NULL in the base project.
    alter = f'migrations.AlterField("customer", "legacy_code", models.CharField(max_length={length}, null=True))'
    assert _steps(tmp_path / "mysql", MYSQL, alter) == [mysql]
    assert _steps(tmp_path / "maria", MARIADB, alter) == [mariadb]


def test_explicit_algorithm_in_raw_sql_is_not_a_copy(tmp_path: Path) -> None:
    sql = (
        'migrations.RunSQL("ALTER TABLE shop_product ADD COLUMN weight integer NULL, ALGORITHM=INSTANT", '
        '"ALTER TABLE shop_product DROP COLUMN weight")'
    )
    assert rules(tmp_path, MARIADB, sql) == []  # read (no ZDM607), and not a copy


def test_mysql_types_match_djangos_backend() -> None:
    """The static column types are Django's own MySQL data_types (read with PyMySQL standing in for mysqlclient)."""
    pytest.importorskip("pymysql")
    script = (
        "import json, pymysql; pymysql.install_as_MySQLdb()\n"
        "from django.db.backends.mysql.base import DatabaseWrapper\n"
        "print(json.dumps(DatabaseWrapper._data_types))\n"  # before MariaDB 10.7+'s native uuid
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    django_types = json.loads(out)
    for kind, template in _MYSQL_TYPES.items():
        assert django_types[kind] == template, kind


def test_postgresql_syntax_in_raw_sql(tmp_path: Path) -> None:
    sql = 'migrations.RunSQL("CREATE INDEX CONCURRENTLY sku_idx ON shop_product (sku)", "DROP INDEX sku_idx")'
    flagged = [f for f in findings(tmp_path, MARIADB, sql, atomic=False) if f.rule == "ZDM615"]
    assert len(flagged) == 1 and "rejects PostgreSQL's syntax" in flagged[0].message, flagged


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("", {"ZDM302"}),
        ('database = "mariadb"\nmariadb_version = "10.11"', {"ZDM221"}),
        ('database = "sqlite"', set()),
    ],
    ids=["default", "mariadb", "sqlite"],
)
def test_pyproject_database_key_drives_the_cli(tmp_path: Path, table: str, expected: set[str]) -> None:
    project = write_project(tmp_path, [("0002_change.py", migration(BIGINT))])
    (project / "pyproject.toml").write_text(f"[tool.safemigrate]\n{table}\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "safemigrate", "check", "--format", "json", "shop/migrations/0002_change.py"],
        cwd=project, capture_output=True, text=True, check=False,
    )
    assert proc.returncode == (1 if expected else 0), proc.stderr
    assert {f["rule"] for f in json.loads(proc.stdout)["findings"]} == expected


RAW_FK = "ALTER TABLE shop_order ADD CONSTRAINT order_buyer_fk FOREIGN KEY (customer_id) REFERENCES shop_customer (id)"


@pytest.mark.parametrize("config", [MARIADB, MYSQL], ids=["mariadb", "mysql"])
def test_foreign_key_constraint_in_raw_sql(tmp_path: Path, config: Config) -> None:
    # With foreign_key_checks on, MySQL and MariaDB can only add a foreign key by copying the table.
    (found,) = findings(tmp_path / "plain", config, f"migrations.RunSQL({RAW_FK!r}, migrations.RunSQL.noop)")
    assert found.rule == "ZDM221" and "FOREIGN KEY" in found.message and "ALGORITHM=COPY" in found.message
    assert "foreign_key_checks = 0" in found.help
    # The rule page's safe form: checks off (the server adds it in place, rows unread), the algorithm named.
    safe = [
        "SET SESSION foreign_key_checks = 0",
        RAW_FK + ", ALGORITHM=INPLACE, LOCK=NONE",
        "SET SESSION foreign_key_checks = 1",
    ]
    assert rules(tmp_path / "safe", config, f"migrations.RunSQL({safe!r}, migrations.RunSQL.noop)") == []
    checks_off = f"SET foreign_key_checks = OFF; {RAW_FK}"
    assert rules(tmp_path / "off", config, f"migrations.RunSQL({checks_off!r}, migrations.RunSQL.noop)") == []


def test_explicit_copy_algorithm_in_raw_sql_is_a_copy(tmp_path: Path) -> None:
    sql = "ALTER TABLE shop_product ADD COLUMN weight integer NULL, ALGORITHM = COPY"
    assert rules(tmp_path, MARIADB, f"migrations.RunSQL({sql!r}, migrations.RunSQL.noop)") == ["ZDM221"]


def test_one_run_sql_with_several_statements_is_several_database_operations(tmp_path: Path) -> None:
    # Each statement commits on its own on MySQL/MariaDB: a failing third statement leaves the first two applied.
    steps = (
        "ALTER TABLE shop_product ADD COLUMN weight integer NULL; "
        "UPDATE shop_product SET weight = 0 WHERE weight IS NULL; "
        "ALTER TABLE shop_product ADD COLUMN colour varchar(10) NULL"
    )
    (found,) = findings(tmp_path / "steps", MARIADB, f"migrations.RunSQL({steps!r}, migrations.RunSQL.noop)")
    assert found.rule == "ZDM614" and "3 database statements" in found.message and "RunSQL" in found.message
    assert "ZDM614" not in rules(tmp_path / "pg", PG, f"migrations.RunSQL({steps!r}, migrations.RunSQL.noop)")
    views = "DROP VIEW IF EXISTS product_names; CREATE VIEW product_names AS SELECT name FROM shop_product"
    assert rules(tmp_path / "views", MARIADB, f"migrations.RunSQL({views!r}, migrations.RunSQL.noop)") == ["ZDM614"]
    one = "SET SESSION lock_wait_timeout = 5; ALTER TABLE shop_product ADD COLUMN weight integer NULL"
    assert rules(tmp_path / "one", MARIADB, f"migrations.RunSQL({one!r}, migrations.RunSQL.noop)") == []


@pytest.mark.parametrize(
    ("sql", "configs"),
    [
        ("ALTER TABLE shop_product ALTER COLUMN quantity TYPE bigint", (MARIADB, MYSQL, SQLITE)),
        ("ALTER TABLE shop_product ALTER COLUMN sku SET NOT NULL", (MARIADB, MYSQL, SQLITE)),
        ("ALTER TABLE shop_product ALTER sku DROP NOT NULL, ALTER COLUMN sku SET DATA TYPE text", (MARIADB, MYSQL)),
        ("DROP INDEX product_name_idx", (MARIADB, MYSQL)),
        ("LOCK TABLE shop_product IN SHARE MODE", (MARIADB, MYSQL, SQLITE)),
    ],
    ids=["type", "set-not-null", "two-actions", "drop-index", "lock"],
)
def test_postgresql_only_forms_of_raw_sql(tmp_path: Path, sql: str, configs: tuple[Config, ...]) -> None:
    # MySQL and MariaDB change a column with MODIFY, drop an index ON its table and LOCK TABLES: the server
    # rejects PostgreSQL's forms, so the statement is reported once, as failing, and not judged as if it ran.
    operation = f"migrations.RunSQL({sql!r}, migrations.RunSQL.noop)"
    for config in configs:
        found = findings(tmp_path / str(config.database), config, operation)
        assert [f.rule for f in found] == ["ZDM615"], (config.database, found)
        assert "rejects PostgreSQL's syntax" in found[0].message
    assert "ZDM615" not in rules(tmp_path / "pg", PG, operation)


def test_mysql_forms_of_raw_sql_are_not_postgresql_only(tmp_path: Path) -> None:
    sql = (
        "ALTER TABLE shop_product ALTER COLUMN sku SET DEFAULT 'x'; DROP INDEX product_name_idx ON shop_product; "
        "LOCK TABLES shop_product WRITE"
    )
    assert "ZDM615" not in rules(tmp_path, MYSQL, f"migrations.RunSQL({sql!r}, migrations.RunSQL.noop)")
