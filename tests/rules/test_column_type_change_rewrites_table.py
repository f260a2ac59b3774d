from __future__ import annotations

from pathlib import Path

import pytest

from safemigrate.findings import Finding
from tests.rule_examples import lint_migrations

HEADER = '''from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "{parent}")]

    operations = [
'''
FIRST = 8  # line of the first operation


def migration(operations: str, parent: str = "0001_initial", imports: str = "") -> str:
    return imports + HEADER.replace("{parent}", parent) + operations + "    ]\n"


def lint(tmp_path: Path, operations: str, imports: str = "") -> list[Finding]:
    return lint_migrations(tmp_path, [("0002_test.py", migration(operations, imports=imports))], select=["ZDM302"])


def lint_after(tmp_path: Path, setup: str, operations: str) -> list[Finding]:
    """Lint 0003 (operations) on top of 0002 (setup), which may create the field being changed."""
    files = [("0002_setup.py", migration(setup)), ("0003_test.py", migration(operations, "0002_setup"))]
    return [f for f in lint_migrations(tmp_path, files, select=["ZDM302"]) if f.migration == "0003_test"]


def alter(model: str, name: str, field: str) -> str:
    return f'        migrations.AlterField("{model}", "{name}", {field}),\n'


@pytest.mark.parametrize(
    ("old", "new", "types"),
    [
        ("models.IntegerField(null=True)", "models.BigIntegerField(null=True)", "from integer to bigint"),
        ("models.SmallIntegerField(null=True)", "models.IntegerField(null=True)", "from smallint to integer"),
        ("models.PositiveSmallIntegerField(null=True)", "models.BigIntegerField(null=True)", "from smallint to bigint"),
        ("models.BigIntegerField(null=True)", "models.IntegerField(null=True)", "from bigint to integer"),
    ],
)
def test_integer_width_changes(tmp_path: Path, old: str, new: str, types: str) -> None:
    found = lint_after(
        tmp_path, '        migrations.AddField("order", "points", ' + old + "),\n", alter("order", "points", new)
    )
    assert [(f.rule, f.line) for f in found] == [("ZDM302", FIRST)]
    assert f'Changing column "points" of "shop_order" {types} rewrites the whole table' in found[0].message
    assert "ACCESS EXCLUSIVE" in found[0].message
    assert "new column" in found[0].help and "backfill" in found[0].help


def test_integer_to_big_integer_on_the_base_table(tmp_path: Path) -> None:
    found = lint(tmp_path, alter("product", "quantity", "models.BigIntegerField(default=0)"))
    assert [(f.rule, f.line) for f in found] == [("ZDM302", FIRST)]
    assert '"quantity" of "shop_product" from integer to bigint' in found[0].message


def test_auto_field_to_big_auto_field_names_the_foreign_keys(tmp_path: Path) -> None:
    setup = (
        '        migrations.CreateModel(name="Tag", fields=[("id", models.AutoField(primary_key=True))]),\n'
    )
    found = lint_after(tmp_path, setup, alter("tag", "id", "models.BigAutoField(primary_key=True)"))
    assert [(f.rule, f.line) for f in found] == [("ZDM302", FIRST)]
    assert "from integer to bigint" in found[0].message and "foreign key" in found[0].message


def test_varchar_shrink(tmp_path: Path) -> None:
    found = lint(tmp_path, alter("product", "name", "models.CharField(max_length=50)"))
    assert [(f.rule, f.line) for f in found] == [("ZDM302", FIRST)]
    assert "from varchar(100) to varchar(50)" in found[0].message
    assert 'CHECK (char_length("name") <= 50)' in found[0].help and "NOT VALID" in found[0].help


def test_text_to_varchar(tmp_path: Path) -> None:
    found = lint_after(
        tmp_path, '        migrations.AddField("order", "memo", models.TextField(null=True)),\n',
        alter("order", "memo", "models.CharField(max_length=500, null=True)"),
    )
    assert [(f.rule, f.line) for f in found] == [("ZDM302", FIRST)]
    assert "from text to varchar(500)" in found[0].message


def test_indexed_varchar_to_text_rebuilds_the_like_index(tmp_path: Path) -> None:
    found = lint(tmp_path, alter("customer", "email", "models.TextField(unique=True)"))
    assert [(f.rule, f.line) for f in found] == [("ZDM302", FIRST)]
    assert '"email" of "shop_customer" from varchar(254) to text' in found[0].message
    assert '"_like" index' in found[0].message
    assert "SeparateDatabaseAndState" in found[0].help


def test_db_index_varchar_to_text(tmp_path: Path) -> None:
    found = lint_after(
        tmp_path, alter("product", "sku", "models.CharField(max_length=32, null=True, db_index=True)"),
        alter("product", "sku", "models.TextField(null=True, db_index=True)"),
    )
    assert [f.rule for f in found] == ["ZDM302"]


