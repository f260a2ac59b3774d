"""Suppressions: inline and whole-file comments, per_migration_ignores, IgnoreMigration, and the findings
about suppressions themselves (ZDM608 without a reason, ZDM609 suppressing nothing)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from safemigrate.config import Config
from safemigrate.engine import Engine
from safemigrate.errors import InputError
from safemigrate.lint import lint_project
from safemigrate.rules import REGISTRY
from safemigrate.suppressions import parse_comment, read_comment_suppressions
from tests.rule_examples import write_project

HEADER = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
"""
DROP = '        migrations.RemoveField(model_name="customer", name="nickname"),\n'
ADD = '        migrations.AddField(model_name="product", name="weight", field=models.IntegerField(null=True)),\n'


def source(body: str, header: str = HEADER) -> str:
    return header + body + "    ]\n"


def lint(
    tmp_path: Path, body: str, select: list[str] | None = None, config: Config | None = None, header: str = HEADER
) -> tuple[list[tuple[str, int]], int, list[str]]:
    """(rule, line) of each finding, how many were suppressed, and the messages."""
    project = write_project(tmp_path, [("0002_test.py", source(body, header))])
    analysis = Engine(config or Config()).analyze([project / "shop" / "migrations" / "0002_test.py"])
    rules = [r for rid, r in sorted(REGISTRY.items()) if not select or any(rid.startswith(s) for s in select)]
    result = lint_project(analysis, rules, config)
    return [(f.rule, f.line) for f in result.findings], result.suppressed, [f.message for f in result.findings]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "safemigrate", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_unsuppressed_finding_is_reported(tmp_path: Path) -> None:
    assert lint(tmp_path, DROP)[:2] == ([("ZDM102", 8)], 0)


def test_comment_on_the_line_above(tmp_path: Path) -> None:
    found, suppressed, _ = lint(tmp_path, "        # safemigrate: ignore[ZDM102] -- unused since 2.3\n" + DROP)
    assert (found, suppressed) == ([], 1)


def test_comment_at_the_end_of_the_first_line(tmp_path: Path) -> None:
    body = (
        "        migrations.RemoveField(  # safemigrate: ignore[ZDM102] -- unused since 2.3\n"
        '            model_name="customer",\n'
        '            name="nickname",\n'
        "        ),\n"
    )
    assert lint(tmp_path, body)[:2] == ([], 1)


def test_comment_lines_may_come_between(tmp_path: Path) -> None:
    body = "        # safemigrate: ignore[ZDM102] -- unused since 2.3\n        # (see ticket 123)\n" + DROP
    assert lint(tmp_path, body)[:2] == ([], 1)


def test_a_blank_line_detaches_the_comment(tmp_path: Path) -> None:
    found, suppressed, messages = lint(tmp_path, "        # safemigrate: ignore[ZDM102] -- unused\n\n" + DROP)
    assert suppressed == 0
    assert sorted(found) == [("ZDM102", 10), ("ZDM609", 8)]
    assert "applies to no line" in messages[found.index(("ZDM609", 8))]


def test_comment_ending_the_line_that_closes_the_operation(tmp_path: Path) -> None:
    # Where Black and ruff format put "op(...),  # comment" when they split it over several lines.
    body = (
        "        migrations.RemoveField(\n"
        '            model_name="customer", name="nickname"\n'
        "        ),  # safemigrate: ignore[ZDM102] -- unused since 2.3\n"
        "        migrations.SeparateDatabaseAndState(\n"
        "            database_operations=[\n"
        "                migrations.RemoveField(\n"
        '                    model_name="customer", name="legacy_code"\n'
        "                ),  # safemigrate: ignore[ZDM102] -- unused since 2.3\n"
        "            ],\n"
        "        ),\n"
    )
    assert lint(tmp_path, body)[:2] == ([], 2)


def test_comment_ending_a_line_that_closes_no_operation_applies_to_nothing(tmp_path: Path) -> None:
    body = (
        "        migrations.SeparateDatabaseAndState(\n"
        "            database_operations=[\n"
        "                migrations.RemoveField(\n"
        '                    model_name="customer", name="legacy_code"\n'
        "                ),\n"
        "            ],  # safemigrate: ignore[ZDM102] -- unused since 2.3\n"
        "        ),\n"
    )
    found, suppressed, messages = lint(tmp_path, body)
    assert (sorted(found), suppressed) == ([("ZDM102", 10), ("ZDM609", 13)], 0)
    assert "on line 9, the line it applies to" in messages[found.index(("ZDM609", 13))]


def test_other_operations_are_not_suppressed(tmp_path: Path) -> None:
    other = '        migrations.RemoveField(model_name="customer", name="name"),\n'
    found, suppressed, _ = lint(tmp_path, "        # safemigrate: ignore[ZDM102] -- unused\n" + DROP + other, ["ZDM1"])
    assert (found, suppressed) == ([("ZDM102", 10)], 1)


