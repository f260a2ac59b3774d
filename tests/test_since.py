"""`check --since REV`: real temporary git repositories, real git."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from safemigrate.cli import main
from tests.rule_examples import PAGES, Page, write_project

pytestmark = pytest.mark.skipif(
    subprocess.run(["git", "--version"], capture_output=True).returncode != 0, reason="needs git"
)

GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def migration(dependency: str, operation: str, docstring: str = "") -> str:
    return f'''{docstring}from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "{dependency}")]

    operations = [
        {operation},
    ]
'''


WEIGHT = migration("0001_initial", 'migrations.AddField(model_name="product", name="weight", field=models.IntegerField(null=True))')
COLOR = migration("0002_product_weight", 'migrations.AddField(model_name="product", name="color", field=models.CharField(max_length=20, null=True))')
UNSAFE = migration("0002_product_weight", 'migrations.AddField(model_name="product", name="size", field=models.IntegerField(default=0))')


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=repo, env=GIT_ENV, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout.strip()


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """shop 0001_initial + 0002_product_weight on main; a `feature` branch checked out."""
    project = write_project(tmp_path, [("0002_product_weight.py", WEIGHT)])
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "base")
    git(project, "checkout", "-q", "-b", "feature")
    monkeypatch.chdir(project)
    return project


def migrations_dir(project: Path) -> Path:
    return project / "shop" / "migrations"


def check(project: Path, *args: str, since: str | None = "main") -> tuple[int, dict[str, Any]]:
    out = project.parent / "report.json"
    out.unlink(missing_ok=True)
    code = main(["check", "--format", "json", "-o", str(out), *(["--since", since] if since else []), *args, str(project)])
    return code, (json.loads(out.read_text()) if out.exists() else {})


def rules(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f["rule"], f["migration"]) for f in report["findings"]]


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "safemigrate", *args], capture_output=True, text=True, cwd=cwd, timeout=120,
        env={**GIT_ENV, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )


# --- what is reported ----------------------------------------------------------


@pytest.mark.parametrize("how", ["untracked", "staged", "committed"])
def test_reports_only_migrations_added_since(repo: Path, how: str) -> None:
    (migrations_dir(repo) / "0003_product_size.py").write_text(UNSAFE)
    if how == "staged":
        git(repo, "add", "-A")
    elif how == "committed":
        commit_all(repo, "unsafe")
    code, report = check(repo)
    assert code == 1
    assert rules(report) == [("ZDM101", "0003_product_size")]
    assert report["summary"]["migrations_checked"] == 1
    assert report["summary"]["migrations_loaded"] == 3  # the state before it is still built


def test_old_unsafe_migration_is_not_reported_since_it_was_merged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = write_project(tmp_path, [("0002_product_weight.py", WEIGHT), ("0003_product_size.py", UNSAFE)])
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "base with an unsafe migration")
    monkeypatch.chdir(project)
    assert check(project, since=None)[0] == 1
    code, report = check(project)
    assert code == 0, report
    assert report["findings"] == [] and report["summary"]["migrations_checked"] == 0
    assert report["summary"]["notes"] == [f"no migration was added or changed since main ({git(project, 'rev-parse', '--short', 'HEAD')})"]


def test_compares_with_where_the_branch_left_rev(repo: Path) -> None:
    """Migrations merged into main after the branch started are neither the branch's nor deleted by it."""
    git(repo, "checkout", "-q", "main")
    (migrations_dir(repo) / "0003_product_size.py").write_text(UNSAFE)
    commit_all(repo, "main moves on")
    git(repo, "checkout", "-q", "feature")
    (migrations_dir(repo) / "0003_product_color.py").write_text(COLOR)
    code, report = check(repo)
    assert code == 0, report
    assert report["findings"] == [] and report["summary"]["migrations_checked"] == 1


def test_only_the_given_paths_are_looked_at(repo: Path) -> None:
    other = repo / "billing" / "migrations"
    other.mkdir(parents=True)
    (other / "__init__.py").touch()
    (other / "0001_initial.py").write_text(
        'from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n'
        '    initial = True\n    operations = [migrations.CreateModel(name="Invoice", fields=[("id", models.AutoField(primary_key=True))])]\n'
    )
    commit_all(repo, "billing")
    git(repo, "checkout", "-q", "-b", "feature2")
    (other / "0001_initial.py").write_text((other / "0001_initial.py").read_text().replace("AutoField", "BigAutoField"))
    (other / "0002_gone.py").write_text(WEIGHT.replace('"shop", "0001_initial"', '"billing", "0001_initial"'))
    code, report = check(repo / "shop", since="feature")
    assert (code, report["findings"], report["summary"]["migrations_checked"]) == (0, [], 0)
    code, report = check(repo / "billing", since="feature")
    assert code == 1 and rules(report)[0] == ("ZDM610", "0001_initial")


