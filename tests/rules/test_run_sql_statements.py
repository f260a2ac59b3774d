"""RunSQL statements are judged by the rules that judge the operations they amount to (safemigrate/sqlops.py)."""

from __future__ import annotations

from pathlib import Path

from safemigrate.findings import Severity
from tests.rule_examples import lint, write_project
from tests.rules._locking_migrations import line_of, lint_steps, migration

NOOP = "migrations.RunSQL.noop"


def run_sql(statement: str, reverse: str = NOOP) -> str:
    return f"migrations.RunSQL({statement!r}, {reverse}),"


def rules(tmp_path: Path, *bodies: str, non_atomic: tuple[int, ...] = ()) -> list[tuple[str, str, int]]:
    found = lint_steps(tmp_path, *bodies, rule="ZDM", non_atomic=non_atomic)
    return [(f.rule, f.migration, f.line) for f in found]


# --- backward-incompatible -------------------------------------------------------------------------


def test_drop_column_of_a_column_the_code_uses(tmp_path: Path) -> None:
    found = lint_steps(tmp_path, run_sql("ALTER TABLE shop_customer DROP COLUMN legacy_code"), rule="ZDM102")
    assert [(f.rule, f.line) for f in found] == [("ZDM102", line_of(0))]
    assert found[0].message.startswith('RunSQL statement "ALTER TABLE shop_customer DROP COLUMN legacy_code": ')
    assert 'column "legacy_code" of "shop_customer"' in found[0].message
    assert "state only" in found[0].help and "DROP COLUMN" in found[0].help


def test_drop_column_after_a_state_only_removal_is_the_contract_step(tmp_path: Path) -> None:
    state_only = 'migrations.SeparateDatabaseAndState(state_operations=[migrations.RemoveField("customer", "legacy_code")]),'
    drop = run_sql(
        "ALTER TABLE shop_customer DROP COLUMN legacy_code",
        '"ALTER TABLE shop_customer ADD COLUMN legacy_code varchar(20) NULL"',
    )
    assert rules(tmp_path, state_only, drop) == []


def test_drop_column_with_its_own_state_operations_is_flagged(tmp_path: Path) -> None:
    # The code deployed before the migration still has the field: the state operation only runs with it.
    body = (
        'migrations.RunSQL("ALTER TABLE shop_customer DROP COLUMN legacy_code", migrations.RunSQL.noop, '
        'state_operations=[migrations.RemoveField("customer", "legacy_code")]),'
    )
    assert [(r, line) for r, _, line in rules(tmp_path, body)] == [("ZDM102", line_of(0))]


def test_drop_column_in_database_operations_next_to_the_state_removal_is_flagged(tmp_path: Path) -> None:
    body = (
        "migrations.SeparateDatabaseAndState(\n"
        f'    database_operations=[{run_sql("ALTER TABLE shop_customer DROP COLUMN legacy_code")[:-1]}],\n'
        '    state_operations=[migrations.RemoveField("customer", "legacy_code")],\n'
        "),"
    )
    assert [(r, line) for r, _, line in rules(tmp_path, body)] == [("ZDM102", line_of(1))]


def test_statements_on_a_foreign_key_column_are_judged(tmp_path: Path) -> None:
    # The database shadow must index the model's relations, or altering a ForeignKey there fails and the
    # statement is only "unverifiable" (ZDM607), hiding the drop.
    nullable = run_sql("ALTER TABLE shop_order ALTER COLUMN customer_id DROP NOT NULL")
    assert rules(tmp_path / "nullable", nullable) == []
    renamed = run_sql("ALTER TABLE shop_order RENAME COLUMN customer_id TO buyer_id")
    assert [(r, line) for r, _, line in rules(tmp_path / "renamed", renamed)] == [("ZDM105", line_of(0))]
    dropped = run_sql("ALTER TABLE shop_order DROP COLUMN customer_id")
    assert [(r, line) for r, _, line in rules(tmp_path / "dropped", dropped)] == [("ZDM102", line_of(0))]
    # The same after the replay copied the table into the database shadow by hand (a marker operation, or a
    # database-only operation of SeparateDatabaseAndState).
    body = (
        "migrations.SeparateDatabaseAndState(database_operations=["
        'migrations.AlterField("order", "note", models.CharField(max_length=200, null=True, help_text="x"))]),\n'
        + run_sql("VACUUM shop_order; ALTER TABLE shop_order DROP COLUMN customer_id")
    )
    assert [(r, line) for r, _, line in rules(tmp_path / "copied", body)] == [("ZDM102", line_of(1))]


