from __future__ import annotations

from pathlib import Path

from tests.rules._locking_migrations import line_of, lint_steps

RULE = "ZDM203"
ADD_TOGETHER = 'migrations.AlterIndexTogether("order", {("placed_at", "total")}),'


def test_remove_index(tmp_path: Path) -> None:
    found = lint_steps(tmp_path, 'migrations.RemoveIndex("product", "product_name_idx"),', rule=RULE)
    assert [(f.rule, f.line, f.phase.value) for f in found] == [(RULE, line_of(0), "any")]
    assert '"product_name_idx"' in found[0].message and '"shop_product"' in found[0].message
    assert "ACCESS EXCLUSIVE" in found[0].message and "blocks reads" in found[0].message
    assert "RemoveIndexConcurrently" in found[0].help and "atomic = False" in found[0].help


def test_alter_field_turns_db_index_off(tmp_path: Path) -> None:
    found = lint_steps(
        tmp_path,
        'migrations.AddField("product", "weight", models.IntegerField(null=True, db_index=True)),',
        'migrations.AlterField("product", "weight", models.IntegerField(null=True)),',
        rule=RULE,
    )
    assert [(f.migration, f.line) for f in found] == [("0003_step", line_of(0))]
    assert '"weight"' in found[0].message and "DROP INDEX" in found[0].message


def test_foreign_key_index_turned_off(tmp_path: Path) -> None:
    body = (
        'migrations.AlterField("order", "customer", models.ForeignKey(db_index=False, '
        'on_delete=django.db.models.deletion.CASCADE, to="shop.customer")),'
    )
    found = lint_steps(tmp_path, body, rule=RULE)
    assert [f.line for f in found] == [line_of(0)]
    assert '"customer_id"' in found[0].message


def test_index_together_removed(tmp_path: Path) -> None:
    found = lint_steps(tmp_path, ADD_TOGETHER, 'migrations.AlterIndexTogether("order", set()),', rule=RULE)
    assert [(f.migration, f.line) for f in found] == [("0003_step", line_of(0))]
    assert "(placed_at, total)" in found[0].message


def test_silent_for_remove_index_concurrently(tmp_path: Path) -> None:
    body = 'RemoveIndexConcurrently("product", "product_name_idx"),'
    assert lint_steps(tmp_path, body, rule=RULE, non_atomic=(2,)) == []


def test_silent_for_state_only_and_new_tables(tmp_path: Path) -> None:
    state_only = (
        'migrations.SeparateDatabaseAndState(state_operations=[migrations.RemoveIndex("product", "product_name_idx")]),'
    )
    assert lint_steps(tmp_path / "state", state_only, rule=RULE) == []
    new_table = (
        'migrations.CreateModel("Tag", [("id", models.BigAutoField(primary_key=True)), '
        '("label", models.CharField(max_length=20, db_index=True))]),\n'
        'migrations.AlterField("tag", "label", models.CharField(max_length=20)),'
    )
    assert lint_steps(tmp_path / "new", new_table, rule=RULE) == []


def test_silent_when_unique_replaces_the_index_or_index_together_is_added(tmp_path: Path) -> None:
    found = lint_steps(
        tmp_path,
        'migrations.AddField("product", "weight", models.IntegerField(null=True, db_index=True)),\n' + ADD_TOGETHER,
        'migrations.AlterField("product", "weight", models.IntegerField(null=True, unique=True)),',
        rule=RULE,
    )
    assert found == []
