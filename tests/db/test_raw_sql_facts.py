"""Prove, against the real PostgreSQL server, the facts the raw-SQL rules rest on.

Each test runs ``RunSQL`` operations through the same harness as the operation facts
(``run_operation.py``: a scratch copy of ``shop_product`` with 20,000 rows and three
secondary indexes) and asserts on the locks the migrating backend held, whether the
table or its indexes were rewritten, and what the old code could still do meanwhile.
A statement that safemigrate reads as a Django operation is also proven to do what that
operation does (a raw DROP COLUMN breaks old code like RemoveField).
"""

from __future__ import annotations

from tests.db.harness import ok, proofs, proves, run_operation

AEL = "AccessExclusiveLock"
SHARE = "ShareLock"
PRODUCT_INDEXES = {
    "shop_product_pkey",
    "shop_product_qty_idx",
    "shop_product_customer_id_7d3a0e99",
    "shop_product_sku_20049d15",
    "shop_product_sku_20049d15_like",
}
ACTIONS = ("select", "insert", "update")


def sql(statement: str) -> str:
    return f"migrations.RunSQL({statement!r})"


def blocked(outcome: str) -> bool:
    return "lock timeout" in outcome


# --- ZDM207: LOCK TABLE ---------------------------------------------------------------------------


@proves("ZDM207")
def test_lock_table_blocks_old_reads_and_writes_until_commit(pg_db: str) -> None:
    r = run_operation(pg_db, [sql("LOCK TABLE shop_product")], during=True)
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == AEL, r.explain()
    assert all(blocked(r.old_during(action)) for action in ACTIONS), r.explain()


@proves("ZDM207")
def test_lock_table_in_share_mode_blocks_writes_only(pg_db: str) -> None:
    r = run_operation(pg_db, [sql("LOCK TABLE shop_product IN SHARE MODE")], during=True)
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == SHARE, r.explain()
    assert ok(r.old_during("select")), r.explain()
    assert blocked(r.old_during("insert")) and blocked(r.old_during("update")), r.explain()


@proves("ZDM207")
def test_lock_table_in_row_exclusive_mode_blocks_nobody(pg_db: str) -> None:
    r = run_operation(pg_db, [sql("LOCK TABLE shop_product IN ROW EXCLUSIVE MODE")], during=True)
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == "RowExclusiveLock", r.explain()
    assert all(ok(r.old_during(action)) for action in ACTIONS), r.explain()


@proves("ZDM207")
def test_lock_table_outside_a_transaction_fails(pg_db: str) -> None:
    r = run_operation(pg_db, [sql("LOCK TABLE shop_product")], atomic=False)
    assert r["error"] is not None, r.explain()
    assert "can only be used in transaction blocks" in r["error"]["message"], r.explain()


# --- ZDM208: TRUNCATE -----------------------------------------------------------------------------


@proves("ZDM208")
def test_truncate_blocks_old_code_and_empties_the_table(pg_db: str) -> None:
    r = run_operation(pg_db, [sql("TRUNCATE shop_product")], during=True)
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == AEL, r.explain()
    assert all(blocked(r.old_during(action)) for action in ACTIONS), r.explain()
    assert r.rewritten(), r.explain()  # new, empty storage
    # The old code's UPDATE of its row finds nothing: the row is gone (update() reports 0 rows, no error).
    assert ok(r.old_after("select")), r.explain()


# --- ZDM209 / ZDM210: VACUUM FULL and CLUSTER rewrite the table -----------------------------------


@proves("ZDM209")
def test_vacuum_full_rewrites_table_and_indexes_under_access_exclusive(pg_db: str) -> None:
    r = run_operation(pg_db, [sql("VACUUM FULL shop_product")], atomic=False)
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == AEL, r.explain()
    assert r.rewritten(), r.explain()
    assert r.built_again() == PRODUCT_INDEXES, r.explain()


@proves("ZDM209")
def test_vacuum_full_in_an_atomic_migration_fails(pg_db: str) -> None:
    r = run_operation(pg_db, [sql("VACUUM FULL shop_product")], atomic=True)
    assert r["error"] is not None, r.explain()
    assert "cannot run inside a transaction block" in r["error"]["message"], r.explain()


@proves("ZDM209")
def test_plain_vacuum_takes_share_update_exclusive_and_rewrites_nothing(pg_db: str) -> None:
    r = run_operation(pg_db, [sql("VACUUM (ANALYZE) shop_product")], atomic=False)
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == "ShareUpdateExclusiveLock", r.explain()
    assert not r.rewritten() and r.built_again() == set(), r.explain()


@proves("ZDM210")
def test_cluster_rewrites_table_and_indexes_under_access_exclusive(pg_db: str) -> None:
    r = run_operation(pg_db, [sql("CLUSTER shop_product USING shop_product_qty_idx")], during=True)
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == AEL, r.explain()
    assert r.rewritten(), r.explain()
    assert r.built_again() == PRODUCT_INDEXES, r.explain()
    assert all(blocked(r.old_during(action)) for action in ACTIONS), r.explain()


@proves("ZDM210")
def test_cluster_on_only_marks_the_index(pg_db: str) -> None:
    r = run_operation(pg_db, [sql("ALTER TABLE shop_product CLUSTER ON shop_product_qty_idx")])
    assert r["error"] is None, r.explain()
    assert not r.rewritten() and r.built_again() == set(), r.explain()


