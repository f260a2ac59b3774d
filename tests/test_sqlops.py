"""Reading RunSQL statements as Django operations (safemigrate/sqlops.py)."""

from __future__ import annotations

import pytest
from django.db import models
from django.db.migrations import operations as ops
from django.db.models import Q

from safemigrate.engine import ensure_django_settings
from safemigrate.sqlfacts import split_statements
from safemigrate.sqlops import (
    SQL_APP,
    RenameColumn,
    SqlSchema,
    UnverifiableStatement,
    column_field,
    tokenize,
    translate,
)
from safemigrate.state import ReplayState

ensure_django_settings()


def schema() -> SqlSchema:
    state = ReplayState()
    ops.CreateModel(
        "Product",
        [
            ("id", models.BigAutoField(primary_key=True)),
            ("name", models.CharField(max_length=100)),
            ("label", models.CharField(max_length=10, db_column="product_label")),
            ("maker", models.ForeignKey("shop.maker", models.CASCADE)),
        ],
        options={"indexes": [models.Index(fields=["name"], name="name_idx")]},
    ).state_forwards("shop", state)
    ops.CreateModel("Legacy", [("id", models.AutoField(primary_key=True))], options={"db_table": "old_legacy"}).state_forwards(
        "shop", state
    )
    return SqlSchema(state, ReplayState())


def steps(sql: str, where: SqlSchema | None = None) -> list[tuple[str, str]]:
    where = where or schema()
    out = []
    for statement in split_statements(sql):
        for step in translate(statement, where):
            out.append((type(step.operation).__name__, step.app_label))
    return out


def test_tokens_respect_quotes_and_fold_unquoted_names() -> None:
    toks = tokenize("""ALTER TABLE "Shop_Product" ADD "a""b" text DEFAULT 'it''s' || E'\\n' || $q$x;y$q$""")
    assert [t.kind for t in toks] == ["word", "word", "ident", "word", "ident", "word", "word", "string", "op", "string", "op", "string"]
    assert toks[2].name == "Shop_Product" and toks[4].name == 'a"b' and toks[0].name == "alter"


def test_tables_map_to_models_through_the_state() -> None:
    where = schema()
    assert where.find("shop_product") == ("shop", "product")
    assert where.find("SHOP_PRODUCT") == ("shop", "product")
    assert where.find("old_legacy") == ("shop", "legacy")  # db_table
    assert where.find("shop_legacy") is None
    assert where.model("somewhere_else") == (SQL_APP, "somewhere_else")  # a stand-in, kept in the database shadow
    assert (SQL_APP, "somewhere_else") in where.db.models and (SQL_APP, "somewhere_else") not in where.state.models
    assert where.field_for_column(("shop", "product"), "product_label") == "label"
    assert where.field_for_column(("shop", "product"), "maker_id") == "maker"
    assert where.index_owner("name_idx") == ("shop", "product")
    assert where.index_owner("shop_product_maker_id_1a2b3c4d") == ("shop", "product")


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("ALTER TABLE public.shop_product DROP COLUMN product_label", [("RemoveField", "shop")]),
        ("ALTER TABLE shop_product RENAME COLUMN name TO title", [("RenameColumn", "shop")]),
        ("ALTER TABLE old_legacy RENAME TO new_legacy", [("AlterModelTable", "shop")]),
        # name is NOT NULL already: SET NOT NULL changes nothing
        ("ALTER TABLE shop_product ALTER name TYPE text, ALTER COLUMN name SET NOT NULL", [("AlterField", "shop")]),
        ("ALTER TABLE shop_product ALTER COLUMN name DROP NOT NULL", [("AlterField", "shop")]),
        ("ALTER TABLE shop_product ADD COLUMN x int, ADD y text", [("AddField", "shop"), ("AddField", "shop")]),
        ("CREATE INDEX i ON shop_product (name)", [("AddIndex", "shop")]),
        ("CREATE UNIQUE INDEX CONCURRENTLY i ON shop_product (name)", [("AddIndexConcurrently", "shop")]),
        ("DROP INDEX CONCURRENTLY name_idx", [("RemoveIndexConcurrently", "shop")]),
        ("ALTER TABLE shop_product ADD CONSTRAINT c CHECK (id > 0) NOT VALID", [("AddConstraintNotValid", "shop")]),
        ("ALTER TABLE shop_product VALIDATE CONSTRAINT c", [("ValidateConstraint", "shop")]),
        ("ALTER TABLE shop_product DROP CONSTRAINT IF EXISTS c", [("RemoveConstraint", "shop")]),
        ("DROP TABLE shop_product, nobody_knows", [("DeleteModel", "shop")]),
        ("CREATE TABLE t (id int)", [("CreateModel", SQL_APP)]),
        ("LOCK shop_product", [("LockTable", "shop")]),
        ("TRUNCATE shop_product", [("TruncateTable", "shop")]),
        ("VACUUM FULL", [("VacuumFull", SQL_APP)]),
        ("REINDEX INDEX name_idx", [("Reindex", "shop")]),
        ("REINDEX TABLE CONCURRENTLY shop_product", [("ReindexConcurrently", "shop")]),
        ("REINDEX (CONCURRENTLY) INDEX name_idx", [("ReindexConcurrently", "shop")]),
        ("ALTER TABLE shop_product ALTER COLUMN name SET DEFAULT 'x'", [("AlterField", "shop")]),  # a db_default
        ("ALTER TABLE shop_product ALTER COLUMN name DROP DEFAULT", []),  # it has none
        ("ALTER TABLE shop_product ALTER COLUMN name SET STATISTICS 100", []),
        ("UPDATE shop_product SET name = 'x'", [("WholeTableChange", "shop")]),
        ("UPDATE shop_product SET name = 'x' WHERE id = 1", []),
        ("ALTER TABLE shop_product ALTER COLUMN maker_id TYPE bigint", []),  # follows the referenced key: not judged
        ("ALTER TABLE shop_product ALTER COLUMN nobody TYPE bigint", []),  # a column no operation created
    ],
)
def test_statements_read_as_operations(sql: str, expected: list[tuple[str, str]]) -> None:
    assert steps(sql) == expected


