"""The rules for statements with no Django equivalent: LOCK, TRUNCATE, VACUUM FULL, CLUSTER, REINDEX,
UPDATE/DELETE of every row, and statements safemigrate can't read."""

from __future__ import annotations

from pathlib import Path

import pytest

from safemigrate.findings import Severity
from tests.rules._locking_migrations import line_of, lint_steps

NOOP = "migrations.RunSQL.noop"


def run_sql(statement: str, reverse: str = NOOP) -> str:
    return f"migrations.RunSQL({statement!r}, {reverse}),"


def flagged(tmp_path: Path, rule: str, *statements: str, atomic: bool = True) -> list[int]:
    """The lines the rule reports, for one migration holding a RunSQL per statement."""
    body = "\n".join(run_sql(s) for s in statements)
    found = lint_steps(tmp_path, body, rule=rule, non_atomic=() if atomic else (2,))
    assert all(f.rule == rule for f in found)
    return [f.line for f in found]


CREATE = 'migrations.CreateModel("Coupon", [("id", models.BigAutoField(primary_key=True))]),'


# --- ZDM207 explicit-table-lock ----------------------------------------------------------------------


def test_lock_table(tmp_path: Path) -> None:
    statements = [
        "LOCK TABLE shop_product",
        "LOCK shop_order IN SHARE MODE NOWAIT",
        "LOCK TABLE shop_product IN ROW EXCLUSIVE MODE",
        "LOCK TABLE shop_product IN ACCESS SHARE MODE",
        "LOCK TABLE ONLY shop_customer, shop_order IN EXCLUSIVE MODE",
    ]
    assert flagged(tmp_path, "ZDM207", *statements) == [line_of(0), line_of(1), line_of(4), line_of(4)]
    found = lint_steps(tmp_path / "messages", run_sql(statements[0]), rule="ZDM207")
    assert 'ACCESS EXCLUSIVE on "shop_product"' in found[0].message and "reads and writes" in found[0].message
    assert "lock_timeout" in found[0].help


def test_lock_table_outside_a_transaction_fails(tmp_path: Path) -> None:
    found = lint_steps(tmp_path, run_sql("LOCK TABLE shop_product IN ROW EXCLUSIVE MODE"), rule="ZDM207", non_atomic=(2,))
    assert len(found) == 0  # a mode that blocks nobody is fine anywhere...
    found = lint_steps(tmp_path / "share", run_sql("LOCK TABLE shop_product IN SHARE MODE"), rule="ZDM207", non_atomic=(2,))
    assert [f.line for f in found] == [line_of(0, atomic=False)]
    assert "can only be used in transaction blocks" in found[0].message


def test_lock_of_a_table_created_in_the_same_migration_is_silent(tmp_path: Path) -> None:
    found = lint_steps(tmp_path, CREATE + "\n" + run_sql("LOCK TABLE shop_coupon"), rule="ZDM207")
    assert found == []


# --- ZDM208 truncate-table -----------------------------------------------------------------------------


def test_truncate(tmp_path: Path) -> None:
    assert flagged(tmp_path, "ZDM208", "TRUNCATE shop_order", "TRUNCATE TABLE ONLY shop_product, shop_customer CASCADE") == [
        line_of(0), line_of(1), line_of(1)
    ]
    found = lint_steps(tmp_path / "cascade", run_sql("TRUNCATE shop_customer RESTART IDENTITY CASCADE"), rule="ZDM208")
    assert 'empties "shop_customer"' in found[0].message and "CASCADE empties every table" in found[0].message


def test_truncate_of_a_new_table_is_silent(tmp_path: Path) -> None:
    assert lint_steps(tmp_path, CREATE + "\n" + run_sql("TRUNCATE shop_coupon"), rule="ZDM208") == []


# --- ZDM209 vacuum-full-rewrites-table / ZDM210 cluster-rewrites-table ---------------------------------------------


def test_vacuum_full(tmp_path: Path) -> None:
    statements = ["VACUUM FULL shop_product", "VACUUM (FULL, ANALYZE) shop_order", "VACUUM FULL", "VACUUM shop_product",
                  "VACUUM (FULL false) shop_product", "VACUUM ANALYZE shop_product"]
    assert flagged(tmp_path, "ZDM209", *statements, atomic=False) == [
        line_of(0, atomic=False), line_of(1, atomic=False), line_of(2, atomic=False)
    ]
    found = lint_steps(tmp_path / "atomic", run_sql("VACUUM FULL"), rule="ZDM209")
    assert "every table of the database" in found[0].message and "cannot run inside a transaction" in found[0].message


def test_cluster(tmp_path: Path) -> None:
    statements = ["CLUSTER shop_product USING product_name_idx", "CLUSTER product_name_idx ON shop_product",
                  "CLUSTER VERBOSE", "ALTER TABLE shop_product CLUSTER ON product_name_idx"]
    assert flagged(tmp_path, "ZDM210", *statements) == [line_of(0), line_of(1), line_of(2)]
    found = lint_steps(tmp_path / "m", run_sql(statements[1]), rule="ZDM210")
    assert 'rewrites "shop_product" in index order' in found[0].message


# --- ZDM211 reindex-without-concurrently -------------------------------------------------------------------------


