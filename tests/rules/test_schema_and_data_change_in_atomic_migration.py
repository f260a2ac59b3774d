from __future__ import annotations

from pathlib import Path

from safemigrate.findings import Finding
from tests.rule_examples import lint_migrations

FUNCTIONS = '''from django.db import migrations, models


def fill(apps, schema_editor):
    Product = apps.get_model("shop", "Product")
    Product.objects.update(quantity=1)


def fill_more(apps, schema_editor):
    Product = apps.get_model("shop", "Product")
    Product.objects.update(quantity=2)


class Migration(migrations.Migration):
'''
# The first operation is on line 18 (line 19 when the migration isn't atomic).
BODY = '''    dependencies = [("shop", "0001_initial")]

    operations = [
'''


def lint(tmp_path: Path, operations: str, atomic: bool = True) -> list[Finding]:
    source = FUNCTIONS + ("" if atomic else "    atomic = False\n") + BODY + operations + "    ]\n"
    return lint_migrations(tmp_path, [("0002_test.py", source)], select=["ZDM206"])


ADD_FIELD = '        migrations.AddField("product", "code", models.CharField(max_length=20, null=True)),\n'
RUN_FILL = "        migrations.RunPython(fill, migrations.RunPython.noop),\n"


def test_run_python_after_add_field(tmp_path: Path) -> None:
    found = lint(tmp_path, ADD_FIELD + RUN_FILL)
    assert [(f.rule, f.line) for f in found] == [("ZDM206", 19)]
    assert "RunPython(fill)" in found[0].message
    assert 'AddField on "shop_product"' in found[0].message
    assert "ACCESS EXCLUSIVE" in found[0].message
    assert "atomic = False" in found[0].help and "batches" in found[0].help


def test_run_python_before_the_schema_change(tmp_path: Path) -> None:
    found = lint(tmp_path, RUN_FILL + ADD_FIELD)
    assert [(f.rule, f.line) for f in found] == [("ZDM206", 18)]


def test_each_data_operation_is_reported(tmp_path: Path) -> None:
    found = lint(
        tmp_path,
        RUN_FILL + ADD_FIELD + '        migrations.RunPython(fill_more, migrations.RunPython.noop),\n',
    )
    assert [(f.rule, f.line) for f in found] == [("ZDM206", 18), ("ZDM206", 20)]
    assert "RunPython(fill_more)" in found[1].message


def test_several_schema_changes_are_counted(tmp_path: Path) -> None:
    found = lint(
        tmp_path,
        ADD_FIELD + '        migrations.RemoveField("customer", "legacy_code"),\n' + RUN_FILL,
    )
    assert [f.line for f in found] == [20]
    assert "(and 1 other schema change)" in found[0].message


def test_run_sql_update_with_add_index(tmp_path: Path) -> None:
    found = lint(
        tmp_path,
        '        migrations.AddIndex("order", models.Index(fields=["placed_at"], name="order_placed_idx")),\n'
        '        migrations.RunSQL("UPDATE shop_order SET note = \'\' WHERE note IS NULL", migrations.RunSQL.noop),\n',
    )
    assert [(f.rule, f.line) for f in found] == [("ZDM206", 19)]
    assert "RunSQL (UPDATE)" in found[0].message and 'AddIndex on "shop_order"' in found[0].message


def test_run_python_with_run_sql_ddl(tmp_path: Path) -> None:
    found = lint(
        tmp_path,
        '        migrations.RunSQL("ALTER TABLE shop_order ADD COLUMN ref text", migrations.RunSQL.noop),\n'
        + RUN_FILL,
    )
    assert [(f.rule, f.line) for f in found] == [("ZDM206", 19)]
    assert "RunSQL (ALTER)" in found[0].message


def test_one_run_sql_holding_ddl_and_dml(tmp_path: Path) -> None:
    found = lint(
        tmp_path,
        '        migrations.RunSQL(\n'
        '            "ALTER TABLE shop_order ADD COLUMN ref text; UPDATE shop_order SET ref = id::text;",\n'
        "            migrations.RunSQL.noop,\n"
        "        ),\n",
    )
    assert [(f.rule, f.line) for f in found] == [("ZDM206", 18)]
    assert "the ALTER statement in the same RunSQL" in found[0].message


