"""Helpers shared by the reporters: ordering, counting and the one-line summary."""

from __future__ import annotations

from safemigrate.findings import Finding, Report


def sorted_findings(report: Report) -> list[Finding]:
    """The report's findings in a stable order (path, line, column, rule)."""
    return sorted(report.findings, key=lambda f: f.sort_key())


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


DELETED_MIGRATION = "deleted-migration"  # ZDM611's findings name a migration that is no longer on disk


def migrations_with_findings(report: Report) -> int:
    """How many distinct checked (app, migration) pairs have at least one finding (deleted ones aside)."""
    return len({(f.app, f.migration) for f in report.findings if f.name != DELETED_MIGRATION})


def deleted_migrations_with_findings(report: Report) -> int:
    """How many deleted migrations (``--since``: ZDM611) have findings: they are not among those checked."""
    return len({(f.app, f.migration) for f in report.findings if f.name == DELETED_MIGRATION})


def summary_line(report: Report) -> str:
    """``Found 3 errors and 1 warning in 2 of 14 migrations.`` or ``All checks passed: ...``."""
    checked = report.migrations_checked
    if not report.findings:
        return f"All checks passed: {plural(checked, 'migration')} checked{hidden_counts(report)}."
    errors, warnings = report.error_count, report.warning_count
    parts = []
    if errors:
        parts.append(plural(errors, "error"))
    if warnings:
        parts.append(plural(warnings, "warning"))
    counted = " and ".join(parts)
    noun = "migration" if checked == 1 else "migrations"
    where = f"{migrations_with_findings(report)} of {checked} {noun}"
    deleted = deleted_migrations_with_findings(report)
    if deleted:
        where += f" and {plural(deleted, 'deleted migration')}"
    return f"Found {counted} in {where}{hidden_counts(report)}."


def hidden_counts(report: Report) -> str:
    """`` (2 suppressed, 5 hidden by the baseline)``, or nothing when no finding was hidden."""
    parts = []
    if report.suppressed:
        parts.append(f"{report.suppressed} suppressed")
    if report.baselined:
        parts.append(f"{report.baselined} hidden by the baseline")
    return f" ({', '.join(parts)})" if parts else ""


def explain_hint(finding: Finding) -> str:
    """``safemigrate explain ZDM101 (rules/....md)``; the page part is left out when unknown."""
    hint = f"safemigrate explain {finding.rule}"
    return f"{hint} ({finding.page})" if finding.page else hint


def forward_slashes(path: str) -> str:
    """The path with ``/`` separators and no leading ``./``, as CI systems expect."""
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path
