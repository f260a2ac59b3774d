from __future__ import annotations

from pathlib import Path

import pytest

from safemigrate.findings import Finding, Severity
from tests.rule_examples import lint_migrations

HEADER = '''from django.db import migrations, models
from django_add_default_value import AddDefaultValue
from pgtrigger.migrations import AddTrigger


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
'''
FIRST = 10  # line of the first operation


def lint(tmp_path: Path, source: str) -> list[Finding]:
    return lint_migrations(tmp_path, [("0002_test.py", source)], select=["ZDM605"])


def test_third_party_operation(tmp_path: Path) -> None:
    found = lint(tmp_path, HEADER + '        AddDefaultValue(model_name="product", name="quantity", value=0),\n    ]\n')
    assert [(f.rule, f.severity) for f in found] == [("ZDM605", Severity.WARNING)]
    assert '"django_add_default_value.AddDefaultValue"' in found[0].message
    assert "not checked" in found[0].message and "assumed unchanged" in found[0].message
    assert "sqlmigrate" in found[0].help and found[0].operation_index == 0


def test_each_operation_once(tmp_path: Path) -> None:
    source = HEADER + (
        '        AddDefaultValue(model_name="product", name="quantity", value=0),\n'
        '        migrations.AddField("product", "weight", models.IntegerField(null=True)),\n'
        "        migrations.SeparateDatabaseAndState(\n"
        '            database_operations=[AddTrigger(model_name="product", trigger=None)],\n'
        "        ),\n"
        "    ]\n"
    )
    found = lint(tmp_path, source)
    assert [f.rule for f in found] == ["ZDM605", "ZDM605"]
    assert [f.operation_index for f in found] == [0, 2]
    assert '"django_add_default_value.AddDefaultValue"' in found[0].message
    assert '"pgtrigger.migrations.AddTrigger"' in found[1].message


def test_django_operation_that_does_not_exist(tmp_path: Path) -> None:
    pytest.importorskip("django.contrib.postgres.operations")  # a PostgreSQL driver is installed
    source = (
        "from django.contrib.postgres.operations import NoSuchOperation\n"
        + HEADER + "        NoSuchOperation(),\n    ]\n"
    )
    found = lint(tmp_path, source)
    assert [f.rule for f in found] == ["ZDM605"]
    assert '"django.contrib.postgres.operations.NoSuchOperation"' in found[0].message
    assert "it does not exist: django.contrib.postgres.operations has no NoSuchOperation" in found[0].message
    assert "psycopg" not in found[0].help  # the driver is there: installing it would not help
    # Without a driver, the same name could not be imported: tests/test_malformed_migrations.py


def test_operations_list_that_is_not_literal(tmp_path: Path) -> None:
    source = (
        "from django.db import migrations\n"
        "from shop.ops import build_operations\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n'
        "    operations = build_operations()\n"
    )
    found = lint(tmp_path, source)
    assert [(f.rule, f.line, f.column) for f in found] == [("ZDM605", 7, 1)]
    assert "operations list is not a literal list" in found[0].message and '"0002_test"' in found[0].message
    assert found[0].operation_index is None


def test_dependencies_that_are_not_literal(tmp_path: Path) -> None:
    source = (
        "from django.db import migrations\n"
        "from shop.graph import DEPENDENCIES\n\n\n"
        "class Migration(migrations.Migration):\n"
        "    dependencies = DEPENDENCIES\n"
        "    operations = []\n"
    )
    found = lint(tmp_path, source)
    assert [(f.rule, f.line) for f in found] == [("ZDM605", 6)]
    assert "(app_label, migration_name)" in found[0].message


def test_django_operations_are_silent(tmp_path: Path) -> None:
    source = HEADER + (
        '        migrations.AddField("product", "weight", models.IntegerField(null=True)),\n'
        "        migrations.RunSQL(\"SELECT 1\", migrations.RunSQL.noop),\n"
        "    ]\n"
    )
    assert lint(tmp_path, source) == []


def test_third_party_operation_is_reported_at_its_line(tmp_path: Path) -> None:
    found = lint(tmp_path, HEADER + '        AddDefaultValue(model_name="product", name="quantity", value=0),\n    ]\n')
    assert [(f.rule, f.line) for f in found] == [("ZDM605", FIRST)]
