from __future__ import annotations

from pathlib import Path

from safemigrate.findings import Finding
from tests.rule_examples import lint_migrations

HEADER = '''from django.contrib.postgres.functions import RandomUUID
from django.db import migrations, models
from django.db.models import Func, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Now, Random


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
'''
FIRST = 12  # line of the first operation


def lint(tmp_path: Path, operations: str, imports: str = "") -> list[Finding]:
    source = imports + HEADER + operations + "    ]\n"
    return lint_migrations(tmp_path, [("0002_test.py", source)], select=["ZDM301"])


def add(field: str) -> str:
    return f'        migrations.AddField("product", "token", {field}),\n'


def test_random_uuid(tmp_path: Path) -> None:
    found = lint(tmp_path, add("models.UUIDField(db_default=RandomUUID())"))
    assert [(f.rule, f.line) for f in found] == [("ZDM301", FIRST)]
    message = found[0].message
    assert '"token"' in message and '"shop_product"' in message and "RandomUUID()" in message
    assert "rewrites the whole table" in message and "ACCESS EXCLUSIVE" in message
    assert "null=True" in found[0].help and "batches" in found[0].help


def test_random(tmp_path: Path) -> None:
    found = lint(tmp_path, add("models.FloatField(db_default=Random())"))
    assert [(f.rule, f.line) for f in found] == [("ZDM301", FIRST)]
    assert "Random()" in found[0].message


def test_nullable_column_is_rewritten_too(tmp_path: Path) -> None:
    assert [f.rule for f in lint(tmp_path, add("models.UUIDField(null=True, db_default=RandomUUID())"))] == ["ZDM301"]


def test_func_calling_a_volatile_function(tmp_path: Path) -> None:
    operations = (
        add('models.UUIDField(db_default=Func(function="uuid_generate_v4", output_field=models.UUIDField()))')
        + '        migrations.AddField("order", "stamp", models.DateTimeField(\n'
        '            db_default=Func(function="clock_timestamp", output_field=models.DateTimeField()),\n'
        "        )),\n"
    )
    found = lint(tmp_path, operations)
    assert [(f.rule, f.line) for f in found] == [("ZDM301", FIRST), ("ZDM301", FIRST + 1)]
    assert "uuid_generate_v4()" in found[0].message
    assert "clock_timestamp()" in found[1].message and '"shop_order"' in found[1].message


def test_volatile_function_nested_in_another_expression(tmp_path: Path) -> None:
    found = lint(tmp_path, add("models.CharField(max_length=40, db_default=Cast(RandomUUID(), models.CharField()))"))
    assert [(f.rule, f.line) for f in found] == [("ZDM301", FIRST)]


def test_raw_sql_calling_a_volatile_function(tmp_path: Path) -> None:
    found = lint(tmp_path, add('models.UUIDField(db_default=RawSQL("gen_random_uuid()", []))'))
    assert [f.rule for f in found] == ["ZDM301"]
    assert "gen_random_uuid()" in found[0].message


def test_project_expression_judged_by_its_name(tmp_path: Path) -> None:
    found = lint(tmp_path, add("models.UUIDField(db_default=GenRandomUUID())"), "from shop.db import GenRandomUUID\n")
    assert [(f.rule, f.line) for f in found] == [("ZDM301", FIRST + 1)]


def test_database_half_of_separate_database_and_state(tmp_path: Path) -> None:
    operations = (
        "        migrations.SeparateDatabaseAndState(database_operations=[\n"
        '            migrations.AddField("product", "token", models.UUIDField(db_default=RandomUUID())),\n'
        "        ]),\n"
    )
    assert [(f.rule, f.line) for f in lint(tmp_path, operations)] == [("ZDM301", FIRST + 1)]


# --- silent -------------------------------------------------------------------


def test_now_is_stable_and_silent(tmp_path: Path) -> None:
    assert lint(tmp_path, add("models.DateTimeField(db_default=Now())")) == []


def test_constant_db_default_is_silent(tmp_path: Path) -> None:
    operations = add("models.IntegerField(db_default=0)") + add('models.CharField(max_length=5, db_default=Value("x"))')
    assert lint(tmp_path, operations) == []


def test_python_default_is_silent(tmp_path: Path) -> None:
    assert lint(tmp_path, add("models.UUIDField(null=True, default=None)")) == []


def test_table_created_in_the_same_migration_is_silent(tmp_path: Path) -> None:
    operations = (
        '        migrations.CreateModel(name="Coupon", fields=[("id", models.BigAutoField(primary_key=True))]),\n'
        '        migrations.AddField("coupon", "token", models.UUIDField(db_default=RandomUUID())),\n'
    )
    assert lint(tmp_path, operations) == []


def test_alter_field_only_sets_the_default_and_is_silent(tmp_path: Path) -> None:
    operations = (
        add("models.UUIDField(null=True)")
        + '        migrations.AlterField("product", "token", models.UUIDField(null=True, db_default=RandomUUID())),\n'
    )
    assert lint(tmp_path, operations) == []


def test_state_only_is_silent(tmp_path: Path) -> None:
    operations = (
        "        migrations.SeparateDatabaseAndState(state_operations=[\n"
        '            migrations.AddField("product", "token", models.UUIDField(db_default=RandomUUID())),\n'
        "        ]),\n"
    )
    assert lint(tmp_path, operations) == []


def test_unknown_project_expression_is_silent(tmp_path: Path) -> None:
    imports = "from shop.db import MakeCode\n"
    found = lint(tmp_path, add("models.CharField(max_length=9, db_default=MakeCode())"), imports)
    assert found == []
