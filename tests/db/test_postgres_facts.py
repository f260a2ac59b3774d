"""Prove, against the real PostgreSQL server, each database fact a rule rests on.

Every test applies a real Django migration operation through the schema editor to a
scratch database holding ``shop_product`` (20,000 rows, three secondary indexes, a
foreign key to ``shop_customer``), then asserts on what the server did: the lock modes
the migrating backend held before commit (``pg_locks``), whether a table or index was
rewritten (``pg_class.relfilenode``), the server's DEBUG1 messages, and whether code
built on the previous migration state still works. See ``run_operation.py``.

The facts are those of ``ddl-facts.md``; ``@proves`` names the rules that rest on each.
"""

from __future__ import annotations

import pytest

from tests.db.harness import ok, proofs, proves, run_operation

AEL = "AccessExclusiveLock"
SHARE = "ShareLock"
SUE = "ShareUpdateExclusiveLock"
SRE = "ShareRowExclusiveLock"

CHECK_NOTE = 'models.CheckConstraint(condition=Q(note__isnull=False), name="note_not_null")'
NOTE_NOT_NULL = 'migrations.AlterField("product", "note", models.CharField(max_length=50))'
VERIFYING = 'verifying table "shop_product"'
REWRITING = 'rewriting table "shop_product"'
PROVEN_NOT_NULL = 'existing constraints on column "shop_product.note" are sufficient to prove'
PRODUCT_INDEXES = {
    "shop_product_pkey",
    "shop_product_qty_idx",
    "shop_product_customer_id_7d3a0e99",
    "shop_product_sku_20049d15",
    "shop_product_sku_20049d15_like",
}


# --- ZDM101: a NOT NULL column added with a Python-side default ---------------------------------


@proves("ZDM101")
@pytest.mark.parametrize(
    "field",
    [
        "models.IntegerField(default=0)",
        "models.DateTimeField(default=timezone.now)",
        "models.IntegerField(default=0), preserve_default=False",
    ],
    ids=["default", "callable-default", "preserve-default-false"],
)
def test_not_null_column_with_python_default_breaks_old_insert(pg_db: str, field: str) -> None:
    r = run_operation(pg_db, [f'migrations.AddField("product", "stock", {field})'])
    assert r["error"] is None, r.explain()
    assert any("DROP DEFAULT" in sql for sql in r["sql"]), r.explain()  # the database default is gone
    assert r.strongest("shop_product") == AEL
    assert not r.rewritten()
    assert r.index_changes() == {}
    assert ok(r.old_after("select")) and ok(r.old_after("update"))
    assert "violates not-null constraint" in r.old_after("insert"), r.explain()


@proves("ZDM101", "ZDM301")
@pytest.mark.parametrize(
    "field",
    ["models.IntegerField(db_default=0)", "models.DateTimeField(db_default=Now())"],
    ids=["constant", "now"],
)
def test_not_null_column_with_db_default_keeps_old_insert_working_without_rewrite(pg_db: str, field: str) -> None:
    r = run_operation(pg_db, [f'migrations.AddField("product", "stock", {field})'])
    assert r["error"] is None, r.explain()
    assert not any("DROP DEFAULT" in sql for sql in r["sql"]), r.explain()
    assert r.strongest("shop_product") == AEL
    assert not r.rewritten(), r.explain()
    assert r.index_changes() == {}
    assert not r.notice(REWRITING)
    assert all(ok(r.old_after(action)) for action in ("select", "insert", "update")), r.explain()


@proves("ZDM101")
def test_nullable_column_is_metadata_only_and_old_code_works(pg_db: str) -> None:
    r = run_operation(pg_db, ['migrations.AddField("product", "stock", models.IntegerField(null=True))'])
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == AEL
    assert not r.rewritten() and r.index_changes() == {}
    assert all(ok(r.old_after(action)) for action in ("select", "insert", "update")), r.explain()


# --- ZDM301: a volatile db_default rewrites the table --------------------------------------------


@proves("ZDM301")
def test_volatile_db_default_rewrites_table_and_every_index(pg_db: str) -> None:
    r = run_operation(pg_db, ['migrations.AddField("product", "token", models.UUIDField(db_default=RandomUUID()))'])
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == AEL
    assert r.rewritten(), r.explain()
    assert r.notice(REWRITING), r.explain()
    assert r.built_again() == PRODUCT_INDEXES, r.explain()
    assert all(ok(r.old_after(action)) for action in ("select", "insert", "update")), r.explain()


# --- ZDM102 / ZDM103 / ZDM105 / ZDM106: old code after the schema moved on --------------------------


