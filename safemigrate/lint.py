"""Apply rules to the contexts the engine built; keep findings for reported migrations only."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from safemigrate.config import Config
from safemigrate.context import OperationContext
from safemigrate.engine import Analysis
from safemigrate.findings import Finding
from safemigrate.rules.base import Rule
from safemigrate.suppressions import LintResult, apply_suppressions
from safemigrate.target import Target

FindingIdentity = tuple[str, str, int, int, str]
Check = Callable[[OperationContext], Iterable[Finding]]  # a rule's check_operation, bound


def identity(finding: Finding) -> FindingIdentity:
    """What makes two findings the same finding (the same rule saying the same thing at the same place)."""
    return (finding.rule, finding.path, finding.line, finding.column, finding.message)


def _overrides(rule: Rule, hook: str) -> bool:
    return getattr(type(rule), hook) is not getattr(Rule, hook)


def lint_project(analysis: Analysis, rules: Iterable[Rule], config: Config | None = None) -> LintResult:
    """The findings to report, suppressions applied, and how many were suppressed."""
    rules = list(rules)
    per_operation = [r for r in rules if _overrides(r, "check_operation")]
    per_migration = [r for r in rules if _overrides(r, "check_migration")]
    per_project = [r for r in rules if _overrides(r, "check_project")]
    # Rules that don't apply to a migration's database (Rule.vendors) never see it. The checks that judge
    # each kind of operation are looked up once per operation class and database, as bound methods.
    by_type: dict[tuple[type, Target, bool], list[Check]] = {}

    def checks(kind: type, target: Target, rollback: bool) -> list[Check]:
        found = by_type.get((kind, target, rollback))
        if found is None:
            found = by_type[kind, target, rollback] = [
                r.check_operation
                for r in per_operation
                if r.applies_to(kind) and r.runs_on(target) and (not rollback or r.checks_rollback())
            ]
        return found

    by_target: dict[Target, frozenset[str]] = {}
    ran: dict[tuple[str, str], frozenset[str]] = {}  # the rules that judged each migration (for ZDM609)
    project = analysis.project
    findings: list[Finding] = []
    extend = findings.extend
    for migration in project.migrations:
        if not migration.reported:
            continue
        target = migration.target
        if target not in by_target:
            by_target[target] = frozenset(r.id for r in rules if r.runs_on(target))
        ran[migration.key] = by_target[target]
        for ctx in migration.operations:
            for check in checks(type(ctx.operation), target, False):
                extend(check(ctx))
        for ctx in migration.reverse_operations:  # RunSQL reverse_sql statements, as a rollback runs them
            for check in checks(type(ctx.operation), target, True):
                extend(check(ctx))
        for rule in per_migration:
            if rule.runs_on(target):
                extend(rule.check_migration(migration))
    for rule in per_project:
        if rule.runs_on(project.target):
            findings.extend(rule.check_project(project))
    unique = {identity(f): f for f in findings}
    ordered = sorted(unique.values(), key=Finding.sort_key)
    return apply_suppressions(analysis, ordered, [r.id for r in rules], config, ran)