def test_drop_column_no_model_knows_is_silent(tmp_path: Path) -> None:
    body = run_sql("ALTER TABLE shop_customer DROP COLUMN IF EXISTS never_existed; ALTER TABLE legacy DROP COLUMN a")
    assert rules(tmp_path, body) == []


def test_drop_table(tmp_path: Path) -> None:
    found = lint_steps(tmp_path, run_sql("DROP TABLE IF EXISTS shop_order CASCADE"), rule="ZDM103")
    assert [(f.rule, f.line) for f in found] == [("ZDM103", line_of(0))]
    assert 'model "Order"' in found[0].message


def test_drop_table_after_a_state_only_delete_is_silent(tmp_path: Path) -> None:
    state_only = 'migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel("Order")]),'
    assert rules(tmp_path, state_only, run_sql("DROP TABLE shop_order")) == []


def test_rename_column_and_table(tmp_path: Path) -> None:
    body = run_sql("ALTER TABLE shop_product RENAME COLUMN name TO title") + "\n" + run_sql(
        'ALTER TABLE "shop_product" RENAME TO shop_item'
    )
    found = lint_steps(tmp_path, body, rule="ZDM1")
    assert [(f.rule, f.line) for f in found] == [("ZDM105", line_of(0)), ("ZDM106", line_of(1))]
    assert 'renames column "name" of "shop_product" to "title"' in found[0].message
    assert 'renames table "shop_product" to "shop_item"' in found[1].message


def test_add_not_null_column_without_default(tmp_path: Path) -> None:
    body = "\n".join(
        [
            run_sql("ALTER TABLE shop_product ADD COLUMN weight integer NOT NULL"),
            run_sql("ALTER TABLE shop_product ADD COLUMN stock integer DEFAULT 0 NOT NULL"),
            run_sql("ALTER TABLE shop_product ADD COLUMN colour text NULL"),
        ]
    )
    found = lint_steps(tmp_path, body, rule="ZDM101")
    assert [(f.rule, f.line) for f in found] == [("ZDM101", line_of(0))]
    assert "DEFAULT" in found[0].help


# --- locking and rewrites -------------------------------------------------------------------------------


def test_set_not_null(tmp_path: Path) -> None:
    found = lint_steps(tmp_path, run_sql("ALTER TABLE shop_product ALTER COLUMN sku SET NOT NULL"), rule="ZDM201")
    assert [(f.rule, f.line) for f in found] == [("ZDM201", line_of(0))]
    assert "NOT VALID" in found[0].help and "VALIDATE CONSTRAINT" in found[0].help
    assert "default" not in found[0].message  # a raw SET NOT NULL fills nothing


def test_set_not_null_after_a_check_validated_by_sql_is_silent(tmp_path: Path) -> None:
    add = run_sql("ALTER TABLE shop_product ADD CONSTRAINT sku_nn CHECK (sku IS NOT NULL) NOT VALID")
    validate = run_sql("ALTER TABLE shop_product VALIDATE CONSTRAINT sku_nn")
    set_not_null = run_sql("ALTER TABLE shop_product ALTER COLUMN sku SET NOT NULL")
    assert rules(tmp_path / "validated", add, validate, set_not_null) == []
    found = lint_steps(tmp_path / "not-valid", add, set_not_null, rule="ZDM201")
    assert [(f.migration, f.line) for f in found] == [("0003_step", line_of(0))]
    assert 'the check "sku_nn" is still NOT VALID' in found[0].message
    assert "VALIDATE CONSTRAINT sku_nn" in found[0].help


def test_set_not_null_after_the_check_is_dropped_by_sql(tmp_path: Path) -> None:
    add = run_sql("ALTER TABLE shop_product ADD CONSTRAINT sku_nn CHECK (sku IS NOT NULL)")
    drop_then_set = run_sql(
        "ALTER TABLE shop_product DROP CONSTRAINT sku_nn; ALTER TABLE shop_product ALTER COLUMN sku SET NOT NULL"
    )
    found = lint_steps(tmp_path, add, drop_then_set, rule="ZDM201")
    assert [(f.migration, f.line) for f in found] == [("0003_step", line_of(0))]
    assert 'the check "sku_nn"' in found[0].message and "removed earlier" in found[0].message


