"""Wrong inputs, bad configuration and generated files: one line and exit 2, never a silent pass or a traceback."""

from __future__ import annotations

import gc
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from safemigrate.cli import main
from safemigrate.errors import UsageError
from safemigrate.files import write_atomic
from tests.rule_examples import REPO, write_project

UNSAFE = '''from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
        migrations.AddField(model_name="product", name="weight", field=models.IntegerField(default=0)),
    ]
'''

# Only a warning (ZDM605: the operations list can't be read statically).
WARNING_ONLY = '''from django.db import migrations


def helper():
    return []


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = helper()
'''


def run(*args: str, cwd: Path | None = None, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "safemigrate", *args], capture_output=True, text=True, cwd=cwd, timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def assert_one_line_exit_2(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "All checks passed" not in result.stdout


@pytest.fixture
def unsafe_project(tmp_path: Path) -> Path:
    return write_project(tmp_path, [("0002_product_weight.py", UNSAFE)])


# --- 1. bad configuration files -------------------------------------------------------------


def test_config_that_is_not_utf8_is_an_input_error(unsafe_project: Path) -> None:
    config = unsafe_project / "pyproject.toml"
    config.write_bytes(b'[tool.safemigrate]\nselect = ["\xff"]\n')
    assert_one_line_exit_2(run("check", str(unsafe_project)), "not UTF-8")  # found by walking up
    assert_one_line_exit_2(run("check", str(unsafe_project), "--config", str(config)), "not UTF-8")


def test_config_with_a_tool_key_that_is_not_a_table(unsafe_project: Path) -> None:
    config = unsafe_project / "pyproject.toml"
    config.write_text('tool = 1\n\n[project]\nname = "x"\n')
    assert_one_line_exit_2(run("check", str(unsafe_project), "--config", str(config)), "`tool` must be a table")


# --- 2. writing reports and baselines ----------------------------------------------------------


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("command", ["check", "baseline"])
def test_unwritable_output_is_one_line_exit_2(unsafe_project: Path, command: str) -> None:
    result = run(command, str(unsafe_project), "-o", "/proc/safemigrate-report")
    assert_one_line_exit_2(result, "cannot write /proc/safemigrate-report")


def test_unwritable_output_directory_is_one_line_exit_2(unsafe_project: Path, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    prefix = drop_root_privileges()
    try:
        result = run("check", str(unsafe_project), "-o", str(locked / "report.txt"), prefix=prefix)
    finally:
        locked.chmod(0o755)
    assert_one_line_exit_2(result, "Permission denied")
    assert list(locked.iterdir()) == []


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600])
def test_replaced_report_keeps_its_permissions(unsafe_project: Path, tmp_path: Path, mode: int) -> None:
    out = tmp_path / "report.txt"
    out.write_text("old")
    out.chmod(mode)
    assert main(["check", str(unsafe_project), "-o", str(out)]) == 1
    assert "ZDM101" in out.read_text()
    assert stat.S_IMODE(out.stat().st_mode) == mode


def test_new_report_gets_the_umask_permissions(unsafe_project: Path, tmp_path: Path) -> None:
    previous = os.umask(0o027)
    try:
        assert main(["check", str(unsafe_project), "-o", str(tmp_path / "new.txt")]) == 1
        assert main(["baseline", str(unsafe_project), "-o", str(tmp_path / "baseline.json")]) == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "baseline.json").stat().st_mode) == 0o640


