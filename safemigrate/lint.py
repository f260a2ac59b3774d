"""Apply rules to the contexts the engine built; keep findings for reported migrations only."""

from __future__ import annotations

from collections.abc import Iterable

from safemigrate.engine import Analysis
from safemigrate.findings import Finding
from safemigrate.rules.base import Rule


def _overrides(rule: Rule, hook: str) -> bool:
    return getattr(type(rule), hook) is not getattr(Rule, hook)


def run_rules(analysis: Analysis, rules: Iterable[Rule]) -> list[Finding]:
    rules = list(rules)
    per_operation = [r for r in rules if _overrides(r, "check_operation")]
    per_migration = [r for r in rules if _overrides(r, "check_migration")]
    per_project = [r for r in rules if _overrides(r, "check_project")]
    by_type: dict[type, list[Rule]] = {}
    project = analysis.project
    findings: list[Finding] = []
    for migration in project.migrations:
        if not migration.reported:
            continue
        for ctx in migration.operations:
            kind = type(ctx.operation)
            applicable = by_type.get(kind)
            if applicable is None:
                applicable = by_type[kind] = [r for r in per_operation if r.applies_to(kind)]
            for rule in applicable:
                findings.extend(rule.check_operation(ctx))
        for rule in per_migration:
            findings.extend(rule.check_migration(migration))
    for rule in per_project:
        findings.extend(rule.check_project(project))
    unique = {(f.rule, f.path, f.line, f.column, f.message): f for f in findings}
    return sorted(unique.values(), key=Finding.sort_key)