@proves("ZDM102")
def test_remove_field_breaks_old_select_insert_and_update(pg_db: str) -> None:
    r = run_operation(pg_db, ['migrations.RemoveField("product", "note")'])
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == AEL
    assert not r.rewritten()
    assert "column shop_product.note does not exist" in r.old_after("select"), r.explain()
    for action in ("insert", "update"):
        assert 'column "note" of relation "shop_product" does not exist' in r.old_after(action), r.explain()


@proves("ZDM102")
def test_remove_foreign_key_field_locks_the_referenced_table_too(pg_db: str) -> None:
    # Dropping the FK constraint removes its triggers from shop_customer: ACCESS EXCLUSIVE there as well.
    r = run_operation(pg_db, ['migrations.RemoveField("product", "customer")'])
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == AEL
    assert r.strongest("shop_customer") == AEL, r.explain()
    assert not ok(r.old_after("select"))


@proves("ZDM104")
def test_state_only_removal_of_not_null_column_breaks_new_insert(pg_db: str) -> None:
    r = run_operation(
        pg_db, ['migrations.SeparateDatabaseAndState(state_operations=[migrations.RemoveField("product", "sku")])']
    )
    assert r["error"] is None, r.explain()
    assert [sql for sql in r["sql"] if "ALTER" in sql or "DROP" in sql] == []
    assert all(ok(r.old_after(action)) for action in ("select", "insert", "update")), r.explain()
    assert ok(r["new_code_after"]["select"]) and ok(r["new_code_after"]["update"])
    assert 'null value in column "sku"' in r["new_code_after"]["insert"], r.explain()


@proves("ZDM103")
def test_delete_model_breaks_old_code(pg_db: str) -> None:
    r = run_operation(pg_db, ['migrations.DeleteModel("product")'])
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == AEL
    # Its indexes and sequence, and the table its foreign key references, are locked too.
    for relation in ("shop_product_pkey", "shop_product_qty_idx", "shop_product_id_seq", "shop_customer"):
        assert r.strongest(relation) == AEL, r.explain()
    assert not r["tables"]["shop_product"]["exists"]
    assert 'relation "shop_product" does not exist' in r.old_after("select"), r.explain()
    assert not ok(r.old_after("insert")) and not ok(r.old_after("update"))


@proves("ZDM105")
def test_rename_field_breaks_old_code(pg_db: str) -> None:
    r = run_operation(pg_db, ['migrations.RenameField("product", "name", "title")'])
    assert r["error"] is None, r.explain()
    assert any("RENAME COLUMN" in sql for sql in r["sql"]), r.explain()
    assert r.strongest("shop_product") == AEL
    assert not r.rewritten()
    assert "column shop_product.name does not exist" in r.old_after("select"), r.explain()
    for action in ("insert", "update"):
        assert 'column "name" of relation "shop_product" does not exist' in r.old_after(action), r.explain()


@proves("ZDM106")
@pytest.mark.parametrize(
    "operation",
    ['migrations.RenameModel("Product", "Item")', 'migrations.AlterModelTable("product", "shop_item")'],
    ids=["rename-model", "alter-model-table"],
)
def test_renamed_table_breaks_old_code(pg_db: str, operation: str) -> None:
    r = run_operation(pg_db, [operation])
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == AEL
    assert r["tables"]["shop_product"]["renamed_to"] == "shop_item", r.explain()
    assert not r.rewritten()
    for action in ("select", "insert", "update"):
        assert 'relation "shop_product" does not exist' in r.old_after(action), r.explain()


# --- ZDM201: SET NOT NULL scans the table under ACCESS EXCLUSIVE ----------------------------------


@proves("ZDM201")
def test_set_not_null_scans_table_under_access_exclusive(pg_db: str) -> None:
    r = run_operation(pg_db, [NOTE_NOT_NULL])
    assert r["error"] is None, r.explain()
    assert any("SET NOT NULL" in sql for sql in r["sql"]), r.explain()
    assert r.strongest("shop_product") == AEL
    assert r.notice(VERIFYING), r.explain()
    assert not r.rewritten()
    assert ok(r.old_after("insert")) and ok(r.old_after("select"))
    assert "violates not-null constraint" in r.old_after("insert_null"), r.explain()


