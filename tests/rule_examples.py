"""Helpers to run the engine over a temporary project: rule page examples and test migrations."""

from __future__ import annotations

import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from safemigrate.config import Config
from safemigrate.engine import Engine
from safemigrate.findings import Finding
from safemigrate.lint import lint_project
from safemigrate.rules import REGISTRY

FIXTURES = Path(__file__).parent / "fixtures"
BASE_PROJECT = FIXTURES / "rule_examples"
REPO = Path(__file__).resolve().parent.parent
PAGES = REPO / "rules"

_BLOCK = re.compile(r"```python\n(.*?)```", re.S)
_FILENAME = re.compile(r"^#\s*(\d{4}_\w+\.py)\s*$", re.M)
_CHECKED_WITH = re.compile(r"checked with `([^`]+)`")


@dataclass
class Page:
    path: Path
    text: str

    def section(self, title: str) -> str:
        match = re.search(rf"^## {re.escape(title)}\s*\n(.*?)(?=^## |\Z)", self.text, re.S | re.M)
        return match.group(1) if match else ""

    def config(self) -> Config:
        """The configuration a page's examples are checked with: the page's "checked with `key = value, ...`"
        line (rules about one database), else the defaults (PostgreSQL)."""
        match = _CHECKED_WITH.search(self.text)
        if match is None:
            return Config()
        values = tomllib.loads("\n".join(part.strip() for part in match.group(1).split(",")))
        return Config(**values)

    def migrations(self, title: str) -> list[tuple[str, str]]:
        """The (file name, source) of every python block in a section, in order."""
        out = []
        for block in _BLOCK.findall(self.section(title)):
            name = _FILENAME.search(block)
            if name is None:
                raise AssertionError(f"{self.path.name}: a python block in {title!r} lacks a '# NNNN_name.py' line")
            out.append((name.group(1), block))
        return out


def write_project(tmp_path: Path, migrations: list[tuple[str, str]], app: str = "shop") -> Path:
    """Copy the base project (shop 0001_initial) and add the given migration files."""
    project = tmp_path / "project"
    shutil.copytree(BASE_PROJECT, project)
    directory = project / app / "migrations"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "__init__.py").touch()
    for name, source in migrations:
        (directory / name).write_text(source, encoding="utf-8")
    return project


def lint(paths: list[Path], select: list[str] | None = None, config: Config | None = None) -> list[Finding]:
    config = config or Config()
    analysis = Engine(config).analyze(paths)
    rules = [r for rid, r in sorted(REGISTRY.items()) if not select or any(rid.startswith(s) for s in select)]
    return lint_project(analysis, rules).findings


def lint_migrations(
    tmp_path: Path,
    migrations: list[tuple[str, str]],
    select: list[str] | None = None,
    only_new: bool = True,
    config: Config | None = None,
) -> list[Finding]:
    """Lint the given migrations on top of the base project; by default report only on them."""
    project = write_project(tmp_path, migrations)
    if only_new:
        paths = [project / "shop" / "migrations" / name for name, _ in migrations]
    else:
        paths = [project]
    return lint(paths, select, config)
