"""The output layer: text, json, sarif and github reporters, on hand-built reports."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from safemigrate import __version__
from safemigrate.findings import Category, Finding, Phase, Report, Severity
from safemigrate.reporters import REPORTERS, render
from safemigrate.reporters.github import escape_data, escape_property

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "docs" / "json-schema-v1.json"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

OPTIONAL_FINDING_KEYS = {"sql"}
FINDING_KEYS = {
    "rule",
    "name",
    "severity",
    "blocking",
    "category",
    "phase",
    "message",
    "help",
    "path",
    "line",
    "column",
    "app",
    "migration",
    "operation_index",
    "page",
    "notes",
}
SUMMARY_KEYS = {"errors", "warnings", "migrations_checked", "migrations_loaded", "notes", "suppressed", "baselined"}


def make_finding(**overrides: Any) -> Finding:
    values: dict[str, Any] = {
        "rule": "ZDM101",
        "name": "not-null-column-without-db-default",
        "severity": Severity.ERROR,
        "category": Category.BACKWARD_INCOMPATIBLE,
        "phase": Phase.PRE_DEPLOY,
        "message": 'Adding NOT NULL column "sku" without a database default breaks running code.',
        "help": "Give the field a db_default, or add it as nullable and backfill.",
        "path": "shop/migrations/0002_x.py",
        "line": 12,
        "column": 9,
        "app": "shop",
        "migration": "0002_x",
        "operation_index": 0,
        "page": "rules/not-null-column-without-db-default.md",
    }
    values.update(overrides)
    return Finding(**values)


def sample_report(**overrides: Any) -> Report:
    findings = [
        make_finding(
            rule="ZDM201",
            name="index-without-concurrently",
            severity=Severity.WARNING,
            category=Category.LOCKING,
            message="Creating an index locks the table against writes.",
            help="Use AddIndexConcurrently in a non-atomic migration.",
            path="shop/migrations/0003_y.py",
            line=20,
            column=9,
            migration="0003_y",
            operation_index=1,
            page="rules/index-without-concurrently.md",
            notes=("The table is large in most projects.",),
        ),
        make_finding(),
        make_finding(line=30, operation_index=2, message='Adding NOT NULL column "qty" ...'),
        make_finding(
            rule="ZDM301",
            name="mixed-phases",
            severity=Severity.ERROR,
            category=Category.PHASING,
            phase=Phase.MIXED,
            message="This migration both adds and removes columns.",
            line=1,
            column=1,
            operation_index=None,
            page="rules/mixed-phases.md",
        ),
    ]
    values: dict[str, Any] = {
        "findings": findings,
        "migrations_checked": 14,
        "migrations_loaded": 31,
        "notes": ["2 migrations of external apps were loaded but not checked"],
    }
    values.update(overrides)
    return Report(**values)


# --- registry ---------------------------------------------------------------


def test_registry_has_every_format() -> None:
    assert set(REPORTERS) == {"text", "json", "sarif", "github"}
    report = sample_report()
    for fmt in REPORTERS:
        out = render(fmt, report, False)
        assert out.endswith("\n")
        assert out == REPORTERS[fmt](report, False)


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        render("xml", sample_report(), False)


def test_only_text_uses_color() -> None:
    report = sample_report()
    for fmt in ("json", "sarif", "github"):
        assert not ANSI.search(render(fmt, report, True))
        assert "\x1b" not in render(fmt, report, True)


# --- text -------------------------------------------------------------------


def test_text_shape() -> None:
    out = render("text", sample_report(), False)
    blocks = out.rstrip("\n").split("\n\n")
    assert len(blocks) == 5  # four findings, then notes + summary
    assert blocks[0].splitlines() == [
        "shop/migrations/0002_x.py:1:1: ZDM301 [mixed-phases] This migration both adds and removes columns.",
        "  help: Give the field a db_default, or add it as nullable and backfill.",
        "  see: safemigrate explain ZDM301 (rules/mixed-phases.md)",
    ]
    first_line = blocks[1].splitlines()[0]
    assert first_line == (
        "shop/migrations/0002_x.py:12:9: ZDM101 [not-null-column-without-db-default] "
        'Adding NOT NULL column "sku" without a database default breaks running code.'
    )
    assert blocks[3].splitlines() == [
        (
            "shop/migrations/0003_y.py:20:9: ZDM201 [index-without-concurrently] "
            "Creating an index locks the table against writes."
        ),
        "  note: The table is large in most projects.",
        "  help: Use AddIndexConcurrently in a non-atomic migration.",
        "  see: safemigrate explain ZDM201 (rules/index-without-concurrently.md)",
    ]
    assert blocks[4].splitlines() == [
        "note: 2 migrations of external apps were loaded but not checked",
        "Found 3 errors and 1 warning in 2 of 14 migrations.",
    ]


def test_text_no_color_has_no_escape_codes() -> None:
    assert "\x1b" not in render("text", sample_report(), False)


def test_text_color_marks_severity() -> None:
    out = render("text", sample_report(), True)
    assert "\x1b[31mZDM101\x1b[0m" in out  # error: red
    assert "\x1b[33mZDM201\x1b[0m" in out  # warning: yellow
    assert ANSI.sub("", out) == render("text", sample_report(), False)


def test_text_warnings_as_errors() -> None:
    report = sample_report(warnings_as_errors=True)
    out = render("text", report, True)
    assert "\x1b[31mZDM201\x1b[0m" in out
    assert "Found 4 errors in 2 of 14 migrations." in render("text", report, False)


@pytest.mark.parametrize(
    ("findings", "checked", "summary"),
    [
        ([], 14, "All checks passed: 14 migrations checked."),
        ([], 1, "All checks passed: 1 migration checked."),
        ([make_finding()], 1, "Found 1 error in 1 of 1 migration."),
        ([make_finding(severity=Severity.WARNING)], 3, "Found 1 warning in 1 of 3 migrations."),
        ([make_finding(severity=Severity.WARNING)] * 2, 3, "Found 2 warnings in 1 of 3 migrations."),
    ],
)
def test_text_summary(findings: list[Finding], checked: int, summary: str) -> None:
    report = Report(findings=findings, migrations_checked=checked, migrations_loaded=checked)
    assert render("text", report, False).splitlines()[-1] == summary


def test_text_clean_run_is_just_the_summary() -> None:
    report = Report(findings=[], migrations_checked=14, migrations_loaded=20)
    assert render("text", report, False) == "All checks passed: 14 migrations checked.\n"


def test_text_without_page() -> None:
    report = Report(findings=[make_finding(page="")], migrations_checked=1, migrations_loaded=1)
    assert "  see: safemigrate explain ZDM101\n" in render("text", report, False)


# --- json -------------------------------------------------------------------


def load_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def test_json_structure() -> None:
    data = json.loads(render("json", sample_report(warnings_as_errors=False), False))
    assert set(data) == {"version", "tool", "findings", "summary"}
    assert data["version"] == 1
    assert data["tool"] == {"name": "safemigrate", "version": __version__}
    assert set(data["summary"]) == SUMMARY_KEYS
    assert data["summary"] == {
        "errors": 3,
        "warnings": 1,
        "migrations_checked": 14,
        "migrations_loaded": 31,
        "notes": ["2 migrations of external apps were loaded but not checked"],
        "suppressed": 0,
        "baselined": 0,
    }
    for item in data["findings"]:
        assert set(item) == FINDING_KEYS
    keys = [(f["path"], f["line"], f["column"], f["rule"]) for f in data["findings"]]
    assert keys == sorted(keys)
    by_rule = {f["rule"]: f for f in data["findings"]}
    assert by_rule["ZDM301"]["operation_index"] is None
    assert by_rule["ZDM201"]["notes"] == ["The table is large in most projects."]
    assert by_rule["ZDM201"]["severity"] == "warning"
    assert by_rule["ZDM201"]["blocking"] is False
    assert by_rule["ZDM201"]["category"] == "locking"
    assert by_rule["ZDM301"]["phase"] == "mixed"


def test_json_warnings_as_errors_keeps_severity() -> None:
    data = json.loads(render("json", sample_report(warnings_as_errors=True), False))
    warning = next(f for f in data["findings"] if f["rule"] == "ZDM201")
    assert warning["severity"] == "warning"
    assert warning["blocking"] is True
    assert data["summary"]["errors"] == 4
    assert data["summary"]["warnings"] == 0


def test_json_schema_matches_vocabularies() -> None:
    schema = load_schema()
    finding = schema["$defs"]["finding"]
    # Optional keys appear only where they apply (sql: accurate mode with --database).
    assert set(finding["required"]) == FINDING_KEYS == set(finding["properties"]) - OPTIONAL_FINDING_KEYS
    assert set(schema["properties"]["summary"]["required"]) == SUMMARY_KEYS
    assert finding["properties"]["severity"]["enum"] == [s.value for s in Severity]
    assert finding["properties"]["category"]["enum"] == [c.value for c in Category]
    assert finding["properties"]["phase"]["enum"] == [p.value for p in Phase]


@pytest.mark.parametrize("warnings_as_errors", [False, True])
def test_json_validates_against_schema(warnings_as_errors: bool) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for report in (sample_report(warnings_as_errors=warnings_as_errors), Report([], 0, 0)):
        jsonschema.validate(json.loads(render("json", report, False)), schema)


def test_json_schema_rejects_extra_keys() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    data = json.loads(render("json", sample_report(), False))
    data["findings"][0]["extra"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, load_schema())


def test_json_hand_check_of_types() -> None:
    """Holds without jsonschema: the types the schema promises."""
    data = json.loads(render("json", sample_report(), False))
    expected: dict[str, type | tuple[type, ...]] = {
        "rule": str,
        "name": str,
        "severity": str,
        "blocking": bool,
        "category": str,
        "phase": str,
        "message": str,
        "help": str,
        "path": str,
        "line": int,
        "column": int,
        "app": str,
        "migration": str,
        "operation_index": (int, type(None)),
        "page": str,
        "notes": list,
    }
    for item in data["findings"]:
        for key, kind in expected.items():
            assert isinstance(item[key], kind), key
        assert all(isinstance(note, str) for note in item["notes"])
    for key in ("errors", "warnings", "migrations_checked", "migrations_loaded"):
        assert isinstance(data["summary"][key], int)


# --- sarif ------------------------------------------------------------------


def sarif_of(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render("sarif", report, False))
    return data


def test_sarif_structure() -> None:
    data = sarif_of(sample_report())
    assert data["version"] == "2.1.0"
    assert data["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert len(data["runs"]) == 1
    run = data["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "safemigrate"
    assert driver["version"] == __version__
    assert "%SRCROOT%" in run["originalUriBaseIds"]
    rules = driver["rules"]
    assert [r["id"] for r in rules] == ["ZDM101", "ZDM201", "ZDM301"]
    for rule in rules:
        assert rule["shortDescription"]["text"]
        assert rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in {"error", "warning"}
        assert rule["properties"]["tags"]
        assert "helpUri" not in rule or rule["helpUri"].startswith(("http://", "https://"))
    assert {r["id"]: r["defaultConfiguration"]["level"] for r in rules}["ZDM201"] == "warning"
    assert {r["id"]: r["properties"]["tags"] for r in rules}["ZDM201"] == ["locking"]

    results = run["results"]
    assert len(results) == 4
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in {"none", "note", "warning", "error"}
        assert result["message"]["text"]
        physical = result["locations"][0]["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert "\\" not in uri
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert physical["region"]["startLine"] >= 1
        assert physical["region"]["startColumn"] >= 1
        assert result["partialFingerprints"]
    assert run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"].startswith("2 migrations")


def test_sarif_message_and_levels() -> None:
    results = sarif_of(sample_report())["runs"][0]["results"]
    warning = next(r for r in results if r["ruleId"] == "ZDM201")
    assert warning["level"] == "warning"
    assert warning["message"]["text"] == (
        "Creating an index locks the table against writes.\n"
        "note: The table is large in most projects.\n"
        "help: Use AddIndexConcurrently in a non-atomic migration."
    )
    results = sarif_of(sample_report(warnings_as_errors=True))["runs"][0]["results"]
    assert {r["level"] for r in results} == {"error"}


def test_sarif_paths_and_positions() -> None:
    findings = [
        make_finding(path="shop\\migrations\\0002_x.py"),
        make_finding(path="./my app/migrations/0003_y.py", migration="0003_y", line=0, column=0),
    ]
    results = sarif_of(Report(findings, 2, 2))["runs"][0]["results"]
    locations = [r["locations"][0]["physicalLocation"] for r in results]
    uris = sorted(loc["artifactLocation"]["uri"] for loc in locations)
    assert uris == ["my%20app/migrations/0003_y.py", "shop/migrations/0002_x.py"]
    for loc in locations:
        assert loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1


def test_sarif_fingerprints_are_stable_and_distinct() -> None:
    def prints(report: Report) -> list[str]:
        return [r["partialFingerprints"]["safemigrateFinding/v1"] for r in sarif_of(report)["runs"][0]["results"]]

    report = sample_report()
    first = prints(report)
    assert len(set(first)) == len(first)
    assert first == prints(sample_report())
    # Moving a finding to another line keeps its fingerprint.
    moved = Report([make_finding(line=99)], 1, 1)
    assert prints(moved) == prints(Report([make_finding()], 1, 1))
    # Two migration-level findings of one rule in one migration still differ.
    twins = Report([make_finding(operation_index=None), make_finding(operation_index=None, line=5)], 1, 1)
    assert len(set(prints(twins))) == 2


def test_sarif_empty_report() -> None:
    run = sarif_of(Report([], 3, 3))["runs"][0]
    assert run["results"] == []
    assert run["tool"]["driver"]["rules"] == []
    assert "invocations" not in run


def test_sarif_uses_registered_rule_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    from safemigrate.rules import base

    class FakeRule:
        summary = "Adding a NOT NULL column without a database default."

    fake: Any = FakeRule()
    monkeypatch.setitem(base.REGISTRY, "ZDM101", fake)
    rule = sarif_of(Report([make_finding()], 1, 1))["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["fullDescription"]["text"] == FakeRule.summary
    assert rule["help"]["text"].startswith(FakeRule.summary)


# --- github -----------------------------------------------------------------


def test_github_escaping_helpers() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a,b:c%d\n") == "a%2Cb%3Ac%25d%0A"


def test_github_annotation_lines() -> None:
    out = render("github", sample_report(), False)
    lines = out.splitlines()
    assert lines[1] == (
        "::error file=shop/migrations/0002_x.py,line=12,col=9,title=ZDM101 not-null-column-without-db-default"
        '::Adding NOT NULL column "sku" without a database default breaks running code.'
        " help: Give the field a db_default, or add it as nullable and backfill."
    )
    assert lines[3].startswith("::warning file=shop/migrations/0003_y.py,line=20,col=9,title=ZDM201 ")
    assert lines[-2] == "note: 2 migrations of external apps were loaded but not checked"
    assert lines[-1] == "Found 3 errors and 1 warning in 2 of 14 migrations."


def test_github_escapes_message_and_properties() -> None:
    finding = make_finding(
        message="Rewrites 100% of rows\nin a lock",
        help="Split it:\r\nfirst, second",
        path="we,ird:dir\\migrations/0002_x.py",
        name="odd,name:here",
    )
    out = render("github", Report([finding], 1, 1), False)
    command = out.splitlines()[0]
    assert command == (
        "::error file=we%2Cird%3Adir/migrations/0002_x.py,line=12,col=9,title=ZDM101 odd%2Cname%3Ahere"
        "::Rewrites 100%25 of rows%0Ain a lock help: Split it:%0D%0Afirst, second"
    )
    # The only "::" separators are the command's own, so the runner can parse it.
    assert command.count("::") == 2
    assert len(out.splitlines()) == 2


def test_github_warnings_as_errors() -> None:
    out = render("github", sample_report(warnings_as_errors=True), False)
    assert not any(line.startswith("::warning") for line in out.splitlines())


def test_json_puts_one_finding_per_line() -> None:
    """Grep-friendly: each finding is a whole JSON object on a line of its own."""
    report = sample_report()
    text = render("json", report, False)
    lines = [line.strip().rstrip(",") for line in text.splitlines() if line.strip().startswith('{"rule"')]
    assert len(lines) == len(report.findings) > 1
    assert [json.loads(line) for line in lines] == json.loads(text)["findings"]
    assert json.loads(render("json", Report([], 0, 0), False))["findings"] == []
