"""Apply rules to the contexts the engine built; keep findings for reported migrations only."""

from __future__ import annotations

from collections.abc import Iterable

from safemigrate.config import Config
from safemigrate.engine import Analysis
from safemigrate.findings import Finding
from safemigrate.rules.base import Rule
from safemigrate.suppressions import LintResult, apply_suppressions
from safemigrate.target import Target


def _overrides(rule: Rule, hook: str) -> bool:
    return getattr(type(rule), hook) is not getattr(Rule, hook)


def run_rules(analysis: Analysis, rules: Iterable[Rule], config: Config | None = None) -> list[Finding]:
    """The findings to report, suppressions applied (see lint_project for how many were suppressed)."""
    return lint_project(analysis, rules, config).findings


def lint_project(analysis: Analysis, rules: Iterable[Rule], config: Config | None = None) -> LintResult:
    rules = list(rules)
    per_operation = [r for r in rules if _overrides(r, "check_operation")]
    per_migration = [r for r in rules if _overrides(r, "check_migration")]
    per_project = [r for r in rules if _overrides(r, "check_project")]
    # Rules that don't apply to a migration's database (Rule.vendors) never see it.
    by_type: dict[tuple[type, Target], list[Rule]] = {}
    project = analysis.project
    findings: list[Finding] = []
    for migration in project.migrations:
        if not migration.reported:
            continue
        target = migration.target
        for ctx in migration.operations:
            kind = type(ctx.operation)
            applicable = by_type.get((kind, target))
            if applicable is None:
                applicable = by_type[kind, target] = [
                    r for r in per_operation if r.applies_to(kind) and r.runs_on(target)
                ]
            for rule in applicable:
                findings.extend(rule.check_operation(ctx))
        for ctx in migration.reverse_operations:  # RunSQL reverse_sql statements, as a rollback runs them
            for rule in by_type.get((type(ctx.operation), target)) or [
                r for r in per_operation if r.applies_to(type(ctx.operation)) and r.runs_on(target)
            ]:
                if rule.checks_rollback():
                    findings.extend(rule.check_operation(ctx))
        for rule in per_migration:
            if rule.runs_on(target):
                findings.extend(rule.check_migration(migration))
    for rule in per_project:
        if rule.runs_on(project.target):
            findings.extend(rule.check_project(project))
    unique = {(f.rule, f.path, f.line, f.column, f.message): f for f in findings}
    ordered = sorted(unique.values(), key=Finding.sort_key)
    return apply_suppressions(analysis, ordered, [r.id for r in rules], config)