def test_column_type_changes(tmp_path: Path) -> None:
    body = "\n".join(
        [
            run_sql("ALTER TABLE shop_product ALTER COLUMN quantity TYPE bigint"),
            run_sql("ALTER TABLE shop_product ALTER COLUMN name SET DATA TYPE varchar(50)"),
            run_sql("ALTER TABLE shop_product ALTER COLUMN name TYPE varchar(200)"),
            run_sql("ALTER TABLE shop_product ALTER COLUMN description TYPE text"),
            run_sql("ALTER TABLE shop_product ALTER COLUMN price TYPE numeric(14, 2)"),
        ]
    )
    found = lint_steps(tmp_path, body, rule="ZDM302")
    assert [(f.rule, f.line) for f in found] == [("ZDM302", line_of(0)), ("ZDM302", line_of(1))]
    assert "from integer to bigint" in found[0].message
    assert "from varchar(100) to varchar(50)" in found[1].message


def test_volatile_default_serial_and_identity_columns_rewrite(tmp_path: Path) -> None:
    body = "\n".join(
        [
            run_sql("ALTER TABLE shop_product ADD COLUMN token uuid DEFAULT gen_random_uuid()"),
            run_sql("ALTER TABLE shop_product ADD COLUMN seq bigserial"),
            run_sql("ALTER TABLE shop_product ADD COLUMN n integer GENERATED ALWAYS AS IDENTITY"),
            run_sql("ALTER TABLE shop_product ADD COLUMN added_at timestamptz DEFAULT now()"),
        ]
    )
    found = lint_steps(tmp_path, body, rule="ZDM301")
    assert [f.line for f in found] == [line_of(0), line_of(1), line_of(2)]
    assert "gen_random_uuid()" in found[0].message and "nextval()" in found[1].message


def test_create_index(tmp_path: Path) -> None:
    body = "\n".join(
        [
            run_sql("CREATE INDEX product_price_idx ON shop_product (price)"),
            run_sql("CREATE UNIQUE INDEX ON shop_product USING btree (lower(name))"),
        ]
    )
    found = lint_steps(tmp_path, body, rule="ZDM202")
    assert [f.line for f in found] == [line_of(0), line_of(1)]
    assert '"product_price_idx" on "shop_product"' in found[0].message
    assert "CREATE INDEX CONCURRENTLY" in found[0].help
    assert '"shop_product_lower_idx"' in found[1].message


def test_create_index_concurrently(tmp_path: Path) -> None:
    body = run_sql("CREATE INDEX CONCURRENTLY product_price_idx ON shop_product (price)", '"DROP INDEX CONCURRENTLY product_price_idx"')
    assert rules(tmp_path / "non-atomic", body, non_atomic=(2,)) == []
    # In an atomic migration concurrent-index-in-atomic-migration reports it, once, on the RunSQL.
    assert [r for r, _, _ in rules(tmp_path / "atomic", body)] == ["ZDM204", "ZDM204"]  # forward, reverse


def test_indexes_on_a_table_created_in_the_same_migration_are_silent(tmp_path: Path) -> None:
    create_model = (
        'migrations.CreateModel("Coupon", [("id", models.BigAutoField(primary_key=True)), '
        '("code", models.CharField(max_length=20, null=True))]),'
    )
    body = "\n".join(
        [
            create_model,
            run_sql("CREATE INDEX coupon_code_idx ON shop_coupon (code); ALTER TABLE shop_coupon ALTER code SET NOT NULL"),
            run_sql("CREATE TABLE shop_extra (id bigserial PRIMARY KEY, code varchar(5))"),
            run_sql("CREATE INDEX extra_code_idx ON shop_extra (code); ALTER TABLE shop_extra ADD c int NOT NULL"),
        ]
    )
    assert rules(tmp_path, body) == []


def test_a_table_created_by_sql_in_an_earlier_migration_is_an_existing_table(tmp_path: Path) -> None:
    create = run_sql("CREATE TABLE shop_extra (id bigserial PRIMARY KEY, code varchar(5))", '"DROP TABLE shop_extra"')
    index = run_sql("CREATE INDEX extra_code_idx ON shop_extra (code)")
    assert rules(tmp_path, create, index) == [("ZDM202", "0003_step", line_of(0))]


def test_drop_index(tmp_path: Path) -> None:
    body = "\n".join(
        [
            run_sql("DROP INDEX product_name_idx"),
            run_sql("DROP INDEX IF EXISTS shop_order_customer_id_3c1ab2f5"),
            run_sql("DROP INDEX some_index_nobody_named"),
        ]
    )
    found = lint_steps(tmp_path, body, rule="ZDM203")
    assert [f.line for f in found] == [line_of(0), line_of(1), line_of(2)]
    assert 'index "product_name_idx" of "shop_product"' in found[0].message
    assert 'of "shop_order"' in found[1].message  # Django's <table>_<column>_<hash> naming
    assert 'index "some_index_nobody_named" with' in found[2].message
    assert "DROP INDEX CONCURRENTLY" in found[0].help


