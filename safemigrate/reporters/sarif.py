"""SARIF 2.1.0 output, shaped for GitHub code scanning (``github/codeql-action/upload-sarif``).

* one run; ``tool.driver.rules`` holds one descriptor per rule id that has a finding,
  sorted by id, and every result's ``ruleIndex`` points into it;
* locations are forward-slash URIs relative to ``%SRCROOT%`` (the directory the
  paths in the report are relative to; code scanning wants them repository-relative);
* ``partialFingerprints`` carry a hash of rule, app, migration and operation index, so
  an alert survives lines moving around it.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import quote

from safemigrate import __version__
from safemigrate.findings import Finding, Report
from safemigrate.reporters._common import forward_slashes, sorted_findings

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "safemigrateFinding/v1"

# Absolute URIs for the project's home page and rendered rule pages. Code scanning only
# accepts absolute URIs here, so the properties are left out while these are unset.
INFORMATION_URI: str | None = None
DOCS_BASE_URI: str | None = None  # e.g. "https://example.org/docs/"; joined with Finding.page

_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:/")


def artifact_location(path: str) -> dict[str, str]:
    """A relative path becomes a ``%SRCROOT%``-based URI; an absolute one a ``file:`` URI."""
    path = forward_slashes(path)
    if path.startswith("/"):
        return {"uri": "file://" + quote(path, safe="/")}
    if _WINDOWS_DRIVE.match(path):
        return {"uri": "file:///" + quote(path, safe="/:")}
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def fingerprint(finding: Finding, occurrence: int) -> str:
    """Stable across runs and line shifts; ``occurrence`` separates same-key findings."""
    index = "" if finding.operation_index is None else str(finding.operation_index)
    key = "\0".join((finding.rule, finding.app, finding.migration, index, str(occurrence)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _rule_summary(rule_id: str) -> str | None:
    """The rule's one-line summary, when its class is registered in this process."""
    try:
        from safemigrate.rules.base import get_rule
    except ImportError:  # pragma: no cover - the rules need Django; reporting doesn't
        return None
    rule = get_rule(rule_id)
    summary = getattr(rule, "summary", None) if rule is not None else None
    return summary if isinstance(summary, str) and summary else None


def reporting_descriptor(finding: Finding) -> dict[str, Any]:
    """Rule metadata, taken from the registry when available and from the finding otherwise."""
    summary = _rule_summary(finding.rule)
    title = finding.name.replace("-", " ").capitalize() if finding.name else finding.rule
    help_text = f"Run `safemigrate explain {finding.rule}` for why this is unsafe and how to do it safely."
    if finding.page:
        help_text += f" Documentation: {finding.page}"
    descriptor: dict[str, Any] = {
        "id": finding.rule,
        "name": finding.name or finding.rule,
        "shortDescription": {"text": title},
    }
    if summary:
        descriptor["fullDescription"] = {"text": summary}
        help_text = f"{summary}\n\n{help_text}"
    if DOCS_BASE_URI and finding.page:
        descriptor["helpUri"] = DOCS_BASE_URI.rstrip("/") + "/" + finding.page.lstrip("/")
    descriptor["help"] = {"text": help_text}
    descriptor["defaultConfiguration"] = {"level": finding.severity.value}
    descriptor["properties"] = {"tags": [finding.category.value]}
    return descriptor


def result_message(finding: Finding) -> str:
    lines = [finding.message]
    lines.extend(f"note: {note}" for note in finding.notes)
    if finding.help:
        lines.append(f"help: {finding.help}")
    return "\n".join(lines)


def report_to_sarif(report: Report) -> dict[str, Any]:
    findings = sorted_findings(report)
    rule_ids = sorted({f.rule for f in findings})
    rule_index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    first_of_rule: dict[str, Finding] = {}
    for finding in findings:
        first_of_rule.setdefault(finding.rule, finding)

    seen: dict[tuple[str, str, str, int | None], int] = {}
    results: list[dict[str, Any]] = []
    for finding in findings:
        key = (finding.rule, finding.app, finding.migration, finding.operation_index)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        results.append(
            {
                "ruleId": finding.rule,
                "ruleIndex": rule_index[finding.rule],
                "level": "error" if report.is_error(finding) else "warning",
                "message": {"text": result_message(finding)},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": artifact_location(finding.path),
                            "region": {"startLine": max(1, finding.line), "startColumn": max(1, finding.column)},
                        }
                    }
                ],
                "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding, occurrence)},
                "properties": {
                    "app": finding.app,
                    "migration": finding.migration,
                    "operationIndex": finding.operation_index,
                    "category": finding.category.value,
                    "phase": finding.phase.value,
                    "severity": finding.severity.value,
                },
            }
        )

    driver: dict[str, Any] = {"name": "safemigrate", "version": __version__, "semanticVersion": __version__}
    if INFORMATION_URI:
        driver["informationUri"] = INFORMATION_URI
    driver["rules"] = [reporting_descriptor(first_of_rule[rule_id]) for rule_id in rule_ids]

    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": "The directory the reported paths are relative to."}},
        },
        "results": results,
    }
    if report.notes:
        run["invocations"] = [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [{"level": "note", "message": {"text": note}} for note in report.notes],
            }
        ]
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render(report: Report, color: bool) -> str:
    """SARIF never carries colour; ``color`` is accepted for a uniform reporter signature."""
    return json.dumps(report_to_sarif(report), indent=2) + "\n"
