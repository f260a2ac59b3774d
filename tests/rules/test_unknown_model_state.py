from __future__ import annotations

from pathlib import Path

from django.db.migrations import operations as ops

from safemigrate.context import MigrationContext, OperationContext, ProjectContext
from safemigrate.findings import Finding, Severity
from safemigrate.rules import get_rule
from tests.rule_examples import lint, lint_migrations, write_project

HEADER = '''from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "{parent}")]

    operations = [
'''
FIRST = 8  # line of the first operation


def source(operations: str, parent: str = "0001_initial") -> str:
    return HEADER.replace("{parent}", parent) + operations + "    ]\n"


def check(tmp_path: Path, operations: str) -> list[Finding]:
    return lint_migrations(tmp_path, [("0002_test.py", source(operations))], select=["ZDM606"])


def test_misspelt_model_name(tmp_path: Path) -> None:
    found = check(tmp_path, '        migrations.AddField("products", "weight", models.IntegerField(null=True)),\n')
    assert [(f.rule, f.line, f.severity) for f in found] == [("ZDM606", FIRST, Severity.WARNING)]
    assert 'model "shop.products" before this AddField is unknown' in found[0].message
    assert "no migration safemigrate read creates" in found[0].message
    assert "could not judge" in found[0].message


def test_operation_that_does_not_apply_to_the_state(tmp_path: Path) -> None:
    found = check(tmp_path, '        migrations.RemoveField("product", "colour"),\n')
    assert [(f.rule, f.line) for f in found] == [("ZDM606", FIRST)]
    assert '"shop.product"' in found[0].message and "isn't there" in found[0].message


def test_once_per_operation(tmp_path: Path) -> None:
    operations = (
        '        migrations.AddField("widget", "a", models.IntegerField(null=True)),\n'
        '        migrations.AddField("widget", "b", models.IntegerField(null=True)),\n'
        '        migrations.AddField("product", "weight", models.IntegerField(null=True)),\n'
    )
    assert [(f.rule, f.line) for f in check(tmp_path, operations)] == [("ZDM606", FIRST), ("ZDM606", FIRST + 1)]


def test_known_models_are_silent(tmp_path: Path) -> None:
    operations = (
        '        migrations.CreateModel(name="Tag", fields=[("id", models.BigAutoField(primary_key=True))]),\n'
        '        migrations.AddField("tag", "label", models.CharField(max_length=20, null=True)),\n'
        '        migrations.RemoveField("customer", "legacy_code"),\n'
        '        migrations.RunSQL("SELECT 1", migrations.RunSQL.noop),\n'
    )
    assert check(tmp_path, operations) == []


def test_migrations_not_checked_are_silent(tmp_path: Path) -> None:
    files = [
        ("0002_typo.py", source('        migrations.AddField("products", "w", models.IntegerField(null=True)),\n')),
        ("0003_fine.py", source("", parent="0002_typo")),
    ]
    assert [f.migration for f in lint_migrations(tmp_path, files, select=["ZDM606"])] == ["0002_typo"]
    project = write_project(tmp_path / "only", files)
    assert lint([project / "shop" / "migrations" / "0003_fine.py"], ["ZDM606"]) == []


def test_model_of_an_app_that_was_not_found() -> None:
    rule = get_rule("ZDM606")
    assert rule is not None
    migration = MigrationContext("payments", "0002_x", "payments/migrations/0002_x.py", True, False, 4, 1, True)
    operation = ops.AddField("invoice", "total", None)  # type: ignore[arg-type]
    ctx = OperationContext(migration, operation, 0, 8, 9, "payments.invoice", None, None, model_known=False)
    migration.operations.append(ctx)
    found = list(rule.check_project(ProjectContext([migration], [], {"payments"})))
    assert [(f.rule, f.line) for f in found] == [("ZDM606", 8)]
    assert 'its app "payments" was not found' in found[0].message
