"""The machine-readable JSON format, version 1 (schema: ``docs/json-schema-v1.json``).

Within version 1 keys are only ever added, never renamed or removed, and consumers
should ignore keys they don't know. A breaking change bumps ``version``.
"""

from __future__ import annotations

import json
from typing import Any

from safemigrate import __version__
from safemigrate.findings import Finding, Report
from safemigrate.reporters._common import sorted_findings

SCHEMA_VERSION = 1


def finding_to_dict(report: Report, finding: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity.value,
        "blocking": report.is_error(finding),
        "category": finding.category.value,
        "phase": finding.phase.value,
        "message": finding.message,
        "help": finding.help,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "app": finding.app,
        "migration": finding.migration,
        "operation_index": finding.operation_index,
        "page": finding.page,
        "notes": list(finding.notes),
    }
    if finding.sql:  # accurate mode with --database only
        out["sql"] = list(finding.sql)
    return out


def report_to_dict(report: Report) -> dict[str, Any]:
    return {
        "version": SCHEMA_VERSION,
        "tool": {"name": "safemigrate", "version": __version__},
        "findings": [finding_to_dict(report, finding) for finding in sorted_findings(report)],
        "summary": {
            "errors": report.error_count,
            "warnings": report.warning_count,
            "migrations_checked": report.migrations_checked,
            "migrations_loaded": report.migrations_loaded,
            "notes": list(report.notes),
            "suppressed": report.suppressed,
            "baselined": report.baselined,
        },
    }


_encode = json.JSONEncoder().encode  # compact, with the C encoder (json.dumps(indent=...) is pure Python)


def render(report: Report, color: bool) -> str:
    """The report, one top-level key per line and one finding per line (easy to read and to grep).

    JSON never carries colour; ``color`` is accepted for a uniform reporter signature.
    """
    data = report_to_dict(report)
    lines = ["{"]
    last = len(data) - 1
    for position, (key, value) in enumerate(data.items()):
        comma = "," if position < last else ""
        if key == "findings" and value:
            lines.append(f"  {_encode(key)}: [")
            lines.append(",\n".join(f"    {_encode(finding)}" for finding in value))
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {_encode(key)}: {_encode(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"