def test_output_through_a_symlink_replaces_the_target_and_keeps_the_link(unsafe_project: Path, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    real = reports / "report.txt"
    real.write_text("old")
    link = tmp_path / "latest.txt"
    link.symlink_to(real)
    assert main(["check", str(unsafe_project), "-o", str(link)]) == 1
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert "ZDM101" in real.read_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    # The baseline too.
    baseline_link = tmp_path / "baseline.json"
    baseline_link.symlink_to(reports / "baseline.json")
    assert main(["baseline", str(unsafe_project), "-o", str(baseline_link)]) == 0
    assert baseline_link.is_symlink() and '"ZDM101"' in (reports / "baseline.json").read_text()


def test_write_atomic_refuses_a_directory(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is a directory"):
        write_atomic(tmp_path, "x")
    with pytest.raises(UsageError, match="does not exist"):
        write_atomic(tmp_path / "missing" / "report.txt", "x")


# --- 3. paths that hold no migrations ------------------------------------------------------


def test_empty_directory_is_not_a_pass(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert_one_line_exit_2(run("check", "empty", cwd=tmp_path), "no Django migrations found in empty")
    assert_one_line_exit_2(run("check", cwd=tmp_path / "empty"), "no Django migrations found in")
    assert_one_line_exit_2(run("baseline", "empty", cwd=tmp_path), "no Django migrations found in empty")


def test_migrations_directory_without_init_is_named(unsafe_project: Path) -> None:
    (unsafe_project / "shop" / "migrations" / "__init__.py").unlink()
    result = run("check", ".", cwd=unsafe_project)
    assert_one_line_exit_2(result, "no Django migrations found in .")
    assert "shop/migrations has no __init__.py" in result.stderr
    # Next to an app that is a package, it is a note and the rest is checked.
    shutil.copytree(REPO / "tests" / "fixtures" / "rule_examples" / "shop", unsafe_project / "other" / "shop")
    result = run("check", ".", "--no-color", cwd=unsafe_project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "note: shop/migrations has no __init__.py" in result.stdout


def test_symlinked_app_directory_is_followed_once(unsafe_project: Path, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "shop").symlink_to(unsafe_project / "shop", target_is_directory=True)
    (tree / "loop").symlink_to(tree, target_is_directory=True)  # a cycle must not hang or repeat
    result = run("check", "tree", "--no-color", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.count(": ZDM101 [") == 1, result.stdout
    assert result.stdout.splitlines()[-1] == "Found 1 error in 1 of 2 migrations."


def drop_root_privileges() -> tuple[str, ...]:
    """root reads unreadable directories: run the CLI without the capabilities that let it."""
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permissions aren't enforced")
    return ("setpriv", "--bounding-set=-dac_override,-dac_read_search")


def test_unreadable_directory_is_reported(unsafe_project: Path, tmp_path: Path) -> None:
    prefix = drop_root_privileges()
    secret = tmp_path / "outer" / "secret"
    (secret / "inner").mkdir(parents=True)
    secret.chmod(0)
    project_secret = unsafe_project / "private"
    project_secret.mkdir()
    project_secret.chmod(0)
    try:
        alone = run("check", "outer", cwd=tmp_path, prefix=prefix)
        among = run("check", ".", "--no-color", cwd=unsafe_project, prefix=prefix)
    finally:
        secret.chmod(0o755)
        project_secret.chmod(0o755)
    assert_one_line_exit_2(alone, "no Django migrations found in outer (cannot read outer/secret: Permission denied")
    assert among.returncode == 1, among.stdout + among.stderr
    assert "note: cannot read private: Permission denied" in among.stdout
    assert "ZDM101" in among.stdout


def test_non_python_file_is_an_input_error(unsafe_project: Path) -> None:
    (unsafe_project / "README.md").write_text("# shop\n")
    assert_one_line_exit_2(run("check", "README.md", cwd=unsafe_project), "README.md: not a Python file")


def test_exclude_that_covers_everything_is_not_a_pass(unsafe_project: Path) -> None:
    (unsafe_project / "pyproject.toml").write_text('[tool.safemigrate]\nexclude = ["shop"]\n')
    result = run("check", ".", cwd=unsafe_project)
    assert_one_line_exit_2(result, "no Django migrations found in .")
    assert "1 migrations package excluded by `exclude`" in result.stderr


def test_files_precommit_passes_are_skipped_silently(unsafe_project: Path) -> None:
    """pre-commit may pass __init__.py and excluded files: nothing to check is then a pass."""
    migrations = unsafe_project / "shop" / "migrations"
    result = run("check", str(migrations / "__init__.py"), "--no-color", cwd=unsafe_project)
    assert (result.returncode, result.stderr) == (0, ""), result.stdout + result.stderr
    (unsafe_project / "pyproject.toml").write_text('[tool.safemigrate]\nexclude = ["shop"]\n')
    result = run("check", str(migrations / "0002_product_weight.py"), "--no-color", cwd=unsafe_project)
    assert (result.returncode, result.stderr) == (0, ""), result.stdout + result.stderr


def test_precommit_hook_passes_only_django_migration_modules() -> None:
    import yaml

    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    files = re.compile(hook["files"])
    for path in ("shop/migrations/0002_product_weight.py", "migrations/0001_initial.py",
                 "src/shop/migrations/0001_squashed_0004_auto.py", "a/migrations/10000_late.py"):
        assert files.search(path), path
    for path in ("db/migrations/env.py", "db/migrations/versions/0001_init.py", "shop/migrations/__init__.py",
                 "shop/migrations/helpers.py", "shop/migrations.py", "shop/models.py"):
        assert not files.search(path), path


# --- 4. ALL in select and ignore ---------------------------------------------------------------


def test_ignore_all_from_the_command_line_and_the_config(unsafe_project: Path) -> None:
    assert main(["check", str(unsafe_project), "-o", "/dev/null"]) == 1
    assert main(["check", str(unsafe_project), "--select", "ALL", "-o", "/dev/null"]) == 1
    assert main(["check", str(unsafe_project), "--ignore", "ALL", "-o", "/dev/null"]) == 0
    assert main(["check", str(unsafe_project), "--ignore", "all", "-o", "/dev/null"]) == 0
    (unsafe_project / "pyproject.toml").write_text('[tool.safemigrate]\nignore = ["ALL"]\n')
    assert main(["check", str(unsafe_project), "-o", "/dev/null"]) == 0
    (unsafe_project / "pyproject.toml").write_text('[tool.safemigrate]\nignore = [""]\n')
    assert_one_line_exit_2(run("check", str(unsafe_project)), "an empty rule ID")


# --- 5. database versions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ['database = "mariadb"\nmariadb_version = 10.10', "mysql_version = 8.0", "postgresql_version = 12.4",
     "sqlite_version = 3.45"],
)
def test_float_versions_are_refused(unsafe_project: Path, body: str) -> None:
    (unsafe_project / "pyproject.toml").write_text(f"[tool.safemigrate]\n{body}\n")
    key = body.splitlines()[-1].split(" = ")[0]
    assert_one_line_exit_2(run("check", str(unsafe_project)), f'quote the version, e.g. {key} = "')


@pytest.mark.parametrize(
    ("body", "version"),
    [('database = "mariadb"\nmariadb_version = "10.10"', (10, 10)), ("postgresql_version = 12", (12,)),
     ('postgresql_version = "12.4"', (12, 4))],
)
def test_quoted_and_integer_versions(tmp_path: Path, body: str, version: tuple[int, ...]) -> None:
    from safemigrate.config import load_config

    (tmp_path / "pyproject.toml").write_text(f"[tool.safemigrate]\n{body}\n")
    assert load_config(tmp_path / "pyproject.toml").target.version == version


def test_default_versions_and_configured_versions_have_one_source() -> None:
    from safemigrate.accurate.databases import configured_version
    from safemigrate.config import Config
    from safemigrate.target import DEFAULT_VERSIONS, VENDORS

    for vendor in VENDORS:
        assert Config().version_for(vendor) == DEFAULT_VERSIONS[vendor]
        assert Config(database=vendor).target.version == DEFAULT_VERSIONS[vendor]
    config = Config(postgresql_version=11, mysql_version="5.7.8", mariadb_version="10.10", sqlite_version="3.35")
    expected = {"postgresql": (11,), "mysql": (5, 7, 8), "mariadb": (10, 10), "sqlite": (3, 35)}
    for vendor, version in expected.items():
        assert configured_version(config, vendor) == config.version_for(vendor) == version


# --- 6. the summary line -----------------------------------------------------------------------


def test_summary_counts_deleted_migrations_apart() -> None:
    from safemigrate.findings import Category, Finding, Phase, Report, Severity
    from safemigrate.reporters._common import summary_line

    def finding(rule: str, name: str, migration: str) -> Finding:
        return Finding(rule, name, Severity.ERROR, Category.HYGIENE, Phase.ANY, "m", "h", "p.py", 1, 1, "shop",
                       migration)

    checked = [finding("ZDM101", "not-null-column-without-db-default", "0003_a"),
               finding("ZDM102", "drop-column", "0004_b")]
    deleted = finding("ZDM611", "deleted-migration", "0002_gone")
    assert summary_line(Report([*checked, deleted], 2, 4)) == (
        "Found 3 errors in 2 of 2 migrations and 1 deleted migration."
    )
    assert summary_line(Report([deleted], 1, 2)) == "Found 1 error in 0 of 1 migration and 1 deleted migration."
    assert summary_line(Report(checked, 2, 4)) == "Found 2 errors in 2 of 2 migrations."


# --- 7. README, --no-warnings-as-errors, bare `safemigrate` ----------------------------------


def test_readme_quick_start_output_is_real() -> None:
    readme = (REPO / "README.md").read_text()
    quick_start = readme[readme.index("## Quick start"):readme.index("## Commands")]
    shown = re.search(r"```text\n(.*?)```", quick_start, re.S)
    assert shown is not None
    first, *rest = shown.group(1).splitlines()
    result = run("check", "sample_project/", "--no-color", cwd=REPO)
    lines = result.stdout.splitlines()
    assert first.endswith("...")
    index = next(i for i, line in enumerate(lines) if line.startswith(first[: -len("...")]))
    assert lines[index + 1 : index + 1 + len(rest)] == rest


def test_no_warnings_as_errors_overrides_the_config(tmp_path: Path) -> None:
    project = write_project(tmp_path, [("0002_helper.py", WARNING_ONLY)])
    assert run("check", ".", cwd=project).returncode == 0
    assert run("check", ".", "--warnings-as-errors", cwd=project).returncode == 1
    (project / "pyproject.toml").write_text("[tool.safemigrate]\nwarnings_as_errors = true\n")
    assert run("check", ".", cwd=project).returncode == 1
    result = run("check", ".", "--no-warnings-as-errors", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Found 1 warning" in result.stdout


def test_bare_command_and_help_exit_0_with_the_help() -> None:
    bare = run()
    helped = run("--help")
    assert (bare.returncode, helped.returncode) == (0, 0), bare.stderr + helped.stderr
    assert bare.stdout == helped.stdout
    assert "Commands:" in bare.stdout and "check" in bare.stdout
    assert bare.stderr == ""


# --- 8. GC tuning only in our own process --------------------------------------------------


def test_main_leaves_the_gc_alone_and_entry_turns_it_off() -> None:
    before = gc.get_threshold()
    assert gc.isenabled()
    assert main(["rules"]) == 0  # what manage.py safemigrate runs, inside a Django process
    assert gc.get_threshold() == before and gc.isenabled()
    probe = (  # entry() ends the process itself (cli.finish), so the GC state is printed from inside main()
        "import gc, sys, safemigrate.cli as c; sys.argv = ['safemigrate', 'rules']; "
        "real = c.main; c.main = lambda *a, **k: (real(*a, **k), print('gc', gc.isenabled()))[0]; c.{}()"
    )
    for function, expected in (("entry", "gc False"), ("main", "gc True")):
        result = subprocess.run([sys.executable, "-c", probe.format(function)], capture_output=True, text=True, cwd=REPO)
        assert result.stdout.splitlines()[-1] == expected, (function, result.stdout, result.stderr)
    probe = (
        "import gc, safemigrate.process as p; {} p.collect_cycles(); print(gc.isenabled(), gc.get_threshold()[0])"
    )
    for setup, expected in (("p.take_over();", "True 100000"), ("gc.disable();", "False")):
        # accurate mode turns the collector back on in our own process, never in a host's
        result = subprocess.run([sys.executable, "-c", probe.format(setup)], capture_output=True, text=True, cwd=REPO)
        assert result.stdout.strip().startswith(expected), (setup, result.stdout, result.stderr)
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["safemigrate"] == "safemigrate.cli:entry"
    assert "entry()" in (REPO / "safemigrate" / "__main__.py").read_text()
