"""Build successive shop migrations (0002, 0003, ...) for the locking rules' tests."""

from __future__ import annotations

from pathlib import Path

from safemigrate.findings import Finding
from tests.rule_examples import lint_migrations

IMPORTS = """import django.db.models.deletion
from django.contrib.postgres.operations import (
    AddConstraintNotValid,
    AddIndexConcurrently,
    RemoveIndexConcurrently,
    ValidateConstraint,
)
from django.db import migrations, models
from django.db.models import Q

"""


def line_of(index: int, atomic: bool = True) -> int:
    """Line of the operation on line ``index`` (0-based) of a body given to `migration()`."""
    # imports, then "class", ["atomic = False",] "dependencies", a blank line and "operations = [".
    return IMPORTS.count("\n") + 5 + index + (0 if atomic else 1)


def migration(number: int, body: str, atomic: bool = True) -> tuple[str, str]:
    """Migration 000<number> holding ``body`` (operations, one per line, each ending with a comma)."""
    previous = "0001_initial" if number == 2 else f"{number - 1:04d}_step"
    lines = [IMPORTS + "class Migration(migrations.Migration):"]
    if not atomic:
        lines.append("    atomic = False")
    lines += [f'    dependencies = [("shop", "{previous}")]', "", "    operations = ["]
    lines += [f"        {line}" for line in body.strip().splitlines()]
    lines.append("    ]")
    return (f"{number:04d}_step.py", "\n".join(lines) + "\n")


def lint_steps(tmp_path: Path, *bodies: str, rule: str, non_atomic: tuple[int, ...] = ()) -> list[Finding]:
    """Lint migrations 0002, 0003, ... holding the given bodies; ``non_atomic`` lists `atomic = False` ones."""
    files = [migration(i + 2, body, atomic=(i + 2) not in non_atomic) for i, body in enumerate(bodies)]
    return lint_migrations(tmp_path, files, select=[rule])