def test_check_and_foreign_key_constraints(tmp_path: Path) -> None:
    body = "\n".join(
        [
            run_sql("ALTER TABLE shop_product ADD CONSTRAINT price_positive CHECK (price > 0)"),
            run_sql("ALTER TABLE shop_product ADD CONSTRAINT qty_positive CHECK (quantity > 0) NOT VALID"),
            run_sql("ALTER TABLE shop_order ADD CONSTRAINT order_customer_fk FOREIGN KEY (customer_id) REFERENCES shop_customer (id)"),
            run_sql("ALTER TABLE shop_order ADD FOREIGN KEY (customer_id) REFERENCES shop_customer NOT VALID"),
            run_sql("ALTER TABLE shop_product ADD COLUMN maker_id bigint NULL REFERENCES shop_customer (id)"),
        ]
    )
    found = lint_steps(tmp_path, body, rule="ZDM205")
    assert [f.line for f in found] == [line_of(0), line_of(2), line_of(4)]
    assert "ADD CONSTRAINT ... CHECK" in found[0].message and "VALIDATE CONSTRAINT price_positive" in found[0].help
    assert 'foreign key "order_customer_fk"' in found[1].message and '"shop_customer"' in found[1].message
    assert "ADD COLUMN ... REFERENCES" in found[2].message and "index" not in found[2].message


def test_validate_in_the_same_atomic_migration_as_not_valid(tmp_path: Path) -> None:
    body = run_sql(
        "ALTER TABLE shop_product ADD CONSTRAINT qty_positive CHECK (quantity > 0) NOT VALID;"
        " ALTER TABLE shop_product VALIDATE CONSTRAINT qty_positive"
    )
    assert [r for r, _, _ in rules(tmp_path, body)] == ["ZDM205"]


def test_unique_constraint_and_unique_using_index(tmp_path: Path) -> None:
    body = "\n".join(
        [
            run_sql("ALTER TABLE shop_product ADD CONSTRAINT sku_uniq UNIQUE (sku)"),
            run_sql("ALTER TABLE shop_product ADD CONSTRAINT sku_uniq2 UNIQUE USING INDEX sku_uniq_idx"),
            run_sql("ALTER TABLE shop_product ADD COLUMN code varchar(8) UNIQUE"),
        ]
    )
    found = lint_steps(tmp_path, body, rule="ZDM202")
    assert [f.line for f in found] == [line_of(0), line_of(2)]
    assert "UNIQUE USING INDEX sku_uniq" in found[0].help and "CONCURRENTLY" in found[0].help
    assert "with UNIQUE runs ADD COLUMN" in found[1].message


# --- where findings point ------------------------------------------------------------------------------


def test_each_statement_of_a_multi_line_string_has_its_own_line(tmp_path: Path) -> None:
    body = (
        "migrations.RunSQL(\n"
        '    """\n'
        "    SELECT 1;\n"
        "    ALTER TABLE shop_customer DROP COLUMN legacy_code;\n"
        "    -- a comment; with a semicolon\n"
        "    CREATE INDEX product_price_idx ON shop_product (price);\n"
        '    """,\n'
        "    reverse_sql=migrations.RunSQL.noop,\n"
        "),"
    )
    assert [(r, line) for r, _, line in rules(tmp_path, body)] == [("ZDM102", line_of(3)), ("ZDM202", line_of(5))]


def test_lists_pairs_and_module_constants_point_at_their_strings(tmp_path: Path) -> None:
    source = (
        "from django.db import migrations\n"
        "\n"
        'DROP = "ALTER TABLE shop_customer DROP COLUMN legacy_code"\n'
        "\n"
        "\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n'
        "\n"
        "    operations = [\n"
        "        migrations.RunSQL(\n"
        "            [\n"
        '                "SELECT 1",\n'
        '                ("CREATE INDEX product_price_idx ON shop_product (price) WHERE price > %s", [10]),\n'
        "                DROP,\n"
        "            ],\n"
        "            migrations.RunSQL.noop,\n"
        "        ),\n"
        "    ]\n"
    )
    project = write_project(tmp_path, [("0002_list.py", source)])
    found = lint([project / "shop" / "migrations" / "0002_list.py"])
    assert [(f.rule, f.line) for f in found] == [("ZDM102", 3), ("ZDM202", 13)]


# --- reverse_sql ---------------------------------------------------------------------------------------------


