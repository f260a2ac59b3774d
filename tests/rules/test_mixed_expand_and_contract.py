from __future__ import annotations

from pathlib import Path

from safemigrate.findings import Finding, Phase
from tests.rule_examples import lint_migrations

HEADER = '''from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
'''
CLASS_LINE = 4

ADD = '        migrations.AddField("product", "weight", models.IntegerField(null=True)),\n'
REMOVE = '        migrations.RemoveField("customer", "legacy_code"),\n'


def lint(tmp_path: Path, operations: str) -> list[Finding]:
    return lint_migrations(tmp_path, [("0002_test.py", HEADER + operations + "    ]\n")], select=["ZDM501"])


def test_add_field_and_remove_field(tmp_path: Path) -> None:
    found = lint(tmp_path, ADD + REMOVE)
    assert [(f.rule, f.line, f.phase) for f in found] == [("ZDM501", CLASS_LINE, Phase.MIXED)]
    message = found[0].message
    assert '"0002_test"' in message
    assert 'expand steps (AddField "shop_product.weight" (operations[0]))' in message
    assert 'contract steps (RemoveField "shop_customer.legacy_code" (operations[1]))' in message
    assert found[0].operation_index is None
    assert "pre-deploy" in found[0].help and "post-deploy" in found[0].help and "later release" in found[0].help


def test_lists_every_step(tmp_path: Path) -> None:
    operations = (
        '        migrations.CreateModel(name="Tag", fields=[("id", models.BigAutoField(primary_key=True))]),\n'
        + ADD + REMOVE
        + '        migrations.AlterField("order", "note", models.CharField(max_length=200, default="")),\n'
    )
    found = lint(tmp_path, operations)
    assert [f.rule for f in found] == ["ZDM501"]
    message = found[0].message
    assert 'CreateModel "shop_tag" (operations[0]), AddField "shop_product.weight" (operations[1])' in message
    assert '(operations[2]), AlterField "shop_order.note" (operations[3]))' in message


def test_delete_model_with_create_model(tmp_path: Path) -> None:
    operations = (
        '        migrations.CreateModel(name="Tag", fields=[("id", models.BigAutoField(primary_key=True))]),\n'
        '        migrations.DeleteModel(name="Order"),\n'
    )
    assert [f.rule for f in lint(tmp_path, operations)] == ["ZDM501"]


def test_steps_inside_separate_database_and_state(tmp_path: Path) -> None:
    operations = (
        "        migrations.SeparateDatabaseAndState(database_operations=[\n"
        "    " + ADD + "    " + REMOVE + "        ]),\n"
    )
    found = lint(tmp_path, operations)
    assert [(f.rule, f.line) for f in found] == [("ZDM501", CLASS_LINE)]
    assert "(operations[0] database_operations)" in found[0].message


# --- silent -------------------------------------------------------------------


def test_only_expand_steps_are_silent(tmp_path: Path) -> None:
    operations = ADD + '        migrations.AddIndex("order", models.Index(fields=["placed_at"], name="placed_idx")),\n'
    assert lint(tmp_path, operations) == []


def test_only_contract_steps_are_silent(tmp_path: Path) -> None:
    operations = REMOVE + '        migrations.RemoveIndex("product", "product_name_idx"),\n'
    assert lint(tmp_path, operations) == []


def test_opaque_code_does_not_count(tmp_path: Path) -> None:
    operations = ADD + "        migrations.RunSQL(\"DELETE FROM shop_order\", migrations.RunSQL.noop),\n"
    assert lint(tmp_path, operations) == []


def test_a_single_rename_is_left_to_the_rename_rules(tmp_path: Path) -> None:
    assert lint(tmp_path, '        migrations.RenameField("customer", "nickname", "handle"),\n') == []


def test_state_only_contract_is_silent(tmp_path: Path) -> None:
    operations = ADD + (
        "        migrations.SeparateDatabaseAndState(state_operations=[\n" + "    " + REMOVE + "        ]),\n"
    )
    assert lint(tmp_path, operations) == []
