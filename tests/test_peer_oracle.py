"""django-migration-linter as an oracle, on the sample project against a real PostgreSQL database.

Every migration django-migration-linter reports as an error must be an error for safemigrate too, unless the
disagreement is listed in ALLOWED with the rule page that explains why the linter is wrong there. The opposite
direction (safemigrate flags, the linter doesn't) is not a failure: docs/peer-comparison.md lists it, and a
disagreement missing from that page only warns.

django-migration-linter needs Django settings, its app in INSTALLED_APPS and a database (it runs `sqlmigrate`), so
it runs in a subprocess with a settings module that extends the sample project's, against a scratch PostgreSQL
database. It has no machine-readable output: its text output is parsed, and the parse is checked against the
summary it prints.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.dbservers import postgres_url

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE = REPO_ROOT / "sample_project"
RULE_PAGES = REPO_ROOT / "rules"
PEER_DOC = REPO_ROOT / "docs" / "peer-comparison.md"
APPS = ("shop", "unsafe_examples")
LINTER_SECTION = "Compared with django-migration-linter"

Key = tuple[str, str]  # (app label, migration name)

# Migrations django-migration-linter reports as errors where it is wrong, each with the rule page whose
# "Compared with django-migration-linter" section explains why (with the measured fact).
ALLOWED: dict[Key, str] = {
    # SET NOT NULL after a validated CHECK (col IS NOT NULL): PostgreSQL 12+ skips the scan.
    ("shop", "0006_alter_product_sku_not_null"): "set-not-null-scans-table",
    # DROP COLUMN of a column a state-only RemoveField took out of the models a release before.
    ("shop", "0013_drop_customer_legacy_code_column"): "drop-column",
    # varchar(200) -> varchar(255): catalog only on PostgreSQL, no rewrite, indexes kept.
    ("shop", "0017_alter_product_title_max_length"): "column-type-change-rewrites-table",
    # varchar -> text without an index: catalog only on PostgreSQL.
    ("shop", "0018_alter_customer_first_name_text"): "column-type-change-rewrites-table",
}

# Migrations where the linter is right and safemigrate misses the problem: (app, migration) -> what's missing.
# Each is an xfail(strict=True) case, so fixing safemigrate makes the test fail until the entry is removed.
KNOWN_MISSES: dict[Key, str] = {}

SETTINGS = """\
from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "django_migration_linter"]  # noqa: F405
"""

# The linter's messages for its data migration checks (its SQL checks are read from the installed package).
_DATA_MIGRATION_MESSAGES = (
    (re.compile(r"'[^']*': RunPython data migration is not reversible"), "RUNPYTHON_REVERSIBLE"),
    (re.compile(r"'[^']*': By convention, RunPython names the two arguments.*"), "RUNPYTHON_ARGS_NAMING_CONVENTION"),
    (re.compile(r"'[^']*': Could not find an 'apps\.get_model\(.*"), "RUNPYTHON_MODEL_IMPORT"),
    (re.compile(r"'[^']*': Model variable name \S+ is different.*"), "RUNPYTHON_MODEL_VARIABLE_NAME"),
    (re.compile(r"RunSQL data migration is not reversible"), "RUNSQL_REVERSIBLE"),
)
_HEADER = re.compile(r"^\((?P<app>\w+), (?P<name>\w+)\)\.\.\. (?P<status>OK|ERR|WARNING|IGNORE)\b.*$")
_SUMMARY = re.compile(r"^(?P<what>Valid|Erroneous|Ignored) migrations: (?P<count>\d+)/(?P<total>\d+)$", re.M)


@dataclass
class LinterVerdict:
    status: str  # OK, ERR, WARNING or IGNORE
    issues: list[str] = field(default_factory=list)  # the messages, as printed
    codes: list[str] = field(default_factory=list)  # the check codes they map to ("?" when unknown)


@dataclass
class LinterReport:
    verdicts: dict[Key, LinterVerdict]
    summary: dict[str, tuple[int, int]]
    output: str

    def errors(self) -> set[Key]:
        return {key for key, verdict in self.verdicts.items() if verdict.status == "ERR"}


def sample_migrations() -> list[Key]:
    return sorted(
        (app, path.stem)
        for app in APPS
        for path in (SAMPLE / app / "migrations").glob("[0-9]*.py")
    )


def linter_codes() -> list[tuple[re.Pattern[str], str]]:
    """The linter's message -> check code table, from the installed package, plus its data migration checks."""
    from django_migration_linter.sql_analyser import PostgresqlAnalyser

    checks = [
        (re.compile(re.escape(check.message) + r"( \(table: .*\))?"), check.code)
        for check in PostgresqlAnalyser(None).migration_checks
    ]
    return checks + list(_DATA_MIGRATION_MESSAGES)


