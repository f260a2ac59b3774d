from __future__ import annotations

from pathlib import Path

from django.db import models
from django.db.models import CheckConstraint, Q

from safemigrate.schema import ModelInfo, constraint_condition
from tests.rules._locking_migrations import line_of, lint_steps

RULE = "ZDM201"
SKU_NOT_NULL = 'migrations.AlterField("product", "sku", models.CharField(max_length=32)),'
ADD_CHECK = (
    'migrations.AddConstraint("product", models.CheckConstraint(condition=Q(sku__isnull=False), name="sku_nn")),'
)
ADD_CHECK_NOT_VALID = (
    'AddConstraintNotValid("product", models.CheckConstraint(condition=Q(sku__isnull=False), name="sku_nn")),'
)
VALIDATE = 'ValidateConstraint(model_name="product", name="sku_nn"),'


def test_set_not_null_on_existing_table(tmp_path: Path) -> None:
    found = lint_steps(tmp_path, SKU_NOT_NULL, rule=RULE)
    assert [(f.rule, f.line, f.phase.value) for f in found] == [(RULE, line_of(0), "post-deploy")]
    message = found[0].message
    assert '"sku"' in message and '"shop_product"' in message
    assert "SET NOT NULL" in message and "ACCESS EXCLUSIVE" in message and "scans" in message
    assert "AddConstraintNotValid" in found[0].help and "ValidateConstraint" in found[0].help
    assert "Q(sku__isnull=False)" in found[0].help


def test_one_off_default_mentions_the_update(tmp_path: Path) -> None:
    body = (
        'migrations.AlterField("product", "sku", models.CharField(max_length=32, default="-"), preserve_default=False),'
    )
    found = lint_steps(tmp_path, body, rule=RULE)
    assert [f.line for f in found] == [line_of(0)]
    assert 'UPDATE "shop_product" SET "sku"' in found[0].message and "WHERE" in found[0].message
    assert "Backfill" in found[0].help


def test_check_added_not_valid_but_never_validated(tmp_path: Path) -> None:
    found = lint_steps(tmp_path, ADD_CHECK_NOT_VALID, SKU_NOT_NULL, rule=RULE)
    assert [(f.migration, f.line) for f in found] == [("0003_step", line_of(0))]
    assert '"sku_nn"' in found[0].message and "NOT VALID" in found[0].message
    assert "ValidateConstraint" in found[0].help


def test_check_removed_earlier_in_the_same_migration(tmp_path: Path) -> None:
    # makemigrations orders RemoveConstraint before AlterField, which brings the scan back.
    found = lint_steps(
        tmp_path,
        ADD_CHECK_NOT_VALID,
        VALIDATE,
        'migrations.RemoveConstraint("product", "sku_nn"),\n' + SKU_NOT_NULL,
        rule=RULE,
    )
    assert [(f.migration, f.line) for f in found] == [("0004_step", line_of(1))]
    assert '"sku_nn"' in found[0].message and "removed earlier" in found[0].message
    assert "after this AlterField" in found[0].help


def test_check_on_another_column_does_not_help(tmp_path: Path) -> None:
    other = 'migrations.AddConstraint("product", models.CheckConstraint(condition=Q(name__isnull=False), name="n")),'
    found = lint_steps(tmp_path, other, SKU_NOT_NULL, rule=RULE)
    assert [(f.migration, f.line) for f in found] == [("0003_step", line_of(0))]


def test_or_condition_does_not_prove_not_null(tmp_path: Path) -> None:
    check = (
        'migrations.AddConstraint("product", models.CheckConstraint('
        'condition=Q(sku__isnull=False) | Q(quantity=0), name="sku_or")),'
    )
    found = lint_steps(tmp_path, check, SKU_NOT_NULL, rule=RULE)
    assert [f.migration for f in found] == ["0003_step"]


def test_validated_check_still_leaves_the_default_update(tmp_path: Path) -> None:
    body = 'migrations.AlterField("product", "sku", models.CharField(max_length=32, default="-")),'
    found = lint_steps(tmp_path, ADD_CHECK_NOT_VALID, VALIDATE, body, rule=RULE)
    assert [(f.migration, f.line) for f in found] == [("0004_step", line_of(0))]
    assert "UPDATE" in found[0].message and '"sku_nn"' in found[0].message


def test_silent_after_validated_not_valid_check(tmp_path: Path) -> None:
    assert lint_steps(tmp_path, ADD_CHECK_NOT_VALID, VALIDATE, SKU_NOT_NULL, rule=RULE) == []


def test_silent_after_directly_added_check(tmp_path: Path) -> None:
    assert lint_steps(tmp_path, ADD_CHECK, SKU_NOT_NULL, rule=RULE) == []


def test_silent_with_negated_is_null_check_and_and_condition(tmp_path: Path) -> None:
    negated = 'migrations.AddConstraint("product", models.CheckConstraint(condition=~Q(sku__isnull=True), name="a")),'
    assert lint_steps(tmp_path / "negated", negated, SKU_NOT_NULL, rule=RULE) == []
    both = (
        'migrations.AddConstraint("product", models.CheckConstraint('
        'condition=Q(quantity__gte=0) & Q(sku__isnull=False), name="b")),'
    )
    assert lint_steps(tmp_path / "and", both, SKU_NOT_NULL, rule=RULE) == []


def test_silent_when_check_is_removed_after_the_alter_field(tmp_path: Path) -> None:
    last = SKU_NOT_NULL + '\nmigrations.RemoveConstraint("product", "sku_nn"),'
    assert lint_steps(tmp_path, ADD_CHECK_NOT_VALID, VALIDATE, last, rule=RULE) == []


def test_silent_on_table_created_in_the_same_migration(tmp_path: Path) -> None:
    body = (
        'migrations.CreateModel("Tag", [("id", models.BigAutoField(primary_key=True)), '
        '("label", models.CharField(max_length=20, null=True))]),\n'
        'migrations.AlterField("tag", "label", models.CharField(max_length=20)),'
    )
    assert lint_steps(tmp_path, body, rule=RULE) == []


def test_silent_for_state_only_and_for_dropping_not_null(tmp_path: Path) -> None:
    state_only = f"migrations.SeparateDatabaseAndState(state_operations=[{SKU_NOT_NULL[:-1]}]),"
    assert lint_steps(tmp_path / "state", state_only, rule=RULE) == []
    loosen = 'migrations.AlterField("product", "name", models.CharField(max_length=100, null=True)),'
    assert lint_steps(tmp_path / "loosen", loosen, rule=RULE) == []


def test_condition_is_read_from_check_on_older_django() -> None:
    # Django 4.2/5.0 keep a CheckConstraint's condition in ``check``; there is no ``condition``.
    old_style = type("CheckConstraint", (), {"check": Q(sku__isnull=False), "name": "sku_nn"})()
    assert constraint_condition(old_style) == Q(sku__isnull=False)
    field = models.CharField(max_length=32, null=True)
    field.set_attributes_from_name("sku")
    model = ModelInfo("shop", "Product", {"sku": field}, {"constraints": [old_style]})
    sku = model.field("sku")
    assert sku is not None
    assert model.not_null_checks(sku) == ["sku_nn"]


def test_condition_is_read_from_condition_on_current_django() -> None:
    constraint = CheckConstraint(condition=Q(sku__isnull=False), name="sku_nn")
    assert constraint_condition(constraint) == Q(sku__isnull=False)
