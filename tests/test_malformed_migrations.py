"""Mistakes inside a migration file are findings (ZDM605/ZDM606) or one input error line, never a traceback.

The static reader builds Django operations from the file's source. Django's operation classes keep
whatever they are given, so a wrong argument used to reach the replay or the rules and crash there
(exit 3). The evaluator now checks the arguments first (safemigrate/source/validate.py) and builds
an UnknownOperation carrying the reason, which ZDM605 prints.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import models
from django.db.migrations import operations as ops

from safemigrate.config import Config
from safemigrate.engine import Engine, replay_project
from safemigrate.errors import InputError
from safemigrate.lint import lint_project
from safemigrate.rules import REGISTRY
from safemigrate.source.placeholders import UnknownOperation
from tests.rule_examples import lint_migrations, write_project

HEADER = '''from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "{previous}")]

    operations = [
        {operation},
    ]
'''
OPERATION_LINE = 8  # where {operation} lands in HEADER

# (operation as written, the rule that must report it, words its message must hold)
CASES = [
    (
        'migrations.AddConstraint("product", models.UniqueConstraint(fields=["name"]))',
        "ZDM605",
        "its constraint UniqueConstraint(fields=['name']) raises ValueError: A unique constraint must be named",
    ),
    ('migrations.AddConstraint("product", 5)', "ZDM605", "its constraint must be a constraint"),
    (
        'migrations.AddConstraint("product", models.CheckConstraint(check=1, name="positive"))',
        "ZDM605",
        "must be a Q instance or boolean expression",
    ),
    (
        'migrations.AlterField("product", "name", "notafield")',
        "ZDM605",
        "its field must be a model field, not the str 'notafield'",
    ),
    (
        "migrations.SeparateDatabaseAndState(state_operations=5)",
        "ZDM605",
        "its state_operations must be a list of operations, not the int 5",
    ),
    ("migrations.AddField()", "ZDM605", "AddField() missing a required argument: 'model_name'"),
    ('migrations.AddField("product", "weight")', "ZDM605", "AddField() missing a required argument: 'field'"),
    (
        'migrations.AddIndex("product", models.Index(fields="name", name="product_name_2_idx"))',
        "ZDM605",
        "raises ValueError: Index.fields must be a list or tuple",
    ),
    ("5", "ZDM605", "the operations list holds the int 5, not an operation"),
    # The field isn't in the state: Django's own state_forwards fails, so it is no column drop (ZDM102).
    ('migrations.RemoveField("product", "nope")', "ZDM606", "the field, index or constraint it names isn't there"),
]
IDS = [operation.partition("(")[0] + f"-{n}" for n, (operation, _, _) in enumerate(CASES)]


def migration(operation: str, previous: str = "0001_initial") -> str:
    return HEADER.format(previous=previous, operation=operation)


@pytest.mark.parametrize(("operation", "rule", "words"), CASES, ids=IDS)
@pytest.mark.filterwarnings("ignore:CheckConstraint.check is deprecated")
def test_mistake_is_a_finding_under_every_rule(tmp_path: Path, operation: str, rule: str, words: str) -> None:
    found = lint_migrations(tmp_path, [("0002_mistake.py", migration(operation))])
    assert [(f.rule, f.line) for f in found] == [(rule, OPERATION_LINE)], [f.message for f in found]
    assert words in found[0].message
    assert "psycopg" not in found[0].help  # nothing failed to import


def test_mistakes_through_the_command_line(tmp_path: Path) -> None:
    files = []
    previous = "0001_initial"
    for number, (operation, _, _) in enumerate(CASES, start=2):
        name = f"{number:04d}_mistake"
        files.append((f"{name}.py", migration(operation, previous)))
        previous = name
    project = write_project(tmp_path, files)
    result = subprocess.run(
        [sys.executable, "-m", "safemigrate", "check", str(project)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr  # warnings only
    assert "Traceback" not in result.stderr
    for (name, _), (_, rule, words) in zip(files, CASES, strict=True):
        line = next((ln for ln in result.stdout.splitlines() if f"{name}:{OPERATION_LINE}:" in ln), "")
        assert f" {rule} " in line and words in line, (name, result.stdout)


def test_a_driverless_environment_gets_the_psycopg_hint(tmp_path: Path) -> None:
    """Without a PostgreSQL driver django.contrib.postgres.operations doesn't import: the hint says so
    (its operations the reader knows still work, through stand-ins)."""
    project = write_project(tmp_path, [("0002_pg.py", (
        "from django.contrib.postgres.operations import AddIndexConcurrently, NoSuchOperation\n"
        + migration('NoSuchOperation(),\n        AddIndexConcurrently("product", models.Index(fields=["sku"], '
                    'name="product_sku_idx"))').replace("class Migration(migrations.Migration):\n",
                                                         "class Migration(migrations.Migration):\n    atomic = False\n")
    ))])
    code = (
        "import runpy, sys\n"
        "sys.modules['psycopg'] = sys.modules['psycopg2'] = None  # no driver\n"
        "runpy.run_module('safemigrate', run_name='__main__', alter_sys=True)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "check", str(project)], capture_output=True, text=True, timeout=120,
        env={**os.environ, "SAFEMIGRATE_NO_CACHE": "1"},  # a cached reading would hide the import
    )
    assert result.returncode == 0, result.stderr
    findings = [ln for ln in result.stdout.splitlines() if ": ZDM" in ln]
    assert len(findings) == 1, result.stdout  # AddIndexConcurrently was read
    assert '"django.contrib.postgres.operations.NoSuchOperation" could not be read (it could not be imported' in (
        findings[0]
    )
    assert "Install the project's PostgreSQL driver (psycopg)" in result.stdout


def test_expression_too_deep_for_the_parser_is_one_line_exit_2(tmp_path: Path) -> None:
    deep = "X = 1" + " + 1" * 3000 + "\n"
    project = write_project(tmp_path, [("0002_deep.py", deep + migration("migrations.RunSQL(str(X))"))])
    result = subprocess.run(
        [sys.executable, "-m", "safemigrate", "check", str(project)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert "0002_deep.py:1: cannot parse: the code is nested too deeply" in result.stderr
    with pytest.raises(InputError, match="nested too deeply"):
        Engine(Config()).load([project / "shop" / "migrations" / "0002_deep.py"])


def test_sql_concatenated_from_hundreds_of_literals_is_unverifiable(tmp_path: Path) -> None:
    """Deep enough to exhaust Python's recursion limit in the evaluator, not the parser."""
    sql = " + ".join(['"SELECT 1;"'] * 900)
    operation = "migrations.RunSQL(SQL, migrations.RunSQL.noop)"
    found = lint_migrations(tmp_path, [("0002_sql.py", f"SQL = {sql}\n" + migration(operation))])
    assert [f.rule for f in found] == ["ZDM607"], [f.message for f in found]
    assert "computed when the migration runs" in found[0].message
    shallow = " + ".join(['"SELECT 1;"'] * 20)  # a short concatenation is still read
    found = lint_migrations(tmp_path / "shallow", [("0002_sql.py", f"SQL = {shallow}\n" + migration(operation))])
    assert found == []


