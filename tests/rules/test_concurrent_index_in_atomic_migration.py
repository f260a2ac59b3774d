from __future__ import annotations

from pathlib import Path

from tests.rules._locking_migrations import line_of, lint_steps

RULE = "ZDM204"
ADD = 'AddIndexConcurrently("product", models.Index(fields=["sku"], name="product_sku_idx")),'
REMOVE = 'RemoveIndexConcurrently("product", "product_name_idx"),'


def test_add_and_remove_index_concurrently_in_atomic_migration(tmp_path: Path) -> None:
    found = lint_steps(tmp_path, ADD + "\n" + REMOVE, rule=RULE)
    assert [(f.rule, f.line) for f in found] == [(RULE, line_of(0)), (RULE, line_of(1))]
    assert "AddIndexConcurrently" in found[0].message and '"product_sku_idx"' in found[0].message
    assert "transaction" in found[0].message and "fails" in found[0].message
    assert "RemoveIndexConcurrently" in found[1].message and '"product_name_idx"' in found[1].message
    assert "atomic = False" in found[0].help and "0002_step" in found[0].help


def test_inside_database_operations(tmp_path: Path) -> None:
    body = f"migrations.SeparateDatabaseAndState(database_operations=[{ADD[:-1]}]),"
    found = lint_steps(tmp_path, body, rule=RULE)
    assert [f.line for f in found] == [line_of(0)]


def test_project_subclass_and_unimported_operation_are_recognised() -> None:
    from django.db import models

    from safemigrate.operations import is_operation
    from safemigrate.source.postgres_operations import AddIndexConcurrently

    class Custom(AddIndexConcurrently):  # type: ignore[misc]
        pass

    class Unimported:
        safemigrate_path = "django.contrib.postgres.operations.RemoveIndexConcurrently"

    assert is_operation(Custom("product", models.Index(fields=["sku"], name="i")), "AddIndexConcurrently")
    assert is_operation(Unimported(), "RemoveIndexConcurrently")
    assert not is_operation(Unimported(), "AddIndexConcurrently")


def test_run_sql_create_index_concurrently(tmp_path: Path) -> None:
    body = (
        'migrations.RunSQL("CREATE UNIQUE INDEX CONCURRENTLY sku_uniq ON shop_product (sku);", '
        'reverse_sql="DROP INDEX CONCURRENTLY sku_uniq;"),'
    )
    found = lint_steps(tmp_path, body, rule=RULE)
    assert [f.line for f in found] == [line_of(0), line_of(0)]
    assert found[0].message.startswith('RunSQL statement "CREATE UNIQUE INDEX CONCURRENTLY sku_uniq ON')
    assert "cannot run inside a transaction block" in found[0].message and "migration fails" in found[0].message
    # The reverse_sql fails the same way on rollback: a warning, like every reverse_sql finding.
    assert found[1].message.startswith('In reverse_sql (runs on rollback), statement "DROP INDEX CONCURRENTLY')
    assert "rollback fails" in found[1].message
    assert [f.severity.value for f in found] == ["error", "warning"]


def test_each_statement_is_reported_on_its_own_line(tmp_path: Path) -> None:
    body = (
        "migrations.RunSQL(\n"
        '    ["SELECT 1", "CREATE INDEX CONCURRENTLY a_idx ON shop_product (sku)",\n'
        '     "DROP INDEX CONCURRENTLY product_name_idx"],\n'
        '    reverse_sql=migrations.RunSQL.noop,\n'
        "),"
    )
    found = lint_steps(tmp_path, body, rule=RULE)
    assert [f.line for f in found] == [line_of(1), line_of(2)]
    assert "a_idx" in found[0].message and "product_name_idx" in found[1].message


def test_reindex_concurrently(tmp_path: Path) -> None:
    body = (
        'migrations.RunSQL("REINDEX TABLE CONCURRENTLY shop_product", migrations.RunSQL.noop),\n'
        'migrations.RunSQL("REINDEX (CONCURRENTLY, VERBOSE) INDEX product_name_idx", migrations.RunSQL.noop),\n'
        'migrations.RunSQL("REINDEX INDEX product_name_idx", migrations.RunSQL.noop),'
    )
    found = lint_steps(tmp_path, body, rule=RULE)
    assert [f.line for f in found] == [line_of(0), line_of(1)]
    assert lint_steps(tmp_path / "b", body, rule=RULE, non_atomic=(2,)) == []


def test_text_that_only_mentions_concurrently_is_silent(tmp_path: Path) -> None:
    body = (
        "migrations.RunSQL(\"COMMENT ON TABLE shop_product IS 'CREATE INDEX CONCURRENTLY later'\", "
        "migrations.RunSQL.noop),"
    )
    assert lint_steps(tmp_path, body, rule=RULE) == []


def test_silent_with_atomic_false(tmp_path: Path) -> None:
    assert lint_steps(tmp_path, ADD, rule=RULE, non_atomic=(2,)) == []


def test_silent_for_state_only_and_plain_sql(tmp_path: Path) -> None:
    body = (
        f"migrations.SeparateDatabaseAndState(state_operations=[{ADD[:-1]}]),\n"
        'migrations.RunSQL("CREATE INDEX sku_idx ON shop_product (sku);", reverse_sql="DROP INDEX sku_idx;"),\n'
        'migrations.AddIndex("product", models.Index(fields=["price"], name="product_price_idx")),'
    )
    assert lint_steps(tmp_path, body, rule=RULE) == []
