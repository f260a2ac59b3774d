"""Prove, against the real MariaDB server, the facts that hold there too.

Django's MySQL backend runs on PyMySQL here (``pymysql.install_as_MySQLdb()``; PyMySQL's
``version_info`` satisfies Django's mysqlclient version check). Lock modes and rewrites
are PostgreSQL-only measurements; on MariaDB these tests prove what old code sees and
that DDL is not transactional.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.db.harness import ok, proofs, proves, run_operation


@proves("ZDM101")
def test_not_null_column_with_python_default_breaks_old_insert(maria_db: str) -> None:
    r = run_operation(maria_db, ['migrations.AddField("product", "stock", models.IntegerField(default=0))'])
    assert r["error"] is None, r.explain()
    assert any("DROP DEFAULT" in sql for sql in r["sql"]), r.explain()
    # Strict mode (MariaDB's default) turns the missing value into an error instead of a warning.
    assert "STRICT_TRANS_TABLES" in r["sql_mode"]
    assert "Field 'stock' doesn't have a default value" in r.old_after("insert"), r.explain()
    assert ok(r.old_after("select")) and ok(r.old_after("update"))


@proves("ZDM101")
def test_not_null_column_with_db_default_keeps_old_insert_working(maria_db: str) -> None:
    r = run_operation(maria_db, ['migrations.AddField("product", "stock", models.IntegerField(db_default=0))'])
    assert r["error"] is None, r.explain()
    assert all(ok(r.old_after(action)) for action in ("select", "insert", "update")), r.explain()


@proves("ZDM102")
def test_remove_field_breaks_old_select(maria_db: str) -> None:
    r = run_operation(maria_db, ['migrations.RemoveField("product", "note")'])
    assert r["error"] is None, r.explain()
    assert "Unknown column 'shop_product.note'" in r.old_after("select"), r.explain()
    assert not ok(r.old_after("insert")) and not ok(r.old_after("update"))


@proves("ZDM105")
def test_rename_field_breaks_old_code(maria_db: str) -> None:
    r = run_operation(maria_db, ['migrations.RenameField("product", "name", "title")'])
    assert r["error"] is None, r.explain()
    assert "Unknown column 'shop_product.name'" in r.old_after("select"), r.explain()


def test_failed_migration_leaves_its_first_operation_applied(maria_db: str) -> None:
    # Migration.atomic is True by default; on MariaDB Django can't honour it (can_rollback_ddl is False).
    r = run_operation(
        maria_db,
        [
            'migrations.AddField("product", "stock", models.IntegerField(null=True))',
            'migrations.RunSQL("SELECT * FROM no_such_table")',
        ],
        atomic=True,
    )
    assert r["error"] is not None and "no_such_table" in r["error"]["message"], r.explain()
    assert "stock" in r["columns_after"], r.explain()


def test_ddl_commits_implicitly_so_rollback_cannot_undo_it(maria_db: str, mysql_connect: Callable[[str], Any]) -> None:
    conn = mysql_connect(maria_db)
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE shop_product (id integer PRIMARY KEY) ENGINE=InnoDB")
            cur.execute("START TRANSACTION")
            cur.execute("INSERT INTO shop_product VALUES (1)")
            cur.execute("ALTER TABLE shop_product ADD COLUMN stock integer NULL")
            cur.execute("ROLLBACK")
            cur.execute("SHOW COLUMNS FROM shop_product LIKE 'stock'")
            assert cur.fetchall(), "the column should survive the rollback"
            cur.execute("SELECT id FROM shop_product")
            assert cur.fetchall() == ((1,),), "the ALTER committed the INSERT before it too"
    finally:
        conn.close()


PROVES = proofs(globals())