def test_a_clause_it_cant_read_makes_the_statement_unverifiable_but_keeps_the_rest() -> None:
    found = steps("ALTER TABLE shop_product DROP COLUMN name, SET TABLESPACE fast")
    assert found == [("RemoveField", "shop"), ("UnverifiableStatement", SQL_APP)]
    (step,) = translate(split_statements("ALTER TABLE shop_product FROB")[0], schema())
    assert isinstance(step.operation, UnverifiableStatement) and "FROB" in step.operation.reason


def test_rename_column_keeps_the_field_and_changes_its_column() -> None:
    where = schema()
    (step,) = translate(split_statements("ALTER TABLE shop_product RENAME COLUMN product_label TO tag")[0], where)
    assert isinstance(step.operation, RenameColumn)
    assert ("shop", "product") in where.db.models  # the database shadow's own copy, changed there only
    step.operation.state_forwards("shop", where.db)
    assert where.db.models["shop", "product"].fields["label"].db_column == "tag"
    assert where.state.models["shop", "product"].fields["label"].db_column == "product_label"


def test_statements_see_what_the_statements_before_them_did() -> None:
    where = schema()
    statements = split_statements("CREATE TABLE extra (id int, code varchar(5)); ALTER TABLE extra DROP COLUMN code")
    (create,) = translate(statements[0], where)
    assert create.creates_table and create.table == "extra"
    create.operation.state_forwards(create.app_label, where.db)
    (drop,) = translate(statements[1], where)
    assert isinstance(drop.operation, ops.RemoveField) and drop.operation.name == "code"


@pytest.mark.parametrize(
    ("sql_type", "cls", "attrs"),
    [
        ("integer", models.IntegerField, {}),
        ("int8", models.BigIntegerField, {}),
        ("character varying(20)", models.CharField, {"max_length": 20}),
        ("varchar", models.CharField, {"max_length": None}),
        ("numeric(10,2)", models.DecimalField, {"max_digits": 10, "decimal_places": 2}),
        ("numeric(7)", models.DecimalField, {"max_digits": 7, "decimal_places": 0}),
        ("timestamp with time zone", models.DateTimeField, {}),
        ("text", models.TextField, {}),
    ],
)
def test_sql_types_map_to_django_fields(sql_type: str, cls: type, attrs: dict[str, object]) -> None:
    field = column_field(sql_type, column="c", null=False)
    assert type(field) is cls and field.null is False and field.db_column == "c"
    assert all(getattr(field, k) == v for k, v in attrs.items())


def test_types_django_has_no_field_for_are_placeholders_and_serials_draw_numbers() -> None:
    assert getattr(column_field("char(3)", column="c"), "safemigrate_path", "") == "sql.char(3)"
    serial = column_field("bigserial", column="n")
    assert type(serial) is models.BigIntegerField and "nextval" in serial.db_default.sql


def test_check_is_not_null_becomes_a_q_postgresql_can_use() -> None:
    for sql in ("CHECK (name IS NOT NULL)", 'CHECK ((("name" IS NOT NULL)))', "CHECK (NOT (name IS NULL) AND id > 0)"):
        (step,) = translate(split_statements(f"ALTER TABLE shop_product ADD CONSTRAINT c {sql}")[0], schema())
        condition = getattr(step.operation.constraint, "condition", None) or step.operation.constraint.check
        assert isinstance(condition, Q) and ("name__isnull", False) in condition.children, sql
    (step,) = translate(split_statements("ALTER TABLE shop_product ADD CHECK (name IS NOT NULL OR id > 0)")[0], schema())
    condition = getattr(step.operation.constraint, "condition", None) or step.operation.constraint.check
    assert not isinstance(condition, Q)


def test_unquoted_identifiers_in_other_cases_still_map() -> None:
    assert steps('alter table SHOP_PRODUCT drop column "name"') == [("RemoveField", "shop")]
