from __future__ import annotations

from pathlib import Path

from tests.rule_examples import lint_migrations

HEADER = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
"""


def migration(body: str) -> list[tuple[str, str]]:
    return [("0002_test.py", HEADER + body + "    ]\n")]


def findings(tmp_path: Path, body: str) -> list[tuple[str, int, str]]:
    return [(f.rule, f.line, f.message) for f in lint_migrations(tmp_path, migration(body), select=["ZDM103"])]


def test_delete_model_of_existing_table(tmp_path: Path) -> None:
    found = findings(tmp_path, '        migrations.DeleteModel(name="Order"),\n')
    assert [(rule, line) for rule, line, _ in found] == [("ZDM103", 8)]
    assert '"shop_order"' in found[0][2] and "Order" in found[0][2]


def test_finding_is_post_deploy(tmp_path: Path) -> None:
    found = lint_migrations(tmp_path, migration('        migrations.DeleteModel(name="Order"),\n'), select=["ZDM103"])
    assert [f.phase.value for f in found] == ["post-deploy"]


def test_delete_model_with_pinned_table_names_that_table(tmp_path: Path) -> None:
    found = findings(
        tmp_path,
        '        migrations.AlterModelTable(name="order", table="legacy_orders"),\n'
        '        migrations.DeleteModel(name="Order"),\n',
    )
    assert [(rule, line) for rule, line, _ in found] == [("ZDM103", 9)]
    assert '"legacy_orders"' in found[0][2]


def test_database_operations_of_separate_database_and_state(tmp_path: Path) -> None:
    found = findings(
        tmp_path,
        "        migrations.SeparateDatabaseAndState(\n"
        '            database_operations=[migrations.DeleteModel(name="Order")],\n'
        '            state_operations=[migrations.DeleteModel(name="Order")],\n'
        "        ),\n",
    )
    assert [(rule, line) for rule, line, _ in found] == [("ZDM103", 9)]


def test_many_to_many_join_tables_are_named(tmp_path: Path) -> None:
    found = findings(
        tmp_path,
        '        migrations.AddField("product", "buyers", models.ManyToManyField(to="shop.customer")),\n'
        '        migrations.DeleteModel(name="Product"),\n',
    )
    assert [(rule, line) for rule, line, _ in found] == [("ZDM103", 9)]
    assert "buyers" in found[0][2]


def test_state_only_delete_is_silent(tmp_path: Path) -> None:
    body = (
        "        migrations.SeparateDatabaseAndState(\n"
        '            state_operations=[migrations.DeleteModel(name="Order")],\n'
        "        ),\n"
    )
    assert findings(tmp_path, body) == []


def test_unmanaged_and_proxy_models_are_silent(tmp_path: Path) -> None:
    body = (
        "        migrations.CreateModel(\n"
        '            name="Report",\n'
        '            fields=[("id", models.BigAutoField(primary_key=True))],\n'
        '            options={"managed": False, "db_table": "reporting_view"},\n'
        "        ),\n"
        "        migrations.CreateModel(\n"
        '            name="VipCustomer", fields=[], options={"proxy": True}, bases=("shop.customer",)\n'
        "        ),\n"
    )
    delete = '        migrations.DeleteModel(name="Report"),\n        migrations.DeleteModel(name="VipCustomer"),\n'
    later = ("0003_delete.py", HEADER.replace('"0001_initial"', '"0002_test"') + delete + "    ]\n")
    migrations = [*migration(body), later]
    assert [f.rule for f in lint_migrations(tmp_path, migrations, select=["ZDM103"])] == []


def test_model_created_in_the_same_migration_is_silent(tmp_path: Path) -> None:
    body = (
        '        migrations.CreateModel(name="Coupon", fields=[("id", models.BigAutoField(primary_key=True))]),\n'
        '        migrations.DeleteModel(name="Coupon"),\n'
    )
    assert findings(tmp_path, body) == []