def test_reindex(tmp_path: Path) -> None:
    statements = ["REINDEX TABLE shop_product", "REINDEX INDEX product_name_idx", "REINDEX (VERBOSE) DATABASE shop",
                  "REINDEX TABLE CONCURRENTLY shop_product", "REINDEX (CONCURRENTLY) INDEX product_name_idx"]
    assert flagged(tmp_path, "ZDM211", *statements, atomic=False) == [
        line_of(0, atomic=False), line_of(1, atomic=False), line_of(2, atomic=False)
    ]
    found = lint_steps(tmp_path / "m", run_sql(statements[1]), rule="ZDM211")
    assert 'index "product_name_idx" of "shop_product"' in found[0].message and "CONCURRENTLY" in found[0].help


# --- ZDM212 whole-table-update-or-delete ------------------------------------------------------------------------


def test_update_or_delete_of_every_row(tmp_path: Path) -> None:
    statements = [
        "UPDATE shop_product SET description = ''",
        "DELETE FROM shop_order",
        "WITH gone AS (SELECT 1) DELETE FROM ONLY shop_order AS o USING gone",
        "UPDATE shop_product p SET description = c.name FROM shop_customer c RETURNING p.id",
        "UPDATE shop_product SET description = '' WHERE sku IS NULL",
        "DELETE FROM shop_order WHERE id IN (SELECT id FROM shop_order LIMIT 1000)",
        "UPDATE shop_product SET description = (SELECT max(name) FROM shop_customer WHERE id = 1) WHERE id = 2",
    ]
    assert flagged(tmp_path, "ZDM212", *statements) == [line_of(0), line_of(1), line_of(2), line_of(3)]
    found = lint_steps(tmp_path / "m", run_sql(statements[0]), rule="ZDM212", non_atomic=(2,))
    assert 'updates every row of "shop_product"' in found[0].message and "until the statement ends" in found[0].message


def test_update_of_a_new_table_is_silent(tmp_path: Path) -> None:
    assert lint_steps(tmp_path, CREATE + "\n" + run_sql("DELETE FROM shop_coupon"), rule="ZDM212") == []


# --- ZDM607 unparseable-sql-statement ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "why"),
    [
        ("FROBNICATE shop_product", "it doesn't read FROBNICATE statements"),
        ("DO $$ BEGIN PERFORM 1; END $$", "procedural code"),
        ("ALTER TABLE shop_product SET TABLESPACE fast", "SET TABLESPACE rewrites the table"),
        ("ALTER TABLE shop_product ADD INDEX name_idx (name)", "MySQL syntax"),
        ("ALTER TABLE shop_product ALTER COLUMN name FROB", "ALTER COLUMN ... FROB"),
        ("ALTER TABLE shop_product ADD COLUMN g int GENERATED ALWAYS AS (quantity * 2) STORED", "generated column"),
        ("ALTER TABLE shop_product ADD CONSTRAINT ex EXCLUDE USING gist (name WITH =)", "ADD CONSTRAINT ... EXCLUDE"),
        ("DROP SCHEMA legacy CASCADE", "DROP SCHEMA"),
    ],
)
def test_unverifiable_statements_are_reported(tmp_path: Path, statement: str, why: str) -> None:
    found = lint_steps(tmp_path, run_sql(statement), rule="ZDM6")
    assert [(f.rule, f.line, f.severity) for f in found] == [("ZDM607", line_of(0), Severity.WARNING)]
    assert why in found[0].message


def test_sql_computed_at_run_time_is_reported(tmp_path: Path) -> None:
    body = 'migrations.RunSQL(f"ALTER TABLE {TABLE} DROP COLUMN x", migrations.RunSQL.noop),'
    found = lint_steps(tmp_path, body, rule="ZDM607")
    assert [f.line for f in found] == [line_of(0)]
    assert "computed when the migration runs" in found[0].message


def test_harmless_statements_are_silent(tmp_path: Path) -> None:
    statements = [
        "SELECT 1",
        "INSERT INTO shop_customer (email, name, nickname, created_at) VALUES ('a@b', 'a', 'a', now())",
        "COMMENT ON TABLE shop_product IS 'x'",
        "CREATE OR REPLACE VIEW shop_names AS SELECT name FROM shop_product",
        "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql",
        "GRANT SELECT ON shop_product TO reporting",
        "SET statement_timeout = '5s'",
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "DROP VIEW IF EXISTS shop_names",
        "ALTER TABLE shop_product OWNER TO app, ALTER COLUMN name SET STATISTICS 500",
        "ALTER TABLE shop_product ALTER COLUMN name SET DEFAULT 'x'",
        "CREATE TEMP TABLE scratch (id int)",
        "ANALYZE shop_product",
    ]
    body = "\n".join(run_sql(s) for s in statements)
    assert lint_steps(tmp_path, body, rule="ZDM", non_atomic=(2,)) == []


def test_unreadable_reverse_sql_is_a_warning_too(tmp_path: Path) -> None:
    found = lint_steps(tmp_path, run_sql("SELECT 1", '"DO $$ BEGIN PERFORM 1; END $$"'), rule="ZDM607")
    assert [f.severity for f in found] == [Severity.WARNING]
    assert found[0].message.startswith("In reverse_sql (runs on rollback)")