def test_new_table_with_a_foreign_key_to_an_existing_table(tmp_path: Path) -> None:
    found = lint(
        tmp_path,
        "        migrations.CreateModel(\n"
        '            name="Review",\n'
        "            fields=[\n"
        '                ("id", models.BigAutoField(primary_key=True)),\n'
        '                ("product", models.ForeignKey(on_delete=models.CASCADE, to="shop.product")),\n'
        "            ],\n"
        "        ),\n" + RUN_FILL,
    )
    assert [(f.rule, f.line) for f in found] == [("ZDM206", 25)]
    assert 'CreateModel on "shop_review"' in found[0].message and '"shop.product"' in found[0].message


def test_database_half_of_separate_database_and_state(tmp_path: Path) -> None:
    found = lint(
        tmp_path,
        "        migrations.SeparateDatabaseAndState(database_operations=[\n"
        '            migrations.AddField("product", "code", models.CharField(max_length=20, null=True)),\n'
        "        ]),\n" + RUN_FILL,
    )
    assert [(f.rule, f.line) for f in found] == [("ZDM206", 21)]


def test_function_defined_elsewhere_counts_as_a_data_change(tmp_path: Path) -> None:
    source = (
        "from shop.backfills import fill_codes\n" + FUNCTIONS + BODY + ADD_FIELD
        + "        migrations.RunPython(fill_codes, migrations.RunPython.noop),\n    ]\n"
    )
    found = lint_migrations(tmp_path, [("0002_test.py", source)], select=["ZDM206"])
    assert [(f.rule, f.line) for f in found] == [("ZDM206", 20)]


# --- silent -------------------------------------------------------------------


def test_non_atomic_migration_is_silent(tmp_path: Path) -> None:
    assert lint(tmp_path, ADD_FIELD + RUN_FILL, atomic=False) == []


def test_noop_run_python_is_silent(tmp_path: Path) -> None:
    assert lint(tmp_path, ADD_FIELD + "        migrations.RunPython(migrations.RunPython.noop),\n") == []
    assert lint(tmp_path / "lambda", ADD_FIELD + "        migrations.RunPython(lambda apps, editor: None),\n") == []


def test_data_change_alone_is_silent(tmp_path: Path) -> None:
    assert lint(tmp_path, RUN_FILL) == []


def test_alter_field_without_database_change_is_silent(tmp_path: Path) -> None:
    operations = (
        "        migrations.AlterField(\n"
        '            "product", "quantity",\n'
        '            models.IntegerField(default=5, choices=[(0, "none"), (1, "one")], help_text="How many"),\n'
        "        ),\n"
        '        migrations.AlterModelOptions(name="product", options={"ordering": ["name"]}),\n'
    )
    assert lint(tmp_path, operations + RUN_FILL) == []


def test_alter_field_with_database_change_is_flagged(tmp_path: Path) -> None:
    operations = '        migrations.AlterField("product", "quantity", models.IntegerField(default=0, null=True)),\n'
    assert [f.rule for f in lint(tmp_path, operations + RUN_FILL)] == ["ZDM206"]


def test_seeding_a_new_standalone_table_is_silent(tmp_path: Path) -> None:
    operations = (
        "        migrations.CreateModel(\n"
        '            name="Country",\n'
        '            fields=[("id", models.BigAutoField(primary_key=True)), ("code", models.CharField(max_length=2))]'
        ",\n"
        "        ),\n"
        '        migrations.AddField("country", "name", models.CharField(max_length=50, null=True)),\n'
    )
    assert lint(tmp_path, operations + RUN_FILL) == []


def test_run_sql_without_dml_is_silent(tmp_path: Path) -> None:
    operations = ADD_FIELD + '        migrations.RunSQL("SELECT 1", migrations.RunSQL.noop),\n'
    assert lint(tmp_path, operations) == []


def test_state_only_schema_change_is_silent(tmp_path: Path) -> None:
    operations = (
        "        migrations.SeparateDatabaseAndState(state_operations=[\n"
        '            migrations.RemoveField("customer", "legacy_code"),\n'
        "        ]),\n"
    )
    assert lint(tmp_path, operations + RUN_FILL) == []