def test_replay_survives_operations_the_reader_did_not_build(tmp_path: Path) -> None:
    """Accurate mode hands over what Django built; whatever shape it has, the replay reports it, never raises."""
    project = write_project(tmp_path, [("0002_fine.py", migration('migrations.DeleteModel("Order")')),
                                       ("0003_fine.py", migration('migrations.DeleteModel("Customer")', "0002_fine"))])
    loaded = Engine(Config()).load([project])
    loaded.reported = {("shop", "0003_fine")}
    for key, field in ((("shop", "0002_fine"), "weight"), (("shop", "0003_fine"), "height")):
        loaded.migrations[key].migration.operations = [
            ops.SeparateDatabaseAndState(state_operations=5),  # type: ignore[arg-type]
            ops.RenameModel(5, "Item"),  # type: ignore[arg-type]
            ops.AddField("product", field, models.IntegerField(null=True)),
        ]
    analysis = replay_project(loaded)  # 0002 is replayed without contexts, 0003 with them
    (reported,) = [m for m in analysis.project.migrations if m.reported]
    unknown = [ctx for ctx in reported.operations if isinstance(ctx.operation, UnknownOperation)]
    reasons = [ctx.operation.safemigrate_reason for ctx in unknown]  # type: ignore[attr-defined]
    assert reasons == [
        "SeparateDatabaseAndState's state_operations holds 5, not an operation",
        "safemigrate could not replay it: AttributeError: 'int' object has no attribute 'lower'",
    ]
    # Each AddField applied: the replay went on after the broken operations, in both modes.
    assert {"weight", "height"} <= set(analysis.replayer.state.models[("shop", "product")].fields)
    found = lint_project(analysis, [rule for _, rule in sorted(REGISTRY.items())]).findings
    assert [f.rule for f in found if f.rule == "ZDM605"] == ["ZDM605", "ZDM605"]
