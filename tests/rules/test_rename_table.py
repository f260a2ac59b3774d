from __future__ import annotations

from pathlib import Path

from tests.rule_examples import lint_migrations

HEADER = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
"""


def findings(tmp_path: Path, *bodies: str) -> list[tuple[str, str, int, str]]:
    files = []
    for number, body in enumerate(bodies, start=2):
        previous = "0001_initial" if number == 2 else f"{number - 1:04d}_test"
        header = HEADER.replace('"0001_initial"', f'"{previous}"')
        files.append((f"{number:04d}_test.py", header + body + "    ]\n"))
    found = lint_migrations(tmp_path, files, select=["ZDM106"])
    return [(f.rule, f.migration, f.line, f.message) for f in found]


def test_rename_model(tmp_path: Path) -> None:
    found = findings(tmp_path, '        migrations.RenameModel("Product", "Item"),\n')
    assert [(rule, line) for rule, _, line, _ in found] == [("ZDM106", 8)]
    assert '"shop_product"' in found[0][3] and '"shop_item"' in found[0][3]


def test_alter_model_table(tmp_path: Path) -> None:
    found = findings(tmp_path, '        migrations.AlterModelTable(name="product", table="catalog_product"),\n')
    assert [(rule, line) for rule, _, line, _ in found] == [("ZDM106", 8)]
    assert '"catalog_product"' in found[0][3]


def test_unpinning_db_table_renames_too(tmp_path: Path) -> None:
    found = findings(
        tmp_path,
        '        migrations.AlterModelTable(name="product", table="shop_product"),\n',
        '        migrations.AlterModelTable(name="product", table=None),\n'
        '        migrations.RenameModel("Product", "Item"),\n',
    )
    assert [(rule, migration, line) for rule, migration, line, _ in found] == [("ZDM106", "0003_test", 9)]


def test_finding_is_mixed_phase(tmp_path: Path) -> None:
    body = '        migrations.RenameModel("Product", "Item"),\n'
    found = lint_migrations(tmp_path, [("0002_test.py", HEADER + body + "    ]\n")], select=["ZDM106"])
    assert [f.phase.value for f in found] == ["mixed"]


def test_pinned_table_but_own_many_to_many_renames_join_column(tmp_path: Path) -> None:
    found = findings(
        tmp_path,
        '        migrations.AddField("product", "buyers", models.ManyToManyField(to="shop.customer")),\n'
        '        migrations.AlterModelTable(name="product", table="shop_product"),\n',
        '        migrations.RenameModel("Product", "Item"),\n',
    )
    assert [(rule, migration, line) for rule, migration, line, _ in found] == [("ZDM106", "0003_test", 8)]
    assert '"product_id"' in found[0][3] and '"item_id"' in found[0][3] and '"shop_product_buyers"' in found[0][3]


def test_pinned_table_is_silent(tmp_path: Path) -> None:
    body = (
        '        migrations.AlterModelTable(name="product", table="shop_product"),\n'
        '        migrations.RenameModel("Product", "Item"),\n'
    )
    assert findings(tmp_path, body) == []


def test_state_only_rename_is_silent(tmp_path: Path) -> None:
    body = (
        "        migrations.SeparateDatabaseAndState(\n"
        '            state_operations=[migrations.RenameModel("Product", "Item")],\n'
        "        ),\n"
    )
    assert findings(tmp_path, body) == []


def test_table_created_in_the_same_migration_is_silent(tmp_path: Path) -> None:
    body = (
        '        migrations.CreateModel(name="Coupon", fields=[("id", models.BigAutoField(primary_key=True))]),\n'
        '        migrations.RenameModel("Coupon", "Voucher"),\n'
        '        migrations.AlterModelTable(name="voucher", table="vouchers"),\n'
    )
    assert findings(tmp_path, body) == []


def test_unmanaged_model_is_silent(tmp_path: Path) -> None:
    found = findings(
        tmp_path,
        "        migrations.CreateModel(\n"
        '            name="Report",\n'
        '            fields=[("id", models.BigAutoField(primary_key=True))],\n'
        '            options={"managed": False},\n'
        "        ),\n",
        '        migrations.RenameModel("Report", "Summary"),\n',
    )
    assert found == []
