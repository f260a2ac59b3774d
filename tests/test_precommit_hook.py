"""The pre-commit hook, run for real with `pre-commit try-repo` in its own isolated environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.rule_examples import BASE_PROJECT, REPO

UNSAFE = '''from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
        migrations.AddField(model_name="product", name="weight", field=models.IntegerField(default=0)),
    ]
'''

SAFE = '''from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
        migrations.AddField(model_name="product", name="weight", field=models.IntegerField(null=True)),
    ]
'''


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def precommit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(project: Path, home: Path, *files: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTHONPATH", "VIRTUAL_ENV"))}
    env["PRE_COMMIT_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "safemigrate", "--verbose", "--files", *files],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def make_repo(tmp_path: Path, migration: str) -> Path:
    project = tmp_path / "project"
    shutil.copytree(BASE_PROJECT, project)
    (project / "shop" / "migrations" / "0002_product_weight.py").write_text(migration, encoding="utf-8")
    git(project, "init", "-q")
    git(project, "add", "-A")
    return project


def test_hook_blocks_an_unsafe_migration_reporting_only_the_changed_file(
    tmp_path: Path, precommit_home: Path
) -> None:
    project = make_repo(tmp_path, UNSAFE)
    result = try_repo(project, precommit_home, "shop/migrations/0002_product_weight.py")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "ZDM101" in output
    assert "shop/migrations/0002_product_weight.py:8:9" in output
    # The state before came from 0001_initial on disk, but only the passed file is reported on.
    assert "0001_initial.py:" not in output


def test_hook_passes_a_safe_migration_without_django_settings(tmp_path: Path, precommit_home: Path) -> None:
    project = make_repo(tmp_path, SAFE)
    result = try_repo(project, precommit_home, "shop/migrations/0002_product_weight.py")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Passed" in output