@proves("ZDM201")
def test_set_not_null_with_one_off_default_updates_and_scans_under_access_exclusive(pg_db: str) -> None:
    r = run_operation(
        pg_db,
        [
            'migrations.AlterField("product", "note", models.CharField(max_length=50, default="-"), '
            "preserve_default=False)"
        ],
    )
    assert r["error"] is None, r.explain()
    statements = [sql for sql in r["sql"] if sql.startswith(("ALTER", "UPDATE"))]
    assert any(sql.startswith("UPDATE") and "IS NULL" in sql for sql in statements), r.explain()
    assert any("SET NOT NULL" in sql for sql in statements), r.explain()
    assert r.strongest("shop_product") == AEL
    assert r.notice(VERIFYING), r.explain()


@proves("ZDM201")
@pytest.mark.parametrize(
    "setup",
    [
        [f'migrations.AddConstraint("product", {CHECK_NOTE})'],
        [f'AddConstraintNotValid("product", {CHECK_NOTE})', 'ValidateConstraint("product", "note_not_null")'],
    ],
    ids=["validated-check", "not-valid-then-validate"],
)
def test_set_not_null_skips_scan_when_a_validated_check_proves_it(pg_db: str, setup: list[str]) -> None:
    r = run_operation(pg_db, [NOTE_NOT_NULL], setup=setup)
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == AEL
    assert r.notice(PROVEN_NOT_NULL), r.explain()
    assert not r.notice(VERIFYING), r.explain()


@proves("ZDM201")
def test_set_not_null_scans_when_the_check_is_not_validated(pg_db: str) -> None:
    r = run_operation(pg_db, [NOTE_NOT_NULL], setup=[f'AddConstraintNotValid("product", {CHECK_NOTE})'])
    assert r["error"] is None, r.explain()
    assert r.notice(VERIFYING), r.explain()
    assert not r.notice(PROVEN_NOT_NULL)


@proves("ZDM201")
def test_set_not_null_scans_again_when_the_check_is_removed_first(pg_db: str) -> None:
    # The order makemigrations writes when one change both drops the CHECK and sets NOT NULL.
    r = run_operation(
        pg_db,
        ['migrations.RemoveConstraint("product", "note_not_null")', NOTE_NOT_NULL],
        setup=[f'migrations.AddConstraint("product", {CHECK_NOTE})'],
    )
    assert r["error"] is None, r.explain()
    assert r.notice(VERIFYING), r.explain()
    assert not r.notice(PROVEN_NOT_NULL)


@proves("ZDM201")
def test_drop_not_null_does_not_scan(pg_db: str) -> None:
    r = run_operation(pg_db, ['migrations.AlterField("product", "sku", models.CharField(max_length=32, null=True))'])
    assert r["error"] is None, r.explain()
    assert any("DROP NOT NULL" in sql for sql in r["sql"]), r.explain()
    assert not r.notice(VERIFYING) and not r.rewritten()


# --- ZDM202 / ZDM203 / ZDM204: building and dropping indexes -----------------------------------------


@proves("ZDM202")
@pytest.mark.parametrize(
    "operation",
    [
        'migrations.AddIndex("product", models.Index(fields=["name"], name="shop_product_name_idx"))',
        'migrations.AlterField("product", "name", models.CharField(max_length=100, db_index=True))',
    ],
    ids=["add-index", "db-index"],
)
def test_add_index_takes_share_lock_that_blocks_writes(pg_db: str, operation: str) -> None:
    r = run_operation(pg_db, [operation], during=True)
    assert r["error"] is None, r.explain()
    assert any(sql.startswith("CREATE INDEX") for sql in r["sql"]), r.explain()
    assert r.strongest("shop_product") == SHARE, r.explain()
    assert ok(r.old_during("select")), r.explain()
    assert "lock timeout" in r.old_during("insert") and "lock timeout" in r.old_during("update"), r.explain()


@proves("ZDM202")
@pytest.mark.parametrize(
    "operation",
    [
        'migrations.AddConstraint("product", models.UniqueConstraint(fields=["sku"], name="shop_product_sku_uniq"))',
        'migrations.AlterUniqueTogether("product", {("sku", "customer")})',
        'migrations.AlterField("product", "name", models.CharField(max_length=100, unique=True))',
    ],
    ids=["unique-constraint", "unique-together", "unique-field"],
)
def test_unique_constraint_builds_its_index_under_access_exclusive(pg_db: str, operation: str) -> None:
    r = run_operation(pg_db, [operation], during=True)
    assert r["error"] is None, r.explain()
    assert any("UNIQUE" in sql for sql in r["sql"]), r.explain()
    assert r.strongest("shop_product") == AEL, r.explain()
    assert r.notice("building index"), r.explain()
    assert "lock timeout" in r.old_during("select"), r.explain()