# --- ZDM211: REINDEX ------------------------------------------------------------------------------


@proves("ZDM211")
def test_reindex_table_blocks_writes_and_reads_that_plan_on_its_indexes(pg_db: str) -> None:
    r = run_operation(pg_db, [sql("REINDEX TABLE shop_product")], during=True)
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == SHARE, r.explain()
    assert r.strongest("shop_product_qty_idx") == AEL, r.explain()
    assert r.built_again() == PRODUCT_INDEXES, r.explain()
    assert all(blocked(r.old_during(action)) for action in ACTIONS), r.explain()


@proves("ZDM211")
def test_reindex_concurrently_blocks_nobody(pg_db: str) -> None:
    r = run_operation(
        pg_db, [sql("REINDEX INDEX CONCURRENTLY shop_product_qty_idx")], atomic=False, reader=True, during=True
    )
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == "ShareUpdateExclusiveLock", r.explain()
    assert all(ok(r.old_during(action)) for action in ACTIONS), r.explain()


# --- ZDM212: UPDATE / DELETE of every row ---------------------------------------------------------


@proves("ZDM212")
def test_update_without_where_locks_every_row_until_commit(pg_db: str) -> None:
    r = run_operation(pg_db, [sql("UPDATE shop_product SET note = 'x'")], during=True)
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == "RowExclusiveLock", r.explain()
    assert ok(r.old_during("select")) and ok(r.old_during("insert")), r.explain()
    assert blocked(r.old_during("update")), r.explain()


@proves("ZDM212")
def test_update_with_where_locks_only_its_rows(pg_db: str) -> None:
    r = run_operation(pg_db, [sql("UPDATE shop_product SET note = 'x' WHERE id > 10000")], during=True)
    assert r["error"] is None, r.explain()
    assert all(ok(r.old_during(action)) for action in ACTIONS), r.explain()  # the old code updates row 1


# --- statements read as Django operations behave like them ----------------------------------------


@proves("ZDM102")
def test_raw_drop_column_breaks_old_code_like_remove_field(pg_db: str) -> None:
    r = run_operation(pg_db, [sql("ALTER TABLE shop_product DROP COLUMN note")])
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == AEL
    assert all(not ok(r.old_after(action)) for action in ACTIONS), r.explain()


@proves("ZDM105")
def test_raw_rename_column_breaks_old_code_like_rename_field(pg_db: str) -> None:
    r = run_operation(pg_db, [sql("ALTER TABLE shop_product RENAME COLUMN name TO title")])
    assert r["error"] is None, r.explain()
    assert all(not ok(r.old_after(action)) for action in ACTIONS), r.explain()


@proves("ZDM202")
def test_raw_create_unique_index_takes_share_lock_that_blocks_writes(pg_db: str) -> None:
    r = run_operation(pg_db, [sql("CREATE UNIQUE INDEX product_name_uniq ON shop_product (name)")], during=True)
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == SHARE, r.explain()
    assert ok(r.old_during("select")) and blocked(r.old_during("insert")), r.explain()


@proves("ZDM202")
def test_unique_using_index_attaches_a_prebuilt_index_without_building(pg_db: str) -> None:
    r = run_operation(
        pg_db,
        [sql("ALTER TABLE shop_product ADD CONSTRAINT product_name_uniq UNIQUE USING INDEX product_name_uniq")],
        setup=[sql("CREATE UNIQUE INDEX product_name_uniq ON shop_product (name)")],
    )
    assert r["error"] is None, r.explain()
    assert not r.notice("building index"), r.explain()
    assert r["indexes"].get("product_name_uniq") == "kept", r.explain()


@proves("ZDM201")
def test_raw_set_not_null_skips_the_scan_after_a_validated_check(pg_db: str) -> None:
    r = run_operation(
        pg_db,
        [sql("ALTER TABLE shop_product ALTER COLUMN note SET NOT NULL")],
        setup=[
            sql("ALTER TABLE shop_product ADD CONSTRAINT note_nn CHECK (note IS NOT NULL) NOT VALID"),
            sql("ALTER TABLE shop_product VALIDATE CONSTRAINT note_nn"),
        ],
    )
    assert r["error"] is None, r.explain()
    assert r.notice('existing constraints on column "shop_product.note" are sufficient'), r.explain()
    assert not r.notice('verifying table "shop_product"'), r.explain()


@proves("ZDM205")
def test_raw_foreign_key_validates_every_row_unless_not_valid(pg_db: str) -> None:
    fk = "ALTER TABLE shop_product ADD CONSTRAINT {} FOREIGN KEY (customer_id) REFERENCES shop_customer (id)"
    r = run_operation(pg_db, [sql(fk.format("product_customer_fk"))])
    assert r["error"] is None, r.explain()
    assert r.notice('validating foreign key constraint "product_customer_fk"'), r.explain()
    assert r.strongest("shop_product") == "ShareRowExclusiveLock", r.explain()
    assert r.strongest("shop_customer") == "ShareRowExclusiveLock", r.explain()
    r = run_operation(pg_db, [sql(fk.format("product_customer_fk2") + " NOT VALID")])
    assert r["error"] is None, r.explain()
    assert not r.notice("validating foreign key constraint"), r.explain()


PROVES = proofs(globals())