def test_without_reason_still_suppresses_and_is_an_error(tmp_path: Path) -> None:
    found, suppressed, messages = lint(tmp_path, "        # safemigrate: ignore[ZDM102]\n" + DROP)
    assert (found, suppressed) == ([("ZDM608", 8)], 1)
    assert "# safemigrate: ignore[ZDM102]" in messages[0]
    assert REGISTRY["ZDM608"].severity.value == "error"


@pytest.mark.parametrize("tail", ["", " unused since 2.3", " --", " --   "])
def test_a_reason_must_follow_two_dashes(tmp_path: Path, tail: str) -> None:
    found, _, _ = lint(tmp_path, f"        # safemigrate: ignore[ZDM102]{tail}\n" + DROP)
    assert found == [("ZDM608", 8)]


def test_without_reason_is_not_reported_when_zdm608_is_off(tmp_path: Path) -> None:
    found, suppressed, _ = lint(tmp_path, "        # safemigrate: ignore[ZDM102]\n" + DROP, ["ZDM1"])
    assert (found, suppressed) == ([], 1)


def test_several_ids_and_only_the_unused_one_is_reported(tmp_path: Path) -> None:
    found, suppressed, messages = lint(tmp_path, "        # safemigrate: ignore[ZDM102, ZDM101] -- reviewed\n" + DROP)
    assert (found, suppressed) == ([("ZDM609", 8)], 1)
    assert "nothing for ZDM101:" in messages[0] and "ZDM102," not in messages[0].split("nothing for")[1]


@pytest.mark.parametrize("selector", ["ZDM1", "zdm102", "ALL", "ZDM"])
def test_prefixes_and_all(tmp_path: Path, selector: str) -> None:
    assert lint(tmp_path, f"        # safemigrate: ignore[{selector}] -- reviewed\n" + DROP)[:2] == ([], 1)


def test_unused_suppression(tmp_path: Path) -> None:
    found, suppressed, messages = lint(tmp_path, "        # safemigrate: ignore[ZDM102] -- reviewed\n" + ADD)
    assert (found, suppressed) == ([("ZDM609", 8)], 0)
    assert "on line 9, the line it applies to" in messages[0]
    assert REGISTRY["ZDM609"].severity.value == "warning"


def test_unused_suppression_of_a_rule_that_did_not_run_is_not_reported(tmp_path: Path) -> None:
    body = "        # safemigrate: ignore[ZDM205] -- reviewed\n" + ADD
    assert lint(tmp_path, body, ["ZDM1", "ZDM6"])[0] == []
    assert lint(tmp_path / "b", body, ["ZDM2", "ZDM6"])[0] == [("ZDM609", 8)]
    assert lint(tmp_path / "c", body, ["ZDM2"])[0] == []  # ZDM609 itself off


def test_unused_suppression_of_a_rule_for_another_database_is_not_reported(tmp_path: Path) -> None:
    """ZDM202 is about PostgreSQL's locks: it never judges a MySQL project's migrations."""
    index = '        migrations.AddIndex("product", models.Index(fields=["price"], name="product_price_idx")),\n'
    body = "        # safemigrate: ignore[ZDM202] -- the table is empty\n" + index
    assert lint(tmp_path, body, config=Config(database="mysql"))[0] == []
    assert lint(tmp_path / "pg", body)[:2] == ([], 1)  # on PostgreSQL it runs and the comment is used
    unused = "        # safemigrate: ignore[ZDM202] -- reviewed\n" + ADD
    assert lint(tmp_path / "mysql", unused, config=Config(database="mysql"))[0] == []
    assert lint(tmp_path / "pg2", unused)[0] == [("ZDM609", 8)]
    entry = Config(database="mysql", per_migration_ignores={"shop.0002": ["ZDM202"]})
    assert lint(tmp_path / "config", ADD, config=entry)[0] == []
    assert lint(tmp_path / "config2", ADD, config=Config(per_migration_ignores={"shop.0002": ["ZDM202"]}))[0] == [
        ("ZDM609", 4)
    ]


def test_ignore_file(tmp_path: Path) -> None:
    header = "# safemigrate: ignore-file[ZDM102] -- the customer table is empty in every environment\n" + HEADER
    other = '        migrations.RemoveField(model_name="customer", name="name"),\n'
    found, suppressed, _ = lint(tmp_path, DROP + other, header=header)
    assert (found, suppressed) == ([], 2)


def test_unused_ignore_file(tmp_path: Path) -> None:
    header = "# safemigrate: ignore-file[ZDM102] -- reviewed\n" + HEADER
    found, _, messages = lint(tmp_path, ADD, header=header)
    assert found == [("ZDM609", 1)]
    assert "anywhere in this file" in messages[0]