@proves("ZDM202", "ZDM204")
def test_add_index_concurrently_takes_only_share_update_exclusive(pg_db: str) -> None:
    r = run_operation(
        pg_db,
        ['AddIndexConcurrently("product", models.Index(fields=["name"], name="shop_product_name_idx"))'],
        atomic=False,
        reader=True,
        during=True,
    )
    assert r["error"] is None, r.explain()
    assert any("CREATE INDEX CONCURRENTLY" in sql for sql in r["sql"]), r.explain()
    # It waits for an older open transaction, and meanwhile blocks none of the old code's queries.
    assert r["waited_for_reader"] == "virtualxid", r.explain()
    assert r.strongest("shop_product") == SUE, r.explain()
    assert all(ok(r.old_during(action)) for action in ("select", "insert", "update")), r.explain()
    assert r["indexes"].get("shop_product_name_idx") == "created", r.explain()


@proves("ZDM204")
def test_add_index_concurrently_in_an_atomic_migration_fails(pg_db: str) -> None:
    r = run_operation(
        pg_db,
        ['AddIndexConcurrently("product", models.Index(fields=["name"], name="shop_product_name_idx"))'],
        atomic=True,
    )
    assert r["error"] is not None and r["error"]["type"] == "NotSupportedError", r.explain()
    assert "shop_product_name_idx" not in r["indexes"]


@proves("ZDM204")
def test_create_index_concurrently_sql_in_an_atomic_migration_fails_on_the_server(pg_db: str) -> None:
    r = run_operation(
        pg_db,
        ['migrations.RunSQL("CREATE INDEX CONCURRENTLY shop_product_name_idx ON shop_product (name)")'],
        atomic=True,
    )
    assert r["error"] is not None, r.explain()
    assert "cannot run inside a transaction block" in r["error"]["message"], r.explain()
    assert "shop_product_name_idx" not in r["indexes"]


@proves("ZDM203")
def test_remove_index_takes_access_exclusive_and_blocks_reads(pg_db: str) -> None:
    r = run_operation(pg_db, ['migrations.RemoveIndex("product", "shop_product_qty_idx")'], during=True)
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == AEL, r.explain()
    assert r["indexes"]["shop_product_qty_idx"] == "dropped"
    assert "lock timeout" in r.old_during("select"), r.explain()


@proves("ZDM203")
def test_remove_index_concurrently_takes_only_share_update_exclusive(pg_db: str) -> None:
    r = run_operation(
        pg_db,
        ['RemoveIndexConcurrently("product", "shop_product_qty_idx")'],
        atomic=False,
        reader=True,
        during=True,
    )
    assert r["error"] is None, r.explain()
    assert any("DROP INDEX CONCURRENTLY" in sql for sql in r["sql"]), r.explain()
    assert r["waited_for_reader"] == "virtualxid", r.explain()
    assert r.strongest("shop_product") == SUE, r.explain()
    assert all(ok(r.old_during(action)) for action in ("select", "insert", "update")), r.explain()
    assert r["indexes"]["shop_product_qty_idx"] == "dropped"


# --- ZDM205: constraints validated against existing rows ----------------------------------------


@proves("ZDM205")
def test_foreign_key_column_locks_the_referenced_table_against_writes(pg_db: str) -> None:
    r = run_operation(
        pg_db,
        [
            'migrations.AddField("product", "supplier", '
            'models.ForeignKey("shop.customer", null=True, on_delete=models.CASCADE, related_name="+"))'
        ],
    )
    assert r["error"] is None, r.explain()
    assert any("REFERENCES" in sql for sql in r["sql"]), r.explain()
    assert r.strongest("shop_product") == AEL, r.explain()
    assert r.strongest("shop_customer") == SRE, r.explain()
    assert r.notice('building index "shop_product_supplier_id'), r.explain()
    assert ok(r.old_after("select")) and ok(r.old_after("insert"))


@proves("ZDM205")
def test_check_constraint_scans_table_under_access_exclusive(pg_db: str) -> None:
    r = run_operation(pg_db, [f'migrations.AddConstraint("product", {CHECK_NOTE})'], during=True)
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == AEL
    assert r.notice(VERIFYING), r.explain()
    assert "lock timeout" in r.old_during("select"), r.explain()


@proves("ZDM205", "ZDM201")
def test_not_valid_check_skips_the_scan_but_rejects_old_null_writes_at_once(pg_db: str) -> None:
    r = run_operation(pg_db, [f'AddConstraintNotValid("product", {CHECK_NOTE})'])
    assert r["error"] is None, r.explain()
    assert any("NOT VALID" in sql for sql in r["sql"]), r.explain()
    assert r.strongest("shop_product") == AEL
    assert not r.notice(VERIFYING), r.explain()
    assert ok(r.old_after("insert"))
    assert "violates check constraint" in r.old_after("insert_null"), r.explain()


