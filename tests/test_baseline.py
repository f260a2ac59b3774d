"""The baseline (`safemigrate baseline`, `check --baseline`) and the legacy cut-off (ignore_before)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from safemigrate.config import Config
from safemigrate.cutoff import before_cutoff
from safemigrate.engine import Engine
from safemigrate.lint import lint_project
from safemigrate.rules import REGISTRY
from tests.rule_examples import write_project

DROP = '''from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
        migrations.RemoveField(model_name="customer", name="nickname"),
        migrations.AddField(model_name="product", name="weight", field=models.IntegerField(default=0)),
    ]
'''

# The same migration reformatted: other line breaks, comments, blank lines, keyword order.
REFORMATTED = '''# Legacy cleanup.
from django.db import migrations
from django.db import models


class Migration(migrations.Migration):

    dependencies = [
        ("shop", "0001_initial"),
    ]

    operations = [
        # The nickname is gone from the code.
        migrations.RemoveField(
            name="nickname",
            model_name="customer",
        ),

        migrations.AddField(
            model_name="product",
            name="weight",
            field=models.IntegerField(
                default=0,
            ),
        ),
    ]
'''

NEW = '''from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("shop", "0002_cleanup")]

    operations = [
        migrations.DeleteModel(name="Order"),
    ]
'''


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "safemigrate", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = write_project(tmp_path, [("0002_cleanup.py", DROP)])
    (project / "pyproject.toml").write_text("[tool.safemigrate]\n")
    return project


def summary(result: subprocess.CompletedProcess[str]) -> dict[str, object]:
    data: dict[str, object] = json.loads(result.stdout)["summary"]
    return data


def test_baseline_then_check_reports_nothing(project: Path) -> None:
    assert run("check", ".", cwd=project).returncode == 1
    written = run("baseline", ".", cwd=project)
    assert written.returncode == 0, written.stderr
    assert written.stdout.startswith("Wrote 3 findings in 1 migration to .safemigrate-baseline.json")
    data = json.loads((project / ".safemigrate-baseline.json").read_text())
    assert data["version"] == 1
    assert [(e["app"], e["migration"], e["rule"], e["operation"], e["count"]) for e in data["findings"]] == [
        ("shop", "0002_cleanup", "ZDM101", "1:AddField(product,weight)", 1),
        ("shop", "0002_cleanup", "ZDM102", "0:RemoveField(customer,nickname)", 1),
        ("shop", "0002_cleanup", "ZDM501", "-", 1),
    ]
    result = run("check", ".", "--no-color", cwd=project)
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip() == "All checks passed: 2 migrations checked (3 hidden by the baseline)."
    assert summary(run("check", ".", "--format", "json", cwd=project))["baselined"] == 3


def test_reformatting_keeps_fingerprints(project: Path) -> None:
    assert run("baseline", ".", cwd=project).returncode == 0
    (project / "shop" / "migrations" / "0002_cleanup.py").write_text(REFORMATTED)
    result = run("check", ".", "--format", "json", cwd=project)
    assert result.returncode == 0, result.stdout
    assert summary(result)["baselined"] == 3
    assert json.loads(result.stdout)["findings"] == []


def test_new_findings_are_reported(project: Path) -> None:
    assert run("baseline", ".", cwd=project).returncode == 0
    (project / "shop" / "migrations" / "0003_new.py").write_text(NEW)
    result = run("check", ".", "--format", "json", cwd=project)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert [(f["migration"], f["rule"]) for f in data["findings"]] == [("0003_new", "ZDM103")]
    assert data["summary"]["baselined"] == 3


def test_a_changed_operation_is_new(project: Path) -> None:
    assert run("baseline", ".", cwd=project).returncode == 0
    migration = project / "shop" / "migrations" / "0002_cleanup.py"
    migration.write_text(DROP.replace('name="nickname"', 'name="name"'))
    result = run("check", ".", "--format", "json", cwd=project)
    data = json.loads(result.stdout)
    assert [f["rule"] for f in data["findings"]] == ["ZDM102"]
    assert data["summary"]["baselined"] == 2
    assert any("1 baseline entry in .safemigrate-baseline.json no longer match" in n for n in data["summary"]["notes"])
    assert result.returncode == 1


def test_stale_entries_are_a_note_not_a_failure(project: Path) -> None:
    assert run("baseline", ".", cwd=project).returncode == 0
    migration = project / "shop" / "migrations" / "0002_cleanup.py"
    migration.write_text(DROP.replace("default=0", "null=True"))
    result = run("check", ".", "--no-color", cwd=project)
    assert result.returncode == 0, result.stdout
    assert "note: 1 baseline entry in .safemigrate-baseline.json no longer match a finding" in result.stdout
    # Checking other paths only: the entries of migrations not checked aren't stale.
    (project / "shop" / "migrations" / "0003_new.py").write_text(NEW.replace("DeleteModel", "AlterModelOptions").replace(
        'name="Order"', 'name="order", options={}'))
    result = run("check", "shop/migrations/0003_new.py", "--no-color", cwd=project)
    assert result.returncode == 0 and "note:" not in result.stdout, result.stdout


def test_entries_of_a_renamed_migration_are_stale(project: Path) -> None:
    assert run("baseline", ".", cwd=project).returncode == 0
    migrations = project / "shop" / "migrations"
    (migrations / "0002_cleanup.py").rename(migrations / "0002_renamed.py")
    result = run("check", ".", "--format", "json", cwd=project)
    data = json.loads(result.stdout)
    assert result.returncode == 1 and {f["migration"] for f in data["findings"]} == {"0002_renamed"}
    assert any("3 baseline entries in .safemigrate-baseline.json no longer match" in n for n in data["summary"]["notes"])
    # Whichever of the app's files are checked: its whole history is read.
    (migrations / "0003_new.py").write_text(NEW.replace("0002_cleanup", "0002_renamed"))
    result = run("check", "shop/migrations/0003_new.py", "--no-color", cwd=project)
    assert "note: 3 baseline entries" in result.stdout, result.stdout


def test_refuses_to_overwrite_without_force(project: Path) -> None:
    assert run("baseline", ".", cwd=project).returncode == 0
    path = project / ".safemigrate-baseline.json"
    path.write_text('{"version": 1, "findings": []}\n')
    result = run("baseline", ".", cwd=project)
    assert result.returncode == 2
    assert "already exists; pass --force" in result.stderr
    assert path.read_text() == '{"version": 1, "findings": []}\n'
    assert run("baseline", ".", "--force", cwd=project).returncode == 0
    assert len(json.loads(path.read_text())["findings"]) == 3


def test_no_baseline_and_explicit_baseline(project: Path) -> None:
    assert run("baseline", ".", "--output", "elsewhere.json", cwd=project).returncode == 0
    assert not (project / ".safemigrate-baseline.json").exists()
    assert run("check", ".", cwd=project).returncode == 1  # no default file: nothing hidden
    assert run("check", ".", "--baseline", "elsewhere.json", cwd=project).returncode == 0
    (project / "elsewhere.json").rename(project / ".safemigrate-baseline.json")
    assert run("check", ".", cwd=project).returncode == 0
    assert run("check", ".", "--no-baseline", cwd=project).returncode == 1


def test_configured_baseline(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.safemigrate]\nbaseline = "ci/baseline.json"\n')
    (project / "ci").mkdir()
    result = run("check", ".", cwd=project)
    assert result.returncode == 2
    assert "baseline: no such file: ci/baseline.json" in result.stderr
    assert run("baseline", ".", cwd=project).returncode == 0
    assert (project / "ci" / "baseline.json").is_file()
    assert run("check", ".", cwd=project).returncode == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not a safemigrate baseline (invalid JSON"),
        ('{"version": 2, "findings": []}', "not a safemigrate baseline"),
        ('{"version": 1, "findings": [{"app": "shop"}]}', "findings[0] must have string app, migration, rule"),
        (
            '{"version": 1, "findings": [{"app": "a", "migration": "m", "rule": "r", "operation": "-", "count": 0}]}',
            "a positive count",
        ),
    ],
)
def test_bad_baseline_exits_2(project: Path, content: str, message: str) -> None:
    (project / "b.json").write_text(content)
    result = run("check", ".", "--baseline", "b.json", cwd=project)
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.startswith("safemigrate: error: b.json: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_explicit_baseline_exits_2(project: Path) -> None:
    result = run("check", ".", "--baseline", "nope.json", cwd=project)
    assert result.returncode == 2 and "--baseline: no such file: nope.json" in result.stderr


def test_counts(project: Path) -> None:
    """Two findings with one fingerprint need a count of two."""
    assert run("baseline", ".", cwd=project).returncode == 0
    path = project / ".safemigrate-baseline.json"
    data = json.loads(path.read_text())
    data["findings"] = [dict(e, count=2) for e in data["findings"]]
    path.write_text(json.dumps(data))
    result = run("check", ".", "--format", "json", cwd=project)
    assert result.returncode == 0 and summary(result)["baselined"] == 3
    assert any("3 baseline entries" in n for n in summary(result)["notes"])  # type: ignore[attr-defined]


# --- the legacy cut-off ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "start", "before"),
    [
        ("0041_x", "0042", True),
        ("0042_x", "0042", False),
        ("0042", "0042", False),
        ("0100_x", "0042", False),
        ("0041_x", "42", True),
        ("0042_x", "42", False),
        ("0001_initial", "0002_add", True),
        ("0002_add", "0002_add", False),
        ("0002_aaa", "0002_add", True),
        ("auto_20200101", "0042", False),
    ],
)
def test_before_cutoff(name: str, start: str, before: bool) -> None:
    assert before_cutoff("shop", name, {"shop": start}) is before
    assert before_cutoff("other", name, {"shop": start}) is False


LEGACY = '''from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
        migrations.AddField(model_name="customer", name="age", field=models.IntegerField(default=0, db_column="years")),
    ]
'''
LATER = '''from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("shop", "0002_legacy")]

    operations = [
        migrations.RemoveField(model_name="customer", name="age"),
    ]
'''


def test_ignore_before_skips_legacy_but_replays_it(tmp_path: Path) -> None:
    project = write_project(tmp_path, [("0002_legacy.py", LEGACY), ("0003_later.py", LATER)])
    rules = list(REGISTRY.values())
    everything = lint_project(Engine(Config()).analyze([project]), rules).findings
    assert {(f.migration, f.rule) for f in everything} >= {("0002_legacy", "ZDM101"), ("0003_later", "ZDM102")}
    analysis = Engine(Config(ignore_before={"shop": "0003"})).analyze([project])
    found = lint_project(analysis, rules).findings
    assert [(f.migration, f.rule) for f in found] == [("0003_later", "ZDM102")]
    assert '"years"' in found[0].message  # the legacy migration's column, from the replayed state
    assert analysis.migrations_reported == 1
    # Asking for the legacy file explicitly doesn't report it either.
    legacy = project / "shop" / "migrations" / "0002_legacy.py"
    assert lint_project(Engine(Config(ignore_before={"shop": "0003"})).analyze([legacy]), rules).findings == []


def test_ignore_before_in_pyproject(tmp_path: Path) -> None:
    project = write_project(tmp_path, [("0002_legacy.py", LEGACY), ("0003_later.py", LATER)])
    (project / "pyproject.toml").write_text('[tool.safemigrate]\nignore_before = { "shop" = "0004" }\n')
    result = run("check", ".", "--no-color", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1] == "All checks passed: 0 migrations checked."
    # 0004 comes after shop's newest migration: everything is hidden, and that is said.
    assert lines[:-1] == [
        "note: ignore_before = {'shop' = '0004'} comes after every migration of 'shop' (the newest is "
        "'0003_later'): none of them is reported"
    ]
    (project / "pyproject.toml").write_text('[tool.safemigrate]\nignore_before = { "shop" = 4 }\n')
    result = run("check", ".", cwd=project)
    assert result.returncode == 2 and "ignore_before maps app labels to a migration name" in result.stderr


def test_a_cutoff_past_every_migration_of_an_app_is_noted(tmp_path: Path) -> None:
    from safemigrate.config import Config
    from safemigrate.engine import Engine
    from tests.rule_examples import write_project

    project = write_project(tmp_path, [])
    analysis = Engine(Config(ignore_before={"shop": "0420"})).analyze([project])
    assert analysis.migrations_reported == 0
    assert any("comes after every migration of 'shop'" in note for note in analysis.notes)
    analysis = Engine(Config(ignore_before={"shop": "0001"})).analyze([project])
    assert not any("comes after" in note for note in analysis.notes)
