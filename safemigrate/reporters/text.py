"""The human-readable format: one block per finding, then a summary line.

::

    shop/migrations/0002_x.py:12:9: ZDM101 [not-null-column-without-db-default] Adding NOT NULL column ...
      help: <help text>
      see: safemigrate explain ZDM101 (rules/not-null-column-without-db-default.md)

ANSI colour codes are written only when ``color`` is true.
"""

from __future__ import annotations

from safemigrate.findings import Finding, Report
from safemigrate.reporters._common import explain_hint, sorted_findings, summary_line

RED = "\033[31m"
YELLOW = "\033[33m"
GREEN = "\033[32m"
BOLD = "\033[1m"
DIM = "\033[2m"
RESET = "\033[0m"


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{RESET}" if color else text


def render_finding(report: Report, finding: Finding, color: bool) -> str:
    """The block for one finding, without a trailing newline."""
    location = _paint(f"{finding.path}:{finding.line}:{finding.column}:", BOLD, color)
    rule = _paint(finding.rule, RED if report.is_error(finding) else YELLOW, color)
    lines = [f"{location} {rule} [{finding.name}] {finding.message}"]
    lines.extend(f"  note: {note}" for note in finding.notes)
    lines.extend(f"  sql: {line}" for statement in finding.sql for line in statement.splitlines())
    if finding.help:
        lines.append(f"  help: {finding.help}")
    lines.append(_paint(f"  see: {explain_hint(finding)}", DIM, color))
    return "\n".join(lines)


def render(report: Report, color: bool) -> str:
    blocks = [render_finding(report, finding, color) for finding in sorted_findings(report)]
    tail = [f"note: {note}" for note in report.notes]
    summary = summary_line(report)
    if report.error_count:
        summary = _paint(summary, RED + BOLD, color)
    elif report.findings:
        summary = _paint(summary, YELLOW + BOLD, color)
    else:
        summary = _paint(summary, GREEN + BOLD, color)
    tail.append(summary)
    sections = [*blocks, "\n".join(tail)]
    return "\n\n".join(sections) + "\n"