@proves("ZDM205")
def test_validate_constraint_takes_share_update_exclusive_and_blocks_nobody(pg_db: str) -> None:
    r = run_operation(
        pg_db,
        ['ValidateConstraint("product", "note_not_null")'],
        setup=[f'AddConstraintNotValid("product", {CHECK_NOTE})'],
        during=True,
    )
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == SUE, r.explain()
    assert r.notice(VERIFYING), r.explain()  # the scan happens, but under a lock that blocks nobody
    assert ok(r.old_during("select")) and ok(r.old_during("insert")) and ok(r.old_during("update")), r.explain()


# --- ZDM206: data changes in the schema change's transaction ----------------------------------------

BACKFILL = 'migrations.RunPython(lambda apps, editor: apps.get_model("shop", "product").objects.update(note="x"))'


@proves("ZDM206")
def test_backfill_after_schema_change_runs_under_its_access_exclusive_lock(pg_db: str) -> None:
    r = run_operation(
        pg_db,
        ['migrations.AddField("product", "stock", models.IntegerField(null=True))', BACKFILL],
        during=True,
    )
    assert r["error"] is None, r.explain()
    assert any(sql.startswith("UPDATE") for sql in r["sql"]), r.explain()
    assert r.strongest("shop_product") == AEL, r.explain()
    assert "lock timeout" in r.old_during("select"), r.explain()


@proves("ZDM206")
def test_backfill_alone_takes_row_exclusive_and_locks_only_the_rows_it_touched(pg_db: str) -> None:
    r = run_operation(pg_db, [BACKFILL], during=True)
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == "RowExclusiveLock", r.explain()
    assert ok(r.old_during("select")) and ok(r.old_during("insert")), r.explain()
    assert "lock timeout" in r.old_during("update"), r.explain()  # row 1 was updated and stays locked


# --- ZDM302: column type changes ------------------------------------------------------------------


@proves("ZDM302")
@pytest.mark.parametrize(
    ("operation", "rewrite", "built_again"),
    [
        ('migrations.AlterField("product", "quantity", models.BigIntegerField())', True, PRODUCT_INDEXES),
        ('migrations.AlterField("product", "name", models.CharField(max_length=200))', False, set()),
        ('migrations.AlterField("product", "name", models.CharField(max_length=50))', True, PRODUCT_INDEXES),
        ('migrations.AlterField("product", "name", models.TextField())', False, set()),
        # Django drops and recreates the varchar_pattern_ops "_like" index; the plain index keeps its storage.
        (
            'migrations.AlterField("product", "sku", models.TextField(db_index=True))',
            False,
            {"shop_product_sku_20049d15_like"},
        ),
    ],
    ids=["int-to-bigint", "varchar-grow", "varchar-shrink", "char-to-text", "indexed-char-to-text"],
)
def test_column_type_change(pg_db: str, operation: str, rewrite: bool, built_again: set[str]) -> None:
    r = run_operation(pg_db, [operation])
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == AEL
    assert r.rewritten() is rewrite, r.explain()
    assert r.notice(REWRITING) is rewrite, r.explain()
    assert r.built_again() == built_again, r.explain()
    assert "dropped" not in r["indexes"].values() and "created" not in r["indexes"].values(), r.explain()
    assert all(ok(r.old_after(action)) for action in ("select", "insert", "update")), r.explain()


# --- facts without a rule yet -----------------------------------------------------------------------


def test_many_to_many_field_locks_both_parent_tables_against_writes(pg_db: str) -> None:
    r = run_operation(pg_db, ['migrations.AddField("product", "buyers", models.ManyToManyField("shop.customer"))'])
    assert r["error"] is None, r.explain()
    assert r.strongest("shop_product") == SRE, r.explain()
    assert r.strongest("shop_customer") == SRE, r.explain()


def test_ddl_is_transactional_a_failed_migration_leaves_nothing_behind(pg_db: str) -> None:
    r = run_operation(
        pg_db,
        [
            'migrations.AddField("product", "stock", models.IntegerField(null=True))',
            'migrations.RunSQL("SELECT * FROM no_such_table")',
        ],
    )
    assert r["error"] is not None, r.explain()
    assert "stock" not in r["columns_after"], r.explain()


PROVES = proofs(globals())
