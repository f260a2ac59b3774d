from __future__ import annotations

from pathlib import Path

from tests.rule_examples import lint_migrations

HEADER = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
"""


def state_only(*operations: str, database: tuple[str, ...] = ()) -> str:
    lines = ["        migrations.SeparateDatabaseAndState(\n"]
    if database:
        lines.append("            database_operations=[\n")
        lines.extend(f"                {op},\n" for op in database)
        lines.append("            ],\n")
    lines.append("            state_operations=[\n")
    lines.extend(f"                {op},\n" for op in operations)
    lines.append("            ],\n        ),\n")
    return "".join(lines)


def findings(tmp_path: Path, body: str) -> list[tuple[str, int, str]]:
    found = lint_migrations(tmp_path, [("0002_test.py", HEADER + body + "    ]\n")], select=["ZDM104"])
    return [(f.rule, f.line, f.message) for f in found]


REMOVE_NICKNAME = 'migrations.RemoveField(model_name="customer", name="nickname")'


def test_state_only_removal_of_not_null_column(tmp_path: Path) -> None:
    found = findings(tmp_path, state_only(REMOVE_NICKNAME))
    assert [(rule, line) for rule, line, _ in found] == [("ZDM104", 10)]
    assert '"nickname"' in found[0][2] and '"shop_customer"' in found[0][2] and "INSERT" in found[0][2]


def test_python_default_does_not_help(tmp_path: Path) -> None:
    found = findings(tmp_path, state_only('migrations.RemoveField(model_name="product", name="quantity")'))
    assert [(rule, line) for rule, line, _ in found] == [("ZDM104", 10)]
    assert '"quantity"' in found[0][2]


def test_foreign_key_names_its_column(tmp_path: Path) -> None:
    found = findings(tmp_path, state_only('migrations.RemoveField(model_name="order", name="customer")'))
    assert [(rule, line) for rule, line, _ in found] == [("ZDM104", 10)]
    assert '"customer_id"' in found[0][2]


def test_state_only_alter_field_does_not_change_the_column(tmp_path: Path) -> None:
    alter = 'migrations.AlterField("customer", "nickname", models.CharField(max_length=50, null=True))'
    found = findings(tmp_path, state_only(alter, REMOVE_NICKNAME))
    assert [(rule, line) for rule, line, _ in found] == [("ZDM104", 11)]


def test_nullable_column_is_silent(tmp_path: Path) -> None:
    assert findings(tmp_path, state_only('migrations.RemoveField(model_name="customer", name="legacy_code")')) == []


def test_made_nullable_earlier_in_the_migration_is_silent(tmp_path: Path) -> None:
    body = (
        '        migrations.AlterField("customer", "nickname", models.CharField(max_length=50, null=True)),\n'
        + state_only(REMOVE_NICKNAME)
    )
    assert findings(tmp_path, body) == []


def test_db_default_is_silent(tmp_path: Path) -> None:
    body = (
        '        migrations.AlterField("customer", "nickname", models.CharField(max_length=50, db_default="")),\n'
        + state_only(REMOVE_NICKNAME)
    )
    assert findings(tmp_path, body) == []


def test_dropped_in_database_operations_is_silent(tmp_path: Path) -> None:
    assert findings(tmp_path, state_only(REMOVE_NICKNAME, database=(REMOVE_NICKNAME,))) == []


def test_made_nullable_in_database_operations_is_silent(tmp_path: Path) -> None:
    alter = 'migrations.AlterField("customer", "nickname", models.CharField(max_length=50, null=True))'
    sql = 'migrations.RunSQL("ALTER TABLE shop_customer ALTER COLUMN nickname DROP NOT NULL", migrations.RunSQL.noop)'
    assert findings(tmp_path, state_only(REMOVE_NICKNAME, database=(alter,))) == []
    assert findings(tmp_path / "sql", state_only(REMOVE_NICKNAME, database=(sql,))) == []


def test_sql_about_another_column_does_not_count(tmp_path: Path) -> None:
    sql = 'migrations.RunSQL("ALTER TABLE shop_customer ALTER COLUMN name DROP NOT NULL", migrations.RunSQL.noop)'
    found = findings(tmp_path, state_only(REMOVE_NICKNAME, database=(sql,)))
    assert [(rule, line) for rule, line, _ in found] == [("ZDM104", 13)]


def test_many_to_many_is_silent(tmp_path: Path) -> None:
    body = (
        '        migrations.AddField("product", "buyers", models.ManyToManyField(to="shop.customer")),\n'
        + state_only('migrations.RemoveField(model_name="product", name="buyers")')
    )
    assert findings(tmp_path, body) == []


def test_normal_remove_field_is_left_to_drop_column(tmp_path: Path) -> None:
    assert findings(tmp_path, f"        {REMOVE_NICKNAME},\n") == []


def test_sql_about_the_same_column_of_another_table_does_not_count(tmp_path: Path) -> None:
    sql = 'migrations.RunSQL("ALTER TABLE shop_other ALTER COLUMN nickname DROP NOT NULL", migrations.RunSQL.noop)'
    found = findings(tmp_path, state_only(REMOVE_NICKNAME, database=(sql,)))
    assert [(rule, line) for rule, line, _ in found] == [("ZDM104", 13)]


def test_quoted_identifiers_in_sql_count(tmp_path: Path) -> None:
    sql = (
        'migrations.RunSQL(\'ALTER TABLE "shop_customer" ALTER COLUMN "nickname" DROP NOT NULL\', '
        "migrations.RunSQL.noop)"
    )
    assert findings(tmp_path, state_only(REMOVE_NICKNAME, database=(sql,))) == []


def test_state_only_null_in_an_earlier_migration_does_not_loosen_the_column(tmp_path: Path) -> None:
    """A state-only AlterField(null=True) in an earlier migration never touched the column."""
    earlier = (
        "0002_state_null.py",
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n'
        "    operations = [\n"
        "        migrations.SeparateDatabaseAndState(state_operations=[\n"
        '            migrations.AlterField("customer", "nickname", models.CharField(max_length=50, null=True)),\n'
        "        ]),\n"
        "    ]\n",
    )
    later = (
        "0003_state_remove.py",
        "from django.db import migrations\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0002_state_null")]\n'
        "    operations = [\n"
        "        migrations.SeparateDatabaseAndState(state_operations=[\n"
        '            migrations.RemoveField("customer", "nickname"),\n'
        "        ]),\n"
        "    ]\n",
    )
    found = lint_migrations(tmp_path, [earlier, later], select=["ZDM104"])
    assert [(f.rule, f.migration) for f in found] == [("ZDM104", "0003_state_remove")]


def sql(statement: str) -> str:
    return f"migrations.RunSQL({statement!r}, migrations.RunSQL.noop)"


def test_sql_that_only_mentions_loosening_does_not_count(tmp_path: Path) -> None:
    comment = sql("COMMENT ON COLUMN shop_customer.nickname IS 'do not DROP COLUMN, SET DEFAULT or DROP NOT NULL'")
    found = findings(tmp_path, state_only(REMOVE_NICKNAME, database=(comment,)))
    assert [(rule, line) for rule, line, _ in found] == [("ZDM104", 13)]


def test_dropped_or_defaulted_by_sql_in_database_operations_is_silent(tmp_path: Path) -> None:
    for i, statement in enumerate([
        "ALTER TABLE shop_customer DROP COLUMN nickname",
        "ALTER TABLE shop_customer ALTER COLUMN nickname SET DEFAULT ''",
        "ALTER TABLE shop_customer ALTER nickname SET DEFAULT 'x', ALTER COLUMN name DROP NOT NULL",
    ]):
        assert findings(tmp_path / str(i), state_only(REMOVE_NICKNAME, database=(sql(statement),))) == []


def test_sql_default_that_does_not_fill_the_column_does_not_count(tmp_path: Path) -> None:
    for i, statements in enumerate([
        ["ALTER TABLE shop_customer ALTER COLUMN nickname SET DEFAULT NULL"],
        ["ALTER TABLE shop_customer ALTER COLUMN nickname SET DEFAULT ''",
         "ALTER TABLE shop_customer ALTER COLUMN nickname DROP DEFAULT"],
        ["ALTER TABLE shop_customer ALTER COLUMN name SET DEFAULT ''"],
    ]):
        database = tuple(sql(s) for s in statements)
        found = findings(tmp_path / str(i), state_only(REMOVE_NICKNAME, database=database))
        assert [rule for rule, _, _ in found] == ["ZDM104"], statements
