"""The command line: exit codes, options, configuration and input errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from safemigrate.cli import main
from tests.rule_examples import write_project

UNSAFE = '''from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
        migrations.AddField(model_name="product", name="weight", field=models.IntegerField(default=0)),
    ]
'''

SAFE = UNSAFE.replace("default=0", "null=True")


@pytest.fixture
def unsafe_project(tmp_path: Path) -> Path:
    return write_project(tmp_path, [("0002_product_weight.py", UNSAFE)])


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "safemigrate", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_error_findings_exit_1_with_text_format(unsafe_project: Path) -> None:
    result = run("check", str(unsafe_project), "--no-color", cwd=unsafe_project)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("shop/migrations/0002_product_weight.py:8:9: ZDM101 [not-null-column-without-db-default]")
    assert lines[1].startswith("  help: ")
    assert "safemigrate explain ZDM101" in lines[2]
    assert "\x1b[" not in result.stdout
    assert lines[-1].startswith("Found 1 error")


def test_clean_project_exits_0(tmp_path: Path) -> None:
    project = write_project(tmp_path, [("0002_product_weight.py", SAFE)])
    result = run("check", str(project))
    assert result.returncode == 0, result.stdout + result.stderr


def test_exit_zero_and_ignore(unsafe_project: Path) -> None:
    assert main(["check", str(unsafe_project), "--exit-zero", "--format", "json", "-o", "/dev/null"]) == 0
    assert main(["check", str(unsafe_project), "--ignore", "ZDM101", "-o", "/dev/null"]) == 0
    assert main(["check", str(unsafe_project), "--select", "ZDM1", "-o", "/dev/null"]) == 1
    assert main(["check", str(unsafe_project), "--select", "ZDM4", "-o", "/dev/null"]) == 0


def test_json_output_to_file(unsafe_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    assert main(["check", str(unsafe_project / "shop"), "--format", "json", "--output", str(out)]) == 1
    data = json.loads(out.read_text())
    assert data["version"] == 1
    (finding,) = data["findings"]
    assert finding["rule"] == "ZDM101"
    assert finding["app"] == "shop"
    assert finding["migration"] == "0002_product_weight"
    assert finding["operation_index"] == 0
    assert finding["phase"] == "pre-deploy"
    assert finding["line"] == 8 and finding["column"] == 9


def test_syntax_error_is_one_line_exit_2(tmp_path: Path) -> None:
    project = write_project(tmp_path, [("0002_broken.py", "class Migration(:\n")])
    result = run("check", str(project))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "0002_broken.py:1: syntax error" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_path_and_bad_option_exit_2(tmp_path: Path) -> None:
    result = run("check", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "no such file or directory" in result.stderr
    assert run("check", "--format", "xml").returncode == 2
    result = run("check", str(tmp_path), "--select", "XYZ9")
    assert result.returncode == 2
    assert "unknown rule ID or prefix 'XYZ9'" in result.stderr


def test_file_outside_a_migrations_package_is_an_input_error(tmp_path: Path) -> None:
    stray = tmp_path / "0001_x.py"
    stray.write_text("")
    result = run("check", str(stray))
    assert result.returncode == 2
    assert "not inside a migrations package" in result.stderr


def test_migration_without_migration_class(tmp_path: Path) -> None:
    project = write_project(tmp_path, [("0002_helpers.py", "X = 1\n")])
    result = run("check", str(project))
    assert result.returncode == 2
    assert "0002_helpers.py:1: no Migration class" in result.stderr


def test_config_is_found_by_walking_up_and_cli_overrides_it(unsafe_project: Path) -> None:
    (unsafe_project / "pyproject.toml").write_text('[tool.safemigrate]\nignore = ["ZDM101"]\n')
    assert main(["check", str(unsafe_project / "shop" / "migrations"), "-o", "/dev/null"]) == 0
    assert main(["check", str(unsafe_project / "shop"), "--select", "ZDM101", "-o", "/dev/null"]) == 0
    (unsafe_project / "pyproject.toml").write_text('[tool.safemigrate]\nwarnings_as_errors = true\n')
    assert main(["check", str(unsafe_project), "-o", "/dev/null"]) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("colour = true", "unknown key 'colour'"),
        ('select = ["NOPE1"]', "unknown rule ID or prefix 'NOPE1'"),
        ("select = \"ZDM1\"", "select must be a list"),
        ('format = "xml"', "format must be one of"),
        ("select = [", "invalid TOML"),
    ],
)
def test_bad_configuration_exit_2(unsafe_project: Path, body: str, message: str) -> None:
    (unsafe_project / "pyproject.toml").write_text(f"[tool.safemigrate]\n{body}\n")
    result = run("check", str(unsafe_project))
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_explicit_config_file(unsafe_project: Path, tmp_path: Path) -> None:
    config = tmp_path / "other.toml"
    config.write_text('[tool.safemigrate]\nignore = ["ZDM1"]\n')
    assert main(["check", str(unsafe_project), "--config", str(config), "-o", "/dev/null"]) == 0
    assert main(["check", str(unsafe_project), "--config", str(tmp_path / "missing.toml")]) == 2


def test_output_does_not_leave_partial_files(unsafe_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    out.write_text("old")
    main(["check", str(unsafe_project), "--output", str(out)])
    assert "ZDM101" in out.read_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []


def test_rules_and_explain() -> None:
    result = run("rules")
    assert result.returncode == 0
    assert "ZDM101  not-null-column-without-db-default" in result.stdout
    result = run("explain", "ZDM102")
    assert result.returncode == 0
    assert result.stdout.startswith("# drop-column (ZDM102)")
    assert run("explain", "drop-column").stdout.startswith("# drop-column (ZDM102)")
    result = run("explain", "ZDM999")
    assert result.returncode == 2
    assert "unknown rule" in result.stderr


def test_internal_error_exit_3(monkeypatch: pytest.MonkeyPatch, unsafe_project: Path) -> None:
    from safemigrate import lint

    def boom(*args: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(lint, "lint_project", boom)
    monkeypatch.setattr("safemigrate.commands.check.lint_project", boom)
    assert main(["check", str(unsafe_project)]) == 3


def test_readme_documents_every_rule_and_option() -> None:
    from safemigrate.rules import REGISTRY

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for rule_id, rule in REGISTRY.items():
        assert f"| {rule_id} | [{rule.name}](rules/{rule.name}.md) | {rule.severity.value} |" in readme, rule_id
    for option in (
        "--select", "--ignore", "--format", "--output", "--warnings-as-errors", "--exit-zero", "--config", "--since",
        "--django", "--static", "--settings", "--database",
    ):
        assert f"`{option}" in readme, option


@pytest.mark.parametrize(
    ("body", "vendor", "version"),
    [
        ("", "postgresql", (15,)),
        ('database = "postgresql"\npostgresql_version = 11', "postgresql", (11,)),
        ('database = "mysql"\nmysql_version = "8.0.12"', "mysql", (8, 0, 12)),
        ('database = "mariadb"\nmariadb_version = "10.6"', "mariadb", (10, 6)),
    ],
)
def test_database_target_from_config(tmp_path: Path, body: str, vendor: str, version: tuple[int, ...]) -> None:
    from safemigrate.config import load_config

    config_file = tmp_path / "pyproject.toml"
    config_file.write_text(f"[tool.safemigrate]\n{body}\n")
    target = load_config(config_file).target
    assert (target.vendor, target.version) == (vendor, version)


@pytest.mark.parametrize(
    ("body", "message"),
    [('database = "oracle"', "database must be one of"), ('mysql_version = "eight"', "must be a version")],
)
def test_bad_database_target(unsafe_project: Path, body: str, message: str) -> None:
    (unsafe_project / "pyproject.toml").write_text(f"[tool.safemigrate]\n{body}\n")
    result = run("check", str(unsafe_project))
    assert result.returncode == 2
    assert message in result.stderr


def test_the_process_ends_with_every_byte_written_and_its_exit_code(tmp_path: Path) -> None:
    """entry() skips the interpreter's teardown (cli.finish): the output, far larger than a pipe's
    buffer, must still arrive whole, on stdout and in an --output file, with the run's exit code."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from generate import generate

    project = tmp_path / "project"
    generate(project, 6, 25)
    result = run("check", str(project), "--format", "json")
    assert result.returncode == 1, result.stderr
    assert len(result.stdout) > 65536
    piped = json.loads(result.stdout)
    assert piped["summary"]["errors"] > 0
    out = tmp_path / "report.json"
    written = run("check", str(project), "--format", "json", "--output", str(out))
    assert written.returncode == 1 and written.stdout == ""
    assert json.loads(out.read_text()) == piped
    usage = run("check", "--format", "yaml")
    assert usage.returncode == 2 and "--format" in usage.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_report_that_cannot_be_written_is_one_line_and_exit_2(unsafe_project: Path) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "safemigrate", "check", str(unsafe_project), "--format", "json"],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=120,
        )
    assert result.returncode == 2
    assert result.stderr == "safemigrate: error: cannot write the report to standard output: No space left on device\n"


