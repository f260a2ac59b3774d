from __future__ import annotations

from pathlib import Path

from tests.rules._locking_migrations import line_of, lint_steps

RULE = "ZDM205"
CASCADE = "on_delete=django.db.models.deletion.CASCADE"
CHECK = 'models.CheckConstraint(condition=Q(price__gte=0), name="price_gte_0")'


def test_add_check_constraint(tmp_path: Path) -> None:
    found = lint_steps(tmp_path, f'migrations.AddConstraint("product", {CHECK}),', rule=RULE)
    assert [(f.rule, f.line, f.phase.value) for f in found] == [(RULE, line_of(0), "post-deploy")]
    assert '"price_gte_0"' in found[0].message and '"shop_product"' in found[0].message
    assert "ACCESS EXCLUSIVE" in found[0].message and "scans every row" in found[0].message
    assert "AddConstraintNotValid" in found[0].help
    assert 'ValidateConstraint(model_name="product", name="price_gte_0")' in found[0].help


def test_add_foreign_key(tmp_path: Path) -> None:
    body = f'migrations.AddField("order", "product", models.ForeignKey(null=True, {CASCADE}, to="shop.product")),'
    found = lint_steps(tmp_path, body, rule=RULE)
    assert [(f.line, f.phase.value) for f in found] == [(line_of(0), "pre-deploy")]
    message = found[0].message
    assert '"product_id"' in message and '"shop_order"' in message and "shop.product" in message
    assert "ACCESS EXCLUSIVE" in message and "SHARE ROW EXCLUSIVE" in message and "index" in message
    assert "db_constraint=False" in found[0].help and "NOT VALID" in found[0].help


def test_add_one_to_one(tmp_path: Path) -> None:
    body = f'migrations.AddField("customer", "profile", models.OneToOneField(null=True, {CASCADE}, to="shop.order")),'
    found = lint_steps(tmp_path, body, rule=RULE)
    assert [f.line for f in found] == [line_of(0)]
    assert '"profile_id"' in found[0].message


def test_alter_field_into_foreign_key_or_turning_db_constraint_on(tmp_path: Path) -> None:
    found = lint_steps(
        tmp_path,
        f'migrations.AddField("order", "product", models.ForeignKey(null=True, db_constraint=False, db_index=False, '
        f'{CASCADE}, to="shop.product")),',
        f'migrations.AlterField("order", "product", models.ForeignKey(null=True, db_index=False, {CASCADE}, '
        'to="shop.product")),\n'
        f'migrations.AlterField("product", "quantity", models.ForeignKey(null=True, {CASCADE}, to="shop.customer")),',
        rule=RULE,
    )
    assert [(f.migration, f.line) for f in found] == [("0003_step", line_of(0)), ("0003_step", line_of(1))]
    assert "adds a FOREIGN KEY constraint" in found[0].message and '"product_id"' in found[0].message
    assert "SHARE ROW EXCLUSIVE" in found[1].message


def test_alter_field_on_foreign_key_recreates_its_constraint(tmp_path: Path) -> None:
    body = f'migrations.AlterField("order", "customer", models.ForeignKey(null=True, {CASCADE}, to="shop.customer")),'
    found = lint_steps(tmp_path, body, rule=RULE)
    assert [f.line for f in found] == [line_of(0)]
    assert "drop its FOREIGN KEY constraint and add it back" in found[0].message
    assert "SeparateDatabaseAndState" in found[0].help


def test_even_a_python_default_on_a_foreign_key_recreates_its_constraint(tmp_path: Path) -> None:
    # Django's schema editor drops and re-adds the FK for any change it doesn't list as non-database.
    body = f'migrations.AlterField("order", "customer", models.ForeignKey(default=1, {CASCADE}, to="shop.customer")),'
    found = lint_steps(tmp_path, body, rule=RULE)
    assert [f.line for f in found] == [line_of(0)]
    assert '"customer_id"' in found[0].message


def test_validate_in_the_same_atomic_migration(tmp_path: Path) -> None:
    body = f'AddConstraintNotValid("product", {CHECK}),\nValidateConstraint(model_name="product", name="price_gte_0"),'
    found = lint_steps(tmp_path, body, rule=RULE)
    assert [f.line for f in found] == [line_of(1)]
    assert "same atomic migration" in found[0].message and "later migration" in found[0].help


def test_silent_for_not_valid_then_validated_later(tmp_path: Path) -> None:
    found = lint_steps(
        tmp_path,
        f'AddConstraintNotValid("product", {CHECK}),',
        'ValidateConstraint(model_name="product", name="price_gte_0"),',
        rule=RULE,
    )
    assert found == []


def test_silent_for_foreign_key_without_constraint_and_non_schema_changes(tmp_path: Path) -> None:
    body = (
        f'migrations.AddField("order", "product", models.ForeignKey(null=True, db_constraint=False, {CASCADE}, '
        'to="shop.product")),\n'
        'migrations.AlterField("order", "customer", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, '
        'related_name="orders", to="shop.customer")),'
    )
    assert lint_steps(tmp_path, body, rule=RULE) == []


def test_silent_on_new_table_and_state_only(tmp_path: Path) -> None:
    new_table = (
        'migrations.CreateModel("Tag", [("id", models.BigAutoField(primary_key=True)), '
        '("price", models.IntegerField())]),\n'
        'migrations.AddConstraint("tag", models.CheckConstraint(condition=Q(price__gte=0), name="tag_price")),\n'
        f'migrations.AddField("tag", "order", models.ForeignKey(null=True, {CASCADE}, to="shop.order")),'
    )
    assert lint_steps(tmp_path / "new", new_table, rule=RULE) == []
    state_only = (
        f'migrations.SeparateDatabaseAndState(state_operations=[migrations.AddConstraint("product", {CHECK})]),'
    )
    assert lint_steps(tmp_path / "state", state_only, rule=RULE) == []


def test_silent_for_validate_in_non_atomic_migration(tmp_path: Path) -> None:
    body = f'AddConstraintNotValid("product", {CHECK}),\nValidateConstraint(model_name="product", name="price_gte_0"),'
    assert lint_steps(tmp_path, body, rule=RULE, non_atomic=(2,)) == []