@pytest.mark.parametrize(
    ("new", "types"),
    [
        ("models.DecimalField(decimal_places=3, max_digits=10)", "from numeric(10, 2) to numeric(10, 3)"),
        ("models.DecimalField(decimal_places=2, max_digits=8)", "from numeric(10, 2) to numeric(8, 2)"),
    ],
)
def test_decimal_scale_change_or_shrink(tmp_path: Path, new: str, types: str) -> None:
    found = lint(tmp_path, alter("product", "price", new))
    assert [(f.rule, f.line) for f in found] == [("ZDM302", FIRST)]
    assert types in found[0].message


def test_unrelated_types(tmp_path: Path) -> None:
    found = lint(tmp_path, alter("order", "placed_at", "models.DateField()"))
    assert [(f.rule, f.line) for f in found] == [("ZDM302", FIRST)]
    assert "from DateTimeField to DateField" in found[0].message


def test_array_element_type_change(tmp_path: Path) -> None:
    pytest.importorskip("django.contrib.postgres.fields")
    imports = "from django.contrib.postgres.fields import ArrayField\n"
    files = [
        ("0002_setup.py", migration(
            '        migrations.AddField("product", "tags", ArrayField(models.CharField(max_length=10), null=True)),\n',
            imports=imports,
        )),
        ("0003_test.py", migration(
            alter("product", "tags", "ArrayField(models.CharField(max_length=20), null=True)")
            + alter("product", "tags", "ArrayField(models.CharField(max_length=20), size=3, null=True)"),
            "0002_setup", imports,
        )),
    ]
    found = [f for f in lint_migrations(tmp_path, files, select=["ZDM302"]) if f.migration == "0003_test"]
    assert [(f.rule, f.line) for f in found] == [("ZDM302", FIRST + 1)]
    assert "from varchar(10)[] to varchar(20)[]" in found[0].message


def test_database_half_of_separate_database_and_state(tmp_path: Path) -> None:
    operations = (
        "        migrations.SeparateDatabaseAndState(database_operations=[\n"
        + alter("product", "quantity", "models.BigIntegerField(default=0)")
        + "        ]),\n"
    )
    assert [(f.rule, f.line) for f in lint(tmp_path, operations)] == [("ZDM302", FIRST + 1)]


# --- silent -------------------------------------------------------------------


def test_varchar_growth_is_silent(tmp_path: Path) -> None:
    assert lint(tmp_path, alter("product", "name", "models.CharField(max_length=200)")) == []


def test_unindexed_varchar_to_text_is_silent(tmp_path: Path) -> None:
    assert lint(tmp_path, alter("product", "description", "models.TextField(blank=True)")) == []


def test_text_to_unbounded_varchar_is_silent(tmp_path: Path) -> None:
    found = lint_after(
        tmp_path, '        migrations.AddField("order", "memo", models.TextField(null=True)),\n',
        alter("order", "memo", "models.CharField(null=True)"),
    )
    assert found == []


def test_non_database_attributes_are_silent(tmp_path: Path) -> None:
    operations = alter(
        "product", "quantity",
        'models.IntegerField(default=3, blank=True, choices=[(0, "none")], help_text="n", verbose_name="qty")',
    ) + alter("product", "name", 'models.CharField(max_length=100, help_text="Shown to buyers")')
    assert lint(tmp_path, operations) == []


def test_decimal_max_digits_growth_is_silent(tmp_path: Path) -> None:
    assert lint(tmp_path, alter("product", "price", "models.DecimalField(decimal_places=2, max_digits=14)")) == []


def test_same_width_integers_are_silent(tmp_path: Path) -> None:
    assert lint(tmp_path, alter("product", "quantity", "models.PositiveIntegerField(default=0)")) == []


def test_varchar_subclasses_of_the_same_length_are_silent(tmp_path: Path) -> None:
    assert lint(tmp_path, alter("product", "sku", "models.SlugField(max_length=32, null=True, db_index=False)")) == []


def test_project_field_classes_are_silent(tmp_path: Path) -> None:
    imports = "from shop.fields import MoneyField\n"
    files = [
        ("0002_setup.py", migration(
            '        migrations.AddField("order", "fee", MoneyField(places=2, null=True)),\n', imports=imports)),
        ("0003_test.py", migration(
            alter("order", "fee", "MoneyField(places=4, null=True)") + alter("order", "note", "MoneyField(null=True)"),
            "0002_setup", imports,
        )),
    ]
    assert lint_migrations(tmp_path, files, select=["ZDM302"]) == []


def test_foreign_key_changes_are_silent(tmp_path: Path) -> None:
    field = 'models.ForeignKey(on_delete=models.PROTECT, to="shop.customer", related_name="orders")'
    assert lint(tmp_path, alter("order", "customer", field)) == []


def test_table_created_in_the_same_migration_is_silent(tmp_path: Path) -> None:
    operations = (
        '        migrations.CreateModel(name="Tag", fields=[("id", models.AutoField(primary_key=True)),'
        ' ("n", models.IntegerField())]),\n'
        + alter("tag", "n", "models.BigIntegerField()")
    )
    assert lint(tmp_path, operations) == []


def test_state_only_is_silent(tmp_path: Path) -> None:
    operations = (
        "        migrations.SeparateDatabaseAndState(state_operations=[\n"
        + alter("product", "quantity", "models.BigIntegerField(default=0)")
        + "        ]),\n"
    )
    assert lint(tmp_path, operations) == []
