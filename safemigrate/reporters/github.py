"""GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per finding.

Escaping follows the Actions toolkit: in the message ``%``, CR and LF are percent-encoded;
in property values ``:`` and ``,`` are too. The text summary line follows the annotations.
"""

from __future__ import annotations

from safemigrate.findings import Finding, Report
from safemigrate.reporters._common import forward_slashes, sorted_findings, summary_line


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(report: Report, finding: Finding) -> str:
    command = "error" if report.is_error(finding) else "warning"
    properties = {
        "file": forward_slashes(finding.path),
        "line": str(max(1, finding.line)),
        "col": str(max(1, finding.column)),
        "title": f"{finding.rule} {finding.name}".strip(),
    }
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    message = finding.message
    for note in finding.notes:
        message += f" note: {note}"
    if finding.help:
        message += f" help: {finding.help}"
    return f"::{command} {props}::{escape_data(message)}"


def render(report: Report, color: bool) -> str:
    """Workflow commands must stay plain, so ``color`` is ignored."""
    lines = [annotation(report, finding) for finding in sorted_findings(report)]
    lines.extend(f"note: {note}" for note in report.notes)
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"
