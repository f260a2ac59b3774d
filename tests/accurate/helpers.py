"""Helpers for the accurate-mode tests: projects with settings, and running ``safemigrate`` on them.

Accurate mode needs the project's real settings, so it always runs in another process:
``run_many`` runs many command lines through ``runner.py`` (Django imported once, one fork
per command line), ``run_cli`` runs one real ``python -m safemigrate`` / ``manage.py``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
RUNNER = Path(__file__).resolve().parent / "runner.py"
SETTINGS_MODULE = "accurate_settings"
# A database that is never connected to: accurate mode only needs its vendor.
UNUSED_POSTGRES = {"ENGINE": "django.db.backends.postgresql", "NAME": "unused", "HOST": "127.0.0.1", "PORT": "1"}

_BLOCK = re.compile(r"```python\n(.*?)```", re.S)
_PATH_LINE = re.compile(r"^#\s*([\w/]+\.py)\s*$", re.M)


@dataclass
class Job:
    args: list[str]
    cwd: Path
    env: dict[str, str | None] = field(default_factory=dict)


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    def report(self) -> dict[str, Any]:
        assert self.returncode in (0, 1), f"exit {self.returncode}\nstdout:\n{self.stdout}\nstderr:\n{self.stderr}"
        data: dict[str, Any] = json.loads(self.stdout)
        return data

    def findings(self) -> list[dict[str, Any]]:
        return list(self.report()["findings"])


def clean_env(**extra: str | None) -> dict[str, str | None]:
    """No settings from the calling environment: each test says which it wants."""
    env: dict[str, str | None] = {"DJANGO_SETTINGS_MODULE": None, "DATABASE_URL": None, "SQLITE_PATH": None}
    env.update(extra)
    return env


def run_many(jobs: list[Job]) -> list[Run]:
    spec = [{"args": job.args, "cwd": str(job.cwd), "env": {**clean_env(), **job.env}} for job in jobs]
    result = subprocess.run(
        [sys.executable, str(RUNNER)], input=json.dumps(spec), capture_output=True, text=True, timeout=600,
        env=_process_env({}),
    )
    assert result.returncode == 0, f"runner failed:\n{result.stderr}"
    return [Run(**r) for r in json.loads(result.stdout)]


def run_cli(args: list[str], cwd: Path, env: dict[str, str | None] | None = None) -> Run:
    """One real command line (``python -m safemigrate ...`` or ``python manage.py ...``)."""
    result = subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=300,
        env=_process_env({**clean_env(), **(env or {})}),
    )
    return Run(result.returncode, result.stdout, result.stderr)


def _process_env(changes: dict[str, str | None]) -> dict[str, str]:
    env = dict(os.environ)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    return env


def write_settings(project: Path, installed_apps: list[str], extra: str = "", module: str = SETTINGS_MODULE) -> str:
    """A settings module at the project's root; a manage.py marks the root as accurate mode looks for it."""
    text = (
        f"INSTALLED_APPS = {installed_apps!r}\n"
        f"DATABASES = {{'default': {UNUSED_POSTGRES!r}}}\n"
        "SECRET_KEY = 'accurate-mode-tests'\n"
        "USE_TZ = True\n"
        "DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'\n"
    )
    (project / f"{module}.py").write_text(text + extra, encoding="utf-8")
    manage = project / "manage.py"
    if not manage.exists():
        manage.write_text("# marks the project root\n", encoding="utf-8")
    return module


def page_files(text: str, section: str) -> list[tuple[str, str]]:
    """The ``(relative path, source)`` of each python block of a rule page's section whose first
    line names its file (``# shop/models.py``)."""
    match = re.search(rf"^## {re.escape(section)}\s*\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    out = []
    for block in _BLOCK.findall(match.group(1) if match else ""):
        name = _PATH_LINE.match(block)
        assert name is not None, f"a python block in {section!r} doesn't start with '# path/to/file.py'"
        out.append((name.group(1), block))
    return out


def write_files(project: Path, files: list[tuple[str, str]]) -> None:
    """Write files, with the ``__init__.py`` of every package they are in."""
    for name, source in files:
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
        for parent in path.relative_to(project).parents:
            if str(parent) != ".":
                (project / parent / "__init__.py").touch()


def comparable(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings without their SQL evidence (static mode never has it)."""
    return [{k: v for k, v in f.items() if k != "sql"} for f in findings]
