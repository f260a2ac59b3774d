from __future__ import annotations

from pathlib import Path

from tests.rule_examples import lint_migrations

HEADER = """from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
"""


def findings(tmp_path: Path, body: str) -> list[tuple[str, int, str]]:
    found = lint_migrations(tmp_path, [("0002_test.py", HEADER + body + "    ]\n")], select=["ZDM402"])
    return [(f.rule, f.line, f.message) for f in found]


def test_run_sql_without_reverse(tmp_path: Path) -> None:
    body = '        migrations.RunSQL("CREATE VIEW shop_names AS SELECT name FROM shop_product"),\n'
    found = findings(tmp_path, body)
    assert [(rule, line) for rule, line, _ in found] == [("ZDM402", 8)]
    assert "CREATE VIEW shop_names" in found[0][2] and "0002_test" in found[0][2]


def test_list_of_statements_and_explicit_none(tmp_path: Path) -> None:
    body = '        migrations.RunSQL(["SELECT 1", "SELECT 2"], reverse_sql=None),\n'
    found = findings(tmp_path, body)
    assert [(rule, line) for rule, line, _ in found] == [("ZDM402", 8)]
    assert "SELECT 1" in found[0][2]


def test_long_statement_is_shortened(tmp_path: Path) -> None:
    body = "        migrations.RunSQL(\"UPDATE shop_product SET description = '" + "x" * 80 + "'\"),\n"
    found = findings(tmp_path, body)
    assert [(rule, line) for rule, line, _ in found] == [("ZDM402", 8)]
    assert "..." in found[0][2] and "x" * 80 not in found[0][2]


def test_database_operations_are_flagged(tmp_path: Path) -> None:
    body = '        migrations.SeparateDatabaseAndState(database_operations=[migrations.RunSQL("SELECT 1")]),\n'
    assert [(rule, line) for rule, line, _ in findings(tmp_path, body)] == [("ZDM402", 8)]


def test_noop_reverse_is_silent(tmp_path: Path) -> None:
    assert findings(tmp_path, '        migrations.RunSQL("SELECT 1", migrations.RunSQL.noop),\n') == []


def test_reverse_sql_is_silent(tmp_path: Path) -> None:
    body = (
        '        migrations.RunSQL("CREATE VIEW shop_names AS SELECT name FROM shop_product",\n'
        '                          reverse_sql="DROP VIEW shop_names"),\n'
    )
    assert findings(tmp_path, body) == []
