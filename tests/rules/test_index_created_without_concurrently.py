from __future__ import annotations

from pathlib import Path

from tests.rules._locking_migrations import line_of, lint_steps

RULE = "ZDM202"
FK = "django.db.models.deletion.CASCADE"


def test_add_index(tmp_path: Path) -> None:
    body = 'migrations.AddIndex("product", models.Index(fields=["sku"], name="product_sku_idx")),'
    found = lint_steps(tmp_path, body, rule=RULE)
    assert [(f.rule, f.line, f.phase.value) for f in found] == [(RULE, line_of(0), "any")]
    assert '"product_sku_idx"' in found[0].message and '"shop_product"' in found[0].message
    assert "SHARE lock" in found[0].message and "blocks every write" in found[0].message
    assert "AddIndexConcurrently" in found[0].help and "atomic = False" in found[0].help


def test_add_field_with_db_index(tmp_path: Path) -> None:
    body = 'migrations.AddField("product", "weight", models.IntegerField(null=True, db_index=True)),'
    found = lint_steps(tmp_path, body, rule=RULE)
    assert [f.line for f in found] == [line_of(0)]
    assert '"weight"' in found[0].message and "db_index=True" in found[0].message
    assert "ACCESS EXCLUSIVE" in found[0].message  # atomic: the ADD COLUMN's lock is still held


def test_add_field_with_db_index_in_non_atomic_migration_holds_share(tmp_path: Path) -> None:
    body = 'migrations.AddField("product", "weight", models.IntegerField(null=True, db_index=True)),'
    found = lint_steps(tmp_path, body, rule=RULE, non_atomic=(2,))
    assert [f.line for f in found] == [line_of(0, atomic=False)]
    assert "SHARE lock" in found[0].message and "ACCESS EXCLUSIVE" not in found[0].message


def test_add_field_unique(tmp_path: Path) -> None:
    body = 'migrations.AddField("product", "code", models.CharField(max_length=10, null=True, unique=True)),'
    found = lint_steps(tmp_path, body, rule=RULE)
    assert [f.line for f in found] == [line_of(0)]
    assert "unique=True" in found[0].message and "ACCESS EXCLUSIVE" in found[0].message
    assert "CREATE UNIQUE INDEX CONCURRENTLY" in found[0].help and "UNIQUE USING INDEX" in found[0].help


def test_add_foreign_key_without_constraint_is_still_indexed(tmp_path: Path) -> None:
    body = (
        'migrations.AddField("order", "product", models.ForeignKey('
        f'null=True, db_constraint=False, on_delete={FK}, to="shop.product")),'
    )
    found = lint_steps(tmp_path, body, rule=RULE)
    assert [f.line for f in found] == [line_of(0)]
    assert '"product_id"' in found[0].message and "ForeignKey's default" in found[0].message


def test_alter_field_turns_on_db_index_and_unique(tmp_path: Path) -> None:
    body = (
        'migrations.AlterField("product", "quantity", models.IntegerField(default=0, db_index=True)),\n'
        'migrations.AlterField("customer", "nickname", models.CharField(max_length=50, unique=True)),'
    )
    found = lint_steps(tmp_path, body, rule=RULE)
    assert [f.line for f in found] == [line_of(0), line_of(1)]
    assert '"quantity"' in found[0].message and "CREATE INDEX" in found[0].message
    assert '"nickname"' in found[1].message and "ADD CONSTRAINT ... UNIQUE" in found[1].message
    assert "shop_customer_nickname_uniq" in found[1].help


def test_unique_together_and_index_together_added(tmp_path: Path) -> None:
    body = (
        'migrations.AlterUniqueTogether("order", {("customer", "placed_at")}),\n'
        'migrations.AlterIndexTogether("order", {("placed_at", "total")}),'
    )
    found = lint_steps(tmp_path, body, rule=RULE)
    assert [f.line for f in found] == [line_of(0), line_of(1)]
    assert "(customer, placed_at)" in found[0].message and "ACCESS EXCLUSIVE" in found[0].message
    assert "customer_id, placed_at" in found[0].help
    assert "(placed_at, total)" in found[1].message and "SHARE lock" in found[1].message


def test_unique_constraints(tmp_path: Path) -> None:
    body = (
        'migrations.AddConstraint("product", models.UniqueConstraint(fields=["name"], name="product_name_uniq")),\n'
        'migrations.AddConstraint("product", models.UniqueConstraint(fields=["sku"], '
        'condition=Q(quantity__gt=0), name="product_sku_uniq")),'
    )
    found = lint_steps(tmp_path, body, rule=RULE)
    assert [f.line for f in found] == [line_of(0), line_of(1)]
    assert '"product_name_uniq"' in found[0].message and "ACCESS EXCLUSIVE" in found[0].message
    assert "ALTER TABLE shop_product ADD CONSTRAINT product_name_uniq UNIQUE USING INDEX" in found[0].help
    assert "CREATE UNIQUE INDEX" in found[1].message and "SHARE lock" in found[1].message


def test_silent_for_add_index_concurrently(tmp_path: Path) -> None:
    body = 'AddIndexConcurrently("product", models.Index(fields=["sku"], name="product_sku_idx")),'
    assert lint_steps(tmp_path, body, rule=RULE, non_atomic=(2,)) == []


def test_silent_for_table_created_in_the_same_migration(tmp_path: Path) -> None:
    body = (
        'migrations.CreateModel("Tag", [("id", models.BigAutoField(primary_key=True)), '
        '("label", models.CharField(max_length=20))]),\n'
        'migrations.AddIndex("tag", models.Index(fields=["label"], name="tag_label_idx")),\n'
        'migrations.AddField("tag", "code", models.CharField(max_length=5, null=True, unique=True)),'
    )
    assert lint_steps(tmp_path, body, rule=RULE) == []


def test_silent_for_state_only(tmp_path: Path) -> None:
    body = (
        "migrations.SeparateDatabaseAndState(state_operations=["
        'migrations.AddIndex("product", models.Index(fields=["sku"], name="product_sku_idx"))]),'
    )
    assert lint_steps(tmp_path, body, rule=RULE) == []


def test_silent_for_foreign_key_with_constraint_and_plain_fields(tmp_path: Path) -> None:
    # The foreign key rule (ZDM205) reports the index built with the constraint.
    body = (
        f'migrations.AddField("order", "product", models.ForeignKey(null=True, on_delete={FK}, to="shop.product")),\n'
        'migrations.AddField("product", "weight", models.IntegerField(null=True)),\n'
        'migrations.AlterUniqueTogether("order", set()),'
    )
    assert lint_steps(tmp_path, body, rule=RULE) == []
