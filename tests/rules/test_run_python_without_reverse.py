from __future__ import annotations

from pathlib import Path

from tests.rule_examples import lint_migrations

SOURCE = """from django.db import migrations


def fill(apps, schema_editor):
    Product = apps.get_model("shop", "Product")
    Product.objects.filter(sku=None).update(sku="")


def unfill(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("shop", "0001_initial")]

    operations = [
{operations}    ]
"""


def findings(tmp_path: Path, operations: str) -> list[tuple[str, int, str]]:
    source = SOURCE.replace("{operations}", operations)
    found = lint_migrations(tmp_path, [("0002_test.py", source)], select=["ZDM401"])
    return [(f.rule, f.line, f.message) for f in found]


def test_run_python_without_reverse(tmp_path: Path) -> None:
    found = findings(tmp_path, "        migrations.RunPython(fill),\n")
    assert [(rule, line) for rule, line, _ in found] == [("ZDM401", 18)]
    assert "fill" in found[0][2] and "0002_test" in found[0][2] and "IrreversibleError" in found[0][2]


def test_explicit_none_and_lambda(tmp_path: Path) -> None:
    found = findings(
        tmp_path,
        "        migrations.RunPython(fill, reverse_code=None),\n"
        "        migrations.RunPython(lambda apps, se: None),\n",
    )
    assert [(rule, line) for rule, line, _ in found] == [("ZDM401", 18), ("ZDM401", 19)]


def test_database_operations_are_flagged(tmp_path: Path) -> None:
    body = "        migrations.SeparateDatabaseAndState(database_operations=[migrations.RunPython(fill)]),\n"
    found = findings(tmp_path, body)
    assert [(rule, line) for rule, line, _ in found] == [("ZDM401", 18)]


def test_help_names_noop(tmp_path: Path) -> None:
    source = SOURCE.replace("{operations}", "        migrations.RunPython(fill),\n")
    found = lint_migrations(tmp_path, [("0002_test.py", source)], select=["ZDM401"])
    assert "migrations.RunPython.noop" in found[0].help


def test_noop_reverse_is_silent(tmp_path: Path) -> None:
    assert findings(tmp_path, "        migrations.RunPython(fill, migrations.RunPython.noop),\n") == []


def test_reverse_function_is_silent(tmp_path: Path) -> None:
    assert findings(tmp_path, "        migrations.RunPython(fill, reverse_code=unfill),\n") == []


def test_other_operations_are_silent(tmp_path: Path) -> None:
    assert findings(tmp_path, '        migrations.RunSQL("SELECT 1"),\n') == []
