from __future__ import annotations

from pathlib import Path

from tests.rule_examples import lint_migrations

HEADER = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
"""


def findings(tmp_path: Path, body: str) -> list[tuple[str, int, str]]:
    found = lint_migrations(tmp_path, [("0002_test.py", HEADER + body + "    ]\n")], select=["ZDM105"])
    return [(f.rule, f.line, f.message) for f in found]


def test_rename_field(tmp_path: Path) -> None:
    found = findings(tmp_path, '        migrations.RenameField("customer", "name", "full_name"),\n')
    assert [(rule, line) for rule, line, _ in found] == [("ZDM105", 8)]
    assert '"name"' in found[0][2] and '"full_name"' in found[0][2] and '"shop_customer"' in found[0][2]


def test_rename_foreign_key_names_the_id_column(tmp_path: Path) -> None:
    found = findings(tmp_path, '        migrations.RenameField("order", "customer", "buyer"),\n')
    assert [(rule, line) for rule, line, _ in found] == [("ZDM105", 8)]
    assert '"customer_id"' in found[0][2] and '"buyer_id"' in found[0][2]


def test_alter_field_changing_db_column(tmp_path: Path) -> None:
    body = '        migrations.AlterField("product", "name", models.CharField(max_length=100, db_column="title")),\n'
    found = findings(tmp_path, body)
    assert [(rule, line) for rule, line, _ in found] == [("ZDM105", 8)]
    assert '"name"' in found[0][2] and '"title"' in found[0][2]


def test_finding_is_mixed_phase(tmp_path: Path) -> None:
    body = '        migrations.RenameField("customer", "name", "full_name"),\n'
    found = lint_migrations(tmp_path, [("0002_test.py", HEADER + body + "    ]\n")], select=["ZDM105"])
    assert [f.phase.value for f in found] == ["mixed"]


def test_database_operations_are_flagged(tmp_path: Path) -> None:
    body = (
        "        migrations.SeparateDatabaseAndState(\n"
        '            database_operations=[migrations.RenameField("customer", "name", "full_name")],\n'
        "        ),\n"
    )
    assert [(rule, line) for rule, line, _ in findings(tmp_path, body)] == [("ZDM105", 9)]


def test_rename_many_to_many_renames_its_join_table(tmp_path: Path) -> None:
    # the join table must exist before the migration: add it in 0002, rename it in 0003
    add = HEADER + (
        '        migrations.AddField("product", "buyers", models.ManyToManyField(to="shop.customer")),\n    ]\n'
    )
    rename = HEADER.replace('"0001_initial"', '"0002_test"') + (
        '        migrations.RenameField("product", "buyers", "clients"),\n    ]\n'
    )
    found = lint_migrations(tmp_path, [("0002_test.py", add), ("0003_rename.py", rename)], select=["ZDM105"])
    assert [(f.rule, f.migration, f.line) for f in found] == [("ZDM105", "0003_rename", 8)]
    assert '"shop_product_buyers"' in found[0].message and '"shop_product_clients"' in found[0].message


def test_db_column_pinned_rename_is_silent(tmp_path: Path) -> None:
    body = (
        '        migrations.AlterField("customer", "name", models.CharField(max_length=100, db_column="name")),\n'
        '        migrations.RenameField("customer", "name", "full_name"),\n'
    )
    assert findings(tmp_path, body) == []


def test_state_only_rename_is_silent(tmp_path: Path) -> None:
    body = (
        "        migrations.SeparateDatabaseAndState(\n"
        '            state_operations=[migrations.RenameField("customer", "name", "full_name")],\n'
        "        ),\n"
    )
    assert findings(tmp_path, body) == []


def test_table_created_in_the_same_migration_is_silent(tmp_path: Path) -> None:
    body = (
        "        migrations.CreateModel(\n"
        '            name="Coupon",\n'
        "            fields=[\n"
        '                ("id", models.BigAutoField(primary_key=True)),\n'
        '                ("code", models.CharField(max_length=20)),\n'
        "            ],\n"
        "        ),\n"
        '        migrations.RenameField("coupon", "code", "token"),\n'
        '        migrations.AlterField("coupon", "token", models.CharField(max_length=20, db_column="tok")),\n'
    )
    assert findings(tmp_path, body) == []


def test_alter_field_keeping_the_column_is_silent(tmp_path: Path) -> None:
    body = '        migrations.AlterField("product", "name", models.CharField(max_length=200)),\n'
    assert findings(tmp_path, body) == []
