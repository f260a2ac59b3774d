"""Apply rules to the contexts the engine built; keep findings for reported migrations only."""

from __future__ import annotations

from collections.abc import Iterable

from safemigrate.engine import Analysis
from safemigrate.findings import Finding
from safemigrate.rules.base import Rule


def run_rules(analysis: Analysis, rules: Iterable[Rule]) -> list[Finding]:
    rules = list(rules)
    project = analysis.project
    findings: list[Finding] = []
    for migration in project.migrations:
        if not migration.reported:
            continue
        for ctx in migration.operations:
            for rule in rules:
                findings.extend(rule.check_operation(ctx))
        for rule in rules:
            findings.extend(rule.check_migration(migration))
    for rule in rules:
        findings.extend(rule.check_project(project))
    unique = {(f.rule, f.path, f.line, f.column, f.message): f for f in findings}
    return sorted(unique.values(), key=Finding.sort_key)