# --- edited migrations ------------------------------------------------------------


def test_edited_migration_is_an_error_at_the_first_changed_line(repo: Path) -> None:
    path = migrations_dir(repo) / "0002_product_weight.py"
    path.write_text(WEIGHT.replace("IntegerField(null=True)", "IntegerField(null=True, default=0)"))
    code, report = check(repo)
    assert code == 1
    (finding,) = report["findings"]
    assert finding["rule"] == "ZDM610" and finding["name"] == "edited-migration"
    assert finding["path"] == "shop/migrations/0002_product_weight.py"
    assert (finding["line"], finding["category"], finding["severity"]) == (8, "hygiene", "error")
    assert "already existed at main" in finding["message"]
    assert report["summary"]["migrations_checked"] == 1  # and the edited migration's own findings are reported


def test_edit_committed_on_the_branch_and_its_own_findings(repo: Path) -> None:
    path = migrations_dir(repo) / "0002_product_weight.py"
    path.write_text(WEIGHT + "\n\ndef extra():\n    pass\n")
    commit_all(repo, "edit")
    path.write_text(UNSAFE.replace('"0002_product_weight"', '"0001_initial"'))  # and more, uncommitted
    code, report = check(repo)
    assert code == 1
    assert sorted(rules(report)) == [("ZDM101", "0002_product_weight"), ("ZDM610", "0002_product_weight")]


def test_removed_operation_is_an_edit(repo: Path) -> None:
    path = migrations_dir(repo) / "0002_product_weight.py"
    path.write_text(WEIGHT.replace('        migrations.AddField(model_name="product", name="weight", field=models.IntegerField(null=True)),\n', ""))
    code, report = check(repo)
    assert code == 1 and rules(report) == [("ZDM610", "0002_product_weight")]
    assert report["findings"][0]["line"] == 7  # the operations list


def test_formatting_comment_and_docstring_edits_are_not_edits(repo: Path) -> None:
    path = migrations_dir(repo) / "0002_product_weight.py"
    path.write_text(
        '"""Weight, in grams."""\n# A comment.\nfrom django.db import migrations, models\n\n'
        "class Migration(migrations.Migration):\n"
        '    """Adds the weight."""\n\n'
        "    dependencies = [\n        ('shop', '0001_initial'),  # the start\n    ]\n"
        "    operations = [\n"
        "        migrations.AddField(\n            model_name='product',\n            name='weight',\n"
        "            field=models.IntegerField(null=True),\n        ),\n    ]\n"
    )
    code, report = check(repo)
    assert code == 0, report
    assert report["findings"] == [] and report["summary"]["migrations_checked"] == 0


OLD_STYLE = """# Generated by Django 1.11
from __future__ import unicode_literals

import shop.fields
from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    dependencies = [(u'shop', u'0001_initial'), (u'shop', u'0002_product_weight')]

    operations = [
        migrations.AddField(model_name=u'product', name=u'color', field=models.CharField(max_length=20, null=True)),
    ]
"""
ISORTED = "import django.db.models.deletion\nfrom django.db import migrations, models\n\nimport shop.fields\n"
TOOL_REWRITES = {
    "isort": lambda text: text.replace(
        "import shop.fields\nfrom django.db import migrations, models\nimport django.db.models.deletion\n", ISORTED
    ),
    "pyupgrade": lambda text: text.replace("from __future__ import unicode_literals\n", "").replace("u'", "'"),
    "dependency order": lambda text: text.replace(
        "(u'shop', u'0001_initial'), (u'shop', u'0002_product_weight')",
        "(u'shop', u'0002_product_weight'), (u'shop', u'0001_initial')",
    ),
}


@pytest.mark.parametrize("tool", sorted(TOOL_REWRITES))
def test_what_isort_and_pyupgrade_change_is_not_an_edit(repo: Path, tool: str) -> None:
    path = migrations_dir(repo) / "0003_product_color.py"
    path.write_text(OLD_STYLE)
    commit_all(repo, "old style")
    rewritten = TOOL_REWRITES[tool](OLD_STYLE)
    assert rewritten != OLD_STYLE
    path.write_text(rewritten)
    code, report = check(repo, since="HEAD")
    assert (code, report["findings"], report["summary"]["migrations_checked"]) == (0, [], 0)