def test_comment_above_the_class_covers_findings_about_the_migration(tmp_path: Path) -> None:
    header = HEADER.replace(
        "class Migration", "# safemigrate: ignore[ZDM501] -- split across two deploys by hand\nclass Migration"
    )
    found, suppressed, _ = lint(tmp_path, ADD + '        migrations.RemoveField(model_name="customer", name="legacy_code"),\n',
                                ["ZDM5", "ZDM6"], header=header)
    assert (found, suppressed) == ([], 1)


def test_comment_above_a_container_covers_its_children(tmp_path: Path) -> None:
    body = (
        "        # safemigrate: ignore[ZDM102] -- unused since 2.3\n"
        "        migrations.SeparateDatabaseAndState(\n"
        "            database_operations=[\n"
        '                migrations.RemoveField(model_name="customer", name="nickname"),\n'
        "            ],\n"
        "        ),\n"
    )
    assert lint(tmp_path, body)[:2] == ([], 1)
    unsuppressed = lint(tmp_path / "b", body.replace("# safemigrate: ignore[ZDM102] -- unused since 2.3", "# x"))
    assert unsuppressed[0] == [("ZDM102", 11)]


def test_directive_in_a_string_is_not_a_suppression(tmp_path: Path) -> None:
    body = '        migrations.RunSQL("SELECT 1 -- # safemigrate: ignore[ZDM102]", migrations.RunSQL.noop),\n' + DROP
    assert lint(tmp_path, body, ["ZDM1", "ZDM6"])[0] == [("ZDM102", 9)]


def test_directive_after_another_tool_comment(tmp_path: Path) -> None:
    body = DROP.rstrip("\n") + "  # noqa: E501  # safemigrate: ignore[ZDM102] -- unused\n"
    assert lint(tmp_path, body)[:2] == ([], 1)


def test_parse_comment() -> None:
    s = parse_comment("# safemigrate: ignore[ZDM102, zdm2] -- table is empty", "x.py", 3, 5)
    assert s is not None
    assert (s.kind, s.selectors, s.prefixes, s.reason, s.line, s.column) == (
        "line", ["ZDM102", "ZDM2"], ["ZDM102", "ZDM2"], "table is empty", 3, 5
    )
    assert parse_comment("# safemigrate:ignore-file[ALL]--why", "x.py", 1, 1).kind == "file"  # type: ignore[union-attr]
    assert parse_comment("# safemigrate: see the wiki", "x.py", 1, 1) is None
    assert parse_comment("# safemigrate: ignored on purpose", "x.py", 1, 1) is None
    assert parse_comment("# a comment about safemigrate", "x.py", 1, 1) is None


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("# safemigrate: ignore[ZDM999] -- x", "unknown rule ID or prefix 'ZDM999'"),
        ("# safemigrate: ignore -- x", "a suppression names the rules it ignores"),
        ("# safemigrate: ignore[] -- x", "a suppression names the rules it ignores"),
        ("# safemigrate: ignore-file ZDM102 -- x", "a suppression names the rules it ignores"),
    ],
)
def test_bad_comment_is_an_input_error(comment: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        parse_comment(comment, "shop/migrations/0002_x.py", 7, 9)
    assert str(info.value).startswith("shop/migrations/0002_x.py:7: ")


def test_bad_comment_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    project = write_project(tmp_path, [("0002_test.py", source("        # safemigrate: ignore[ZDM999] -- x\n" + DROP))])
    result = run("check", str(project), cwd=project)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip() == (
        "safemigrate: error: shop/migrations/0002_test.py:8: suppression: "
        "unknown rule ID or prefix 'ZDM999' (see `safemigrate rules`)"
    )
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_files_without_the_word_are_not_tokenized(tmp_path: Path) -> None:
    file = tmp_path / "m.py"
    file.write_text("x = 1  # nothing here\n")
    assert read_comment_suppressions(str(file), "m.py") == []
    file.write_text("x = 1  # safemigrate: ignore[ZDM102] -- why\n")
    [found] = read_comment_suppressions(str(file), "m.py")
    assert (found.attached_to, found.reason) == (1, "why")


# --- configuration -----------------------------------------------------------------------------------


def config(ignores: dict[str, list[str]]) -> Config:
    return Config(per_migration_ignores=ignores)


@pytest.mark.parametrize("key", ["shop", "shop.0002", "shop.0002_test"])
def test_per_migration_ignores(tmp_path: Path, key: str) -> None:
    assert lint(tmp_path, DROP, config=config({key: ["ZDM102"]}))[:2] == ([], 1)


@pytest.mark.parametrize("key", ["other", "shop.0003", "shop.0002_tes"])
def test_per_migration_ignores_of_other_migrations(tmp_path: Path, key: str) -> None:
    assert lint(tmp_path, DROP, ["ZDM1"], config=config({key: ["ZDM102"]}))[:2] == ([("ZDM102", 8)], 0)


def test_unused_per_migration_entry_is_reported_but_not_a_whole_app(tmp_path: Path) -> None:
    found, _, messages = lint(tmp_path, ADD, config=config({"shop.0002": ["ZDM102"], "shop": ["ZDM103"]}))
    assert found == [("ZDM609", 4)]
    assert 'per_migration_ignores["shop.0002"]' in messages[0] and "ZDM102" in messages[0]


def write_config(project: Path, body: str) -> None:
    (project / "pyproject.toml").write_text(f"[tool.safemigrate]\n{body}\n")


def test_config_suppression_from_pyproject_and_summary(tmp_path: Path) -> None:
    project = write_project(tmp_path, [("0002_test.py", source(DROP))])
    write_config(project, 'per_migration_ignores = { "shop.0002" = ["ZDM102"] }')
    result = run("check", str(project), "--no-color", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "All checks passed: 2 migrations checked (1 suppressed)."
    result = run("check", str(project), "--format", "json", cwd=project)
    assert json.loads(result.stdout)["summary"]["suppressed"] == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('per_migration_ignores = { "shop" = ["ZDM999"] }', "per_migration_ignores['shop']: unknown rule ID"),
        ('per_migration_ignores = { "shop" = "ZDM102" }', "must be a non-empty list of rule IDs"),
        ('per_migration_ignores = { "shop" = [] }', "must be a non-empty list of rule IDs"),
        ('per_migration_ignores = { "shop.0001.x" = ["ZDM102"] }', 'must be an app label or "app.migration"'),
        ('per_migration_ignores = ["ZDM102"]', "per_migration_ignores must be a dict"),
    ],
)
def test_bad_per_migration_ignores_exit_2(tmp_path: Path, body: str, message: str) -> None:
    project = write_project(tmp_path, [("0002_test.py", source(DROP))])
    write_config(project, body)
    result = run("check", str(project), cwd=project)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr


# --- django-migration-linter's IgnoreMigration ------------------------------------------------------------


def test_ignore_migration_is_honoured(tmp_path: Path) -> None:
    header = HEADER.replace(
        "from django.db import", "from django_migration_linter import IgnoreMigration\nfrom django.db import"
    )
    found, suppressed, _ = lint(tmp_path, "        IgnoreMigration(),\n" + DROP, header=header)
    assert found == []  # neither ZDM102 nor ZDM605 about IgnoreMigration itself
    assert suppressed == 2


def test_ignore_migration_still_replays_the_state(tmp_path: Path) -> None:
    ignored = source(
        "        django_migration_linter.IgnoreMigration(),\n"
        '        migrations.AddField(model_name="customer", name="age", field=models.IntegerField()),\n',
        HEADER.replace("from django.db import", "import django_migration_linter\nfrom django.db import"),
    )
    later = source('        migrations.RemoveField(model_name="customer", name="age"),\n').replace(
        '("shop", "0001_initial")', '("shop", "0002_test")'
    )
    project = write_project(tmp_path, [("0002_test.py", ignored), ("0003_later.py", later)])
    analysis = Engine(Config()).analyze([project])
    result = lint_project(analysis, list(REGISTRY.values()))
    assert [(f.migration, f.rule) for f in result.findings] == [("0003_later", "ZDM102")]
    assert '"age" of "shop_customer"' in result.findings[0].message


def test_summary_line_counts_hidden_findings() -> None:
    from safemigrate.findings import Report
    from safemigrate.reporters._common import summary_line

    assert summary_line(Report([], 3, 3)) == "All checks passed: 3 migrations checked."
    assert summary_line(Report([], 3, 3, suppressed=2)) == "All checks passed: 3 migrations checked (2 suppressed)."
    assert summary_line(Report([], 1, 3, suppressed=1, baselined=4)) == (
        "All checks passed: 1 migration checked (1 suppressed, 4 hidden by the baseline)."
    )


def test_ignore_migration_recognised_as_the_real_class() -> None:
    """Loaded by Django (accurate mode) it is django-migration-linter's own operation, not a placeholder."""
    from django.db.migrations import RunPython

    IgnoreMigration = pytest.importorskip("django_migration_linter").IgnoreMigration  # the test dependency

    from safemigrate.context import MigrationContext, OperationContext
    from safemigrate.suppressions import ignored_by_linter

    def context(operation: object) -> MigrationContext:
        m = MigrationContext("shop", "0002_x", "x.py", True, False, 1, 1, True)
        m.operations.append(OperationContext(m, operation, 0, 1, 1, None, None, None))  # type: ignore[arg-type]
        return m

    assert ignored_by_linter(context(IgnoreMigration()))
    assert not ignored_by_linter(context(RunPython(RunPython.noop)))