def parse_linter_output(output: str) -> LinterReport:
    codes = linter_codes()
    verdicts: dict[Key, LinterVerdict] = {}
    current: LinterVerdict | None = None
    for line in output.splitlines():
        header = _HEADER.match(line)
        if header:
            current = verdicts[(header["app"], header["name"])] = LinterVerdict(header["status"])
        elif line.startswith("\t") and current is not None:
            message = line.strip()
            current.issues.append(message)
            current.codes.append(next((code for pattern, code in codes if pattern.fullmatch(message)), "?"))
        elif line.startswith("***"):
            current = None
    summary = {m["what"]: (int(m["count"]), int(m["total"])) for m in _SUMMARY.finditer(output)}
    return LinterReport(verdicts, summary, output)


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    psycopg = pytest.importorskip("psycopg")
    from psycopg import sql

    name = f"safemigrate_peer_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        parts = urlsplit(server_url)
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="module")
def linter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LinterReport]:
    pytest.importorskip(
        "django_migration_linter",
        reason="django-migration-linter is not installed (pip install django-migration-linter, or the test extra)",
    )
    server_url = postgres_url()
    workdir = tmp_path_factory.mktemp("peer_linter")  # its cwd: it reads setup.cfg, tox.ini, pyproject.toml there
    (workdir / "peer_oracle_settings.py").write_text(SETTINGS, encoding="utf-8")
    with scratch_database(server_url) as database_url:
        env = {key: value for key, value in os.environ.items() if key not in ("SQLITE_PATH", "PYTHONPATH")}
        env.update(
            DATABASE_URL=database_url,
            DJANGO_SETTINGS_MODULE="peer_oracle_settings",
            PYTHONPATH=os.pathsep.join([str(workdir), str(SAMPLE)]),
        )
        result = subprocess.run(
            [sys.executable, "-m", "django", "lintmigrations", "--include-apps", *APPS, "--no-cache"],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode in (0, 1) and "*** Summary ***" in result.stdout, (
            f"lintmigrations failed (exit {result.returncode})\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        )
        yield parse_linter_output(result.stdout)


@pytest.fixture(scope="module")
def safemigrate_errors() -> dict[Key, list[str]]:
    """safemigrate's error findings on the sample project, by (app, migration): the rule IDs and names."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-m", "safemigrate", "check", "sample_project/", "--format", "json", "--no-baseline"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode in (0, 1), f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    errors: dict[Key, list[str]] = {}
    for finding in json.loads(result.stdout)["findings"]:
        if finding["severity"] == "error":
            errors.setdefault((finding["app"], finding["migration"]), []).append(f"{finding['rule']} {finding['name']}")
    return errors


def section(text: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\s*\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    return match.group(1) if match else ""


def documented(title: str) -> set[Key]:
    """The (app, migration) rows of one table of docs/peer-comparison.md: rows start "| `app` | `migration` |"."""
    rows = re.finditer(r"^\| `(\w+)` \| `(\w+)` \|", section(PEER_DOC.read_text(encoding="utf-8"), title), re.M)
    return {(row[1], row[2]) for row in rows}


LINTER_ONLY = "The linter flags, safemigrate doesn't"
SAFEMIGRATE_ONLY = "safemigrate flags, the linter doesn't"


def test_linter_output_is_parsed_completely(linter: LinterReport) -> None:
    assert set(linter.verdicts) == set(sample_migrations()), linter.output
    total = len(linter.verdicts)
    assert linter.summary["Erroneous"] == (len(linter.errors()), total), linter.output
    assert linter.summary["Valid"][1] == total, linter.output
    unknown = {key: v.issues for key, v in linter.verdicts.items() if "?" in v.codes}
    assert unknown == {}, f"messages this test can't map to a django-migration-linter check: {unknown}"
    # The oracle sees what it should: the sample project's unsafe examples hold errors for it.
    assert len(linter.errors()) >= 10, linter.output


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(key, marks=pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[key])) if key in KNOWN_MISSES
        else key
        for key in sample_migrations()
    ],
    ids="/".join,
)
def test_linter_errors_are_safemigrate_errors(
    key: Key, linter: LinterReport, safemigrate_errors: dict[Key, list[str]]
) -> None:
    verdict = linter.verdicts.get(key)
    assert verdict is not None, f"django-migration-linter did not lint {key}:\n{linter.output}"
    if verdict.status != "ERR":
        assert key not in ALLOWED, f"{key}: django-migration-linter no longer reports it ({verdict.status}); drop it from ALLOWED"
        return
    if key in ALLOWED:
        assert key not in safemigrate_errors, (
            f"{key} is in ALLOWED, but safemigrate flags it now ({safemigrate_errors[key]}): drop it from ALLOWED"
        )
        explanation = section((RULE_PAGES / f"{ALLOWED[key]}.md").read_text(encoding="utf-8"), LINTER_SECTION)
        for code in verdict.codes:
            assert f"`{code}`" in explanation, f"rules/{ALLOWED[key]}.md doesn't name the linter's {code} check"
        return
    assert key in safemigrate_errors, (
        f"django-migration-linter reports {key} as an error ({'; '.join(verdict.issues)}) and safemigrate doesn't. "
        "If the linter is wrong there, add the migration to ALLOWED with the rule page that explains why."
    )


@pytest.mark.parametrize("key", sorted(ALLOWED), ids="/".join)
def test_allowed_disagreements_are_explained(key: Key) -> None:
    page = RULE_PAGES / f"{ALLOWED[key]}.md"
    explanation = section(page.read_text(encoding="utf-8"), LINTER_SECTION)
    assert "django-migration-linter" in explanation, f"{page.name} has no '## {LINTER_SECTION}' section"
    assert f"`{key[1]}`" in explanation, f"{page.name}'s '{LINTER_SECTION}' section doesn't name {key[1]}"
    assert "measured" in explanation, f"{page.name}'s '{LINTER_SECTION}' section gives no measured fact"
    assert key in documented(LINTER_ONLY), f"docs/peer-comparison.md doesn't list {key}"


def test_peer_comparison_lists_the_disagreements(
    linter: LinterReport, safemigrate_errors: dict[Key, list[str]]
) -> None:
    flagged = set(safemigrate_errors) & set(sample_migrations())
    linter_only = linter.errors() - flagged
    safemigrate_only = flagged - linter.errors()
    assert documented(LINTER_ONLY) == linter_only, "docs/peer-comparison.md: the linter-only table is out of date"
    listed = documented(SAFEMIGRATE_ONLY)
    # A documented disagreement that no longer holds is a wrong page.
    assert listed <= safemigrate_only, f"no longer safemigrate-only: {sorted(listed - safemigrate_only)}"
    # safemigrate being stricter is not a failure; an undocumented case is only reported.
    for key in sorted(safemigrate_only - listed):
        warnings.warn(
            f"safemigrate flags {key} ({', '.join(safemigrate_errors[key])}) and django-migration-linter doesn't "
            f"({linter.verdicts[key].status}: {'; '.join(linter.verdicts[key].issues) or 'no issue'}); "
            "add it to docs/peer-comparison.md",
            stacklevel=1,
        )