def test_an_added_import_is_an_edit_where_it_is(repo: Path) -> None:
    path = migrations_dir(repo) / "0003_product_color.py"
    path.write_text(OLD_STYLE)
    commit_all(repo, "old style")
    path.write_text(OLD_STYLE.replace("import shop.fields\n", "import shop.fields\nimport shop.utils\n"))
    code, report = check(repo, since="HEAD")
    assert code == 1 and [(f["rule"], f["line"]) for f in report["findings"]] == [("ZDM610", 5)]


def test_rule_page_example_and_use_instead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = Page(PAGES / "edited-migration.md", (PAGES / "edited-migration.md").read_text(encoding="utf-8"))
    (merged_name, merged), (edited_name, edited) = page.migrations("Example")
    assert merged_name == edited_name
    for label, changes in [("bad", [(edited_name, edited)]), ("good", page.migrations("Use instead"))]:
        project = write_project(tmp_path / label, [(merged_name, merged)])
        git(project, "init", "-q", "-b", "main")
        commit_all(project, "merged")
        for name, source in changes:
            (migrations_dir(project) / name).write_text(source)
        monkeypatch.chdir(project)
        code, report = check(project)
        if label == "bad":
            assert ("ZDM610", "0002_add_product_weight") in rules(report)
        else:
            assert (code, report["findings"]) == (0, []), report


# --- deleted migrations -----------------------------------------------------------


@pytest.mark.parametrize("committed", [False, True])
def test_deleted_migration_is_an_error_on_the_package(repo: Path, committed: bool) -> None:
    (migrations_dir(repo) / "0002_product_weight.py").unlink()
    if committed:
        commit_all(repo, "delete")
    code, report = check(repo)
    assert code == 1
    (finding,) = report["findings"]
    assert (finding["rule"], finding["name"]) == ("ZDM611", "deleted-migration")
    assert (finding["path"], finding["line"], finding["migration"]) == ("shop/migrations/__init__.py", 1, "0002_product_weight")
    assert "shop/migrations/0002_product_weight.py" in finding["message"]


def test_renamed_migration_is_deleted_and_added(repo: Path) -> None:
    git(repo, "mv", "shop/migrations/0002_product_weight.py", "shop/migrations/0002_weight.py")
    code, report = check(repo)
    assert code == 1
    assert rules(report) == [("ZDM611", "0002_product_weight")]
    assert report["summary"]["migrations_checked"] == 1


SQUASH = '''from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("shop", "0002_product_weight"), ("shop", "0003_product_color")]

    dependencies = [("shop", "0001_initial")]

    operations = [
        migrations.AddField(model_name="product", name="weight", field=models.IntegerField(null=True)),
        migrations.AddField(model_name="product", name="color", field=models.CharField(max_length=20, null=True)),
    ]
'''
AFTER_SQUASH = migration("0003_product_color", 'migrations.AddField(model_name="product", name="rank", field=models.IntegerField(null=True))')


@pytest.fixture
def squashed(repo: Path) -> Path:
    """main: 0002, 0003, their squash (with `replaces`) and 0004 depending on 0003; branch `feature`."""
    git(repo, "checkout", "-q", "main")
    directory = migrations_dir(repo)
    (directory / "0003_product_color.py").write_text(COLOR)
    (directory / "0002_squashed_0003_product_color.py").write_text(SQUASH)
    (directory / "0004_product_rank.py").write_text(AFTER_SQUASH)
    commit_all(repo, "squash")
    git(repo, "checkout", "-q", "-B", "feature")
    return repo


def test_squash_procedure_is_neither_an_edit_nor_a_deletion(squashed: Path) -> None:
    """Django's last squash step: delete the replaced files, drop `replaces`, point dependencies at the squash."""
    directory = migrations_dir(squashed)
    (directory / "0002_product_weight.py").unlink()
    (directory / "0003_product_color.py").unlink()
    squash = directory / "0002_squashed_0003_product_color.py"
    squash.write_text(SQUASH.replace('    replaces = [("shop", "0002_product_weight"), ("shop", "0003_product_color")]\n\n', ""))
    after = directory / "0004_product_rank.py"
    after.write_text(AFTER_SQUASH.replace('"0003_product_color"', '"0002_squashed_0003_product_color"'))
    code, report = check(squashed)
    assert code == 0, report
    assert report["findings"] == [] and report["summary"]["migrations_checked"] == 0


def test_dependency_change_that_is_not_a_squash_swap_is_an_edit(squashed: Path) -> None:
    after = migrations_dir(squashed) / "0004_product_rank.py"
    after.write_text(AFTER_SQUASH.replace('"0003_product_color"', '"0002_product_weight"'))
    code, report = check(squashed)
    assert code == 1 and rules(report) == [("ZDM610", "0004_product_rank")]
    assert report["findings"][0]["line"] == 5