def test_a_reader_that_stops_early_is_no_error(tmp_path: Path) -> None:
    """``safemigrate check | head``: the rest of the report has nowhere to go, and that is fine."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from generate import generate

    generate(tmp_path, 6, 25)  # a report far larger than a pipe holds
    proc = subprocess.Popen(
        [sys.executable, "-m", "safemigrate", "check", str(tmp_path), "--format", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(100).startswith(b"{")
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1  # the findings' exit code, not an error
    assert stderr == ""


def test_a_process_started_with_stdout_closed_still_writes_its_output_file(unsafe_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "-m", "safemigrate", "check", str(unsafe_project), "--exit-zero", "--output", str(out)],
        stderr=subprocess.PIPE, text=True, timeout=120, preexec_fn=lambda: os.close(1),
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "ZDM101" in out.read_text()
    without = subprocess.run(
        [sys.executable, "-m", "safemigrate", "check", str(unsafe_project)],
        stderr=subprocess.PIPE, text=True, timeout=120, preexec_fn=lambda: os.close(1),
    )
    assert without.returncode == 2
    assert without.stderr == (
        "safemigrate: error: cannot write the report to standard output: it is closed (use --output FILE)\n"
    )
    for command in (["rules"], ["explain", "ZDM101"]):
        closed = subprocess.run(
            [sys.executable, "-m", "safemigrate", *command],
            stderr=subprocess.PIPE, text=True, timeout=120, preexec_fn=lambda: os.close(1),
        )
        assert closed.returncode == 2 and "standard output: it is closed" in closed.stderr, closed.stderr