def test_dangerous_reverse_sql_is_a_warning_at_its_own_line(tmp_path: Path) -> None:
    body = (
        "migrations.RunSQL(\n"
        '    "DROP INDEX CONCURRENTLY product_name_idx",\n'
        '    reverse_sql="CREATE INDEX product_name_idx ON shop_product (name)",\n'
        "),"
    )
    found = lint_steps(tmp_path, body, rule="ZDM2", non_atomic=(2,))
    assert [(f.rule, f.line, f.severity) for f in found] == [("ZDM202", line_of(2, atomic=False), Severity.WARNING)]
    assert found[0].message.startswith(
        'In reverse_sql (runs on rollback), statement "CREATE INDEX product_name_idx ON shop_product (name)": '
    )
    assert "CREATE INDEX CONCURRENTLY" in found[0].help


def test_reverse_sql_is_judged_against_the_database_the_migration_leaves(tmp_path: Path) -> None:
    # The forward statement adds the column; the reverse drops it, and the old-code rules don't judge a rollback.
    body = run_sql(
        "ALTER TABLE shop_product ADD COLUMN weight integer NULL",
        '"ALTER TABLE shop_product ALTER COLUMN weight SET NOT NULL; ALTER TABLE shop_product DROP COLUMN weight"',
    )
    found = lint_steps(tmp_path, body, rule="ZDM")
    assert [(f.rule, f.severity) for f in found] == [("ZDM201", Severity.WARNING)]
    assert 'Making "weight" of "shop_product" NOT NULL' in found[0].message


def test_reverse_sql_does_not_change_what_later_migrations_see(tmp_path: Path) -> None:
    first = run_sql("SELECT 1", '"ALTER TABLE shop_customer DROP COLUMN legacy_code"')
    later = run_sql("ALTER TABLE shop_customer DROP COLUMN legacy_code")
    assert rules(tmp_path, first, later) == [("ZDM102", "0003_step", line_of(0))]


def test_reverse_sql_adding_a_not_null_column_back(tmp_path: Path) -> None:
    state_only = 'migrations.SeparateDatabaseAndState(state_operations=[migrations.RemoveField("customer", "nickname")]),'
    drop = run_sql(
        "ALTER TABLE shop_customer DROP COLUMN nickname",
        '"ALTER TABLE shop_customer ADD COLUMN nickname varchar(50) NOT NULL"',
    )
    found = lint_steps(tmp_path, state_only, drop, rule="ZDM1")
    assert [(f.rule, f.migration, f.severity) for f in found] == [
        ("ZDM104", "0002_step", Severity.ERROR),  # the NOT NULL column left in the table
        ("ZDM101", "0003_step", Severity.WARNING),
    ]


# --- the migration as a whole ------------------------------------------------------------------------------------


def test_statements_count_as_expand_and_contract_steps(tmp_path: Path) -> None:
    body = run_sql("ALTER TABLE shop_product ADD COLUMN weight integer NULL; ALTER TABLE shop_customer DROP COLUMN legacy_code")
    found = lint_steps(tmp_path, body, rule="ZDM501")
    assert len(found) == 1
    assert 'RunSQL "ALTER TABLE shop_product ADD COLUMN weight integer NULL" (operations[0])' in found[0].message


def test_schema_and_data_change_is_reported_once_for_the_runsql(tmp_path: Path) -> None:
    body = run_sql("ALTER TABLE shop_product ADD COLUMN weight integer NULL; UPDATE shop_product SET weight = 1 WHERE id < 10")
    found = lint_steps(tmp_path, body, rule="ZDM206")
    assert [f.line for f in found] == [line_of(0)]
    assert "the ALTER statement in the same RunSQL" in found[0].message


def test_history_read_without_reporting_still_teaches_the_database_shadow(tmp_path: Path) -> None:
    files = [
        migration(2, run_sql("ALTER TABLE shop_product ADD CONSTRAINT sku_nn CHECK (sku IS NOT NULL) NOT VALID")),
        migration(3, run_sql("ALTER TABLE shop_product VALIDATE CONSTRAINT sku_nn")),
        migration(4, run_sql("ALTER TABLE shop_product ALTER COLUMN sku SET NOT NULL")),
    ]
    project = write_project(tmp_path, files)
    assert lint([project / "shop" / "migrations" / "0004_step.py"]) == []


def test_database_operations_on_what_the_state_no_longer_has_are_silent_too(tmp_path: Path) -> None:
    # The same judgement for Django's own operations in the database half of SeparateDatabaseAndState.
    state_only = 'migrations.SeparateDatabaseAndState(state_operations=[migrations.RemoveField("customer", "legacy_code")]),'
    drop = 'migrations.SeparateDatabaseAndState(database_operations=[migrations.RemoveField("customer", "legacy_code")]),'
    assert rules(tmp_path / "later", state_only, drop) == []
    assert [r for r, _, _ in rules(tmp_path / "same", drop)] == ["ZDM102"]