def test_deleting_a_migration_a_squash_does_not_replace(squashed: Path) -> None:
    (migrations_dir(squashed) / "0004_product_rank.py").unlink()
    (migrations_dir(squashed) / "0003_product_color.py").unlink()
    code, report = check(squashed)
    assert code == 1
    assert rules(report) == [("ZDM611", "0004_product_rank")]


# --- failures -------------------------------------------------------------------------


def test_shallow_clone_without_rev_says_how_to_fetch_it(repo: Path, tmp_path: Path) -> None:
    git(repo, "checkout", "-q", "main")
    first = git(repo, "rev-parse", "HEAD")
    (migrations_dir(repo) / "0003_product_size.py").write_text(UNSAFE)
    commit_all(repo, "unsafe")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "main", repo.as_uri(), str(clone))
    result = run_cli("check", "--since", first, ".", cwd=clone)
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "shallow clone" in result.stderr
    assert "git fetch --unshallow origin" in result.stderr and "fetch-depth: 0" in result.stderr
    git(clone, "fetch", "-q", "--unshallow", "origin")  # the hint works
    result = run_cli("check", "--since", first, "--no-color", ".", cwd=clone)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "ZDM101" in result.stdout and "0003_product_size" in result.stdout


def test_shallow_clone_without_common_history(repo: Path, tmp_path: Path) -> None:
    """REV fetched, but not the history joining it to HEAD: the merge base can't be found."""
    (migrations_dir(repo) / "0003_product_size.py").write_text(UNSAFE)
    commit_all(repo, "feature work")
    git(repo, "checkout", "-q", "main")
    (migrations_dir(repo) / "0003_product_color.py").write_text(COLOR)
    commit_all(repo, "main moves on")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "--no-single-branch", repo.as_uri(), str(clone))
    git(clone, "checkout", "-q", "feature")
    result = run_cli("check", "--since", "origin/main", ".", cwd=clone)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "no common history with HEAD" in result.stderr and "fetch-depth: 0" in result.stderr


def test_outside_a_git_repository_is_a_usage_error(tmp_path: Path) -> None:
    project = write_project(tmp_path, [("0002_product_weight.py", WEIGHT)])
    result = run_cli("check", "--since", "main", str(project), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "safemigrate: error: --since needs a git repository, and project is not inside one"
    ]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give the repository away")
def test_git_failure_is_quoted_not_mistaken_for_a_bad_revision(repo: Path) -> None:
    """git refuses a repository someone else owns ("dubious ownership"): say so, with git's fix."""
    subprocess.run(["chown", "-R", "nobody", str(repo)], check=True)
    result = subprocess.run(
        [sys.executable, "-m", "safemigrate", "check", "--since", "main", "."], capture_output=True, text=True,
        cwd=repo, timeout=120,
        env={**GIT_ENV, "GIT_CONFIG_GLOBAL": os.devnull, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    assert result.returncode == 2, result.stdout + result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "dubious ownership" in line and "safe.directory" in line, line


@pytest.mark.parametrize("rev", ["no-such-branch", "main~5", "-p"])
def test_bad_revision_is_one_line_exit_2(repo: Path, rev: str) -> None:
    result = run_cli("check", f"--since={rev}", ".", cwd=repo)
    assert result.returncode == 2, result.stdout + result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"safemigrate: error: --since {rev}") or "is not a revision" in line, line


def test_default_path_never_imports_git(repo: Path) -> None:
    code = (
        "import sys; from safemigrate.cli import main; main(['check', '-o', '/dev/null', '.']); "
        "print('git' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=repo, timeout=120)
    assert result.stdout.strip() == "False", result.stderr


# --- revisions ----------------------------------------------------------------------


def test_fill_revisions_names_the_commit_that_added_each_migration(repo: Path) -> None:
    from safemigrate.config import Config
    from safemigrate.engine import Engine
    from safemigrate.vcs import GitRepository, fill_revisions

    base = git(repo, "rev-parse", "HEAD")
    directory = migrations_dir(repo)
    git(repo, "mv", "shop/migrations/0002_product_weight.py", "shop/migrations/0002_weight.py")
    (directory / "0003_product_color.py").write_text(COLOR.replace('"0002_product_weight"', '"0002_weight"'))
    second = commit_all(repo, "rename and add")
    (directory / "0004_product_size.py").write_text(UNSAFE.replace('"0002_product_weight"', '"0003_product_color"'))
    analysis = Engine(Config()).analyze([repo])
    fill_revisions(analysis, GitRepository.find(repo))
    revisions = {m.name: m.revision for m in analysis.project.migrations}
    assert revisions == {
        "0001_initial": base,
        "0002_weight": second,  # a rename adds the file under its new name
        "0003_product_color": second,
        "0004_product_size": None,  # not committed
    }
