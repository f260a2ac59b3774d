"""``check --django``: load with Django, replay once per database vendor, run the same rules."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from safemigrate.accurate.databases import Database, Routes, databases, type_connection
from safemigrate.accurate.loader import load_project
from safemigrate.accurate.missing import missing_migrations
from safemigrate.accurate.setup import project_dirs, setup_django
from safemigrate.accurate.sql import collect_sql
from safemigrate.accurate.sqlcheck import check_sql
from safemigrate.config import Config
from safemigrate.engine import Analysis, replay_project
from safemigrate.errors import UsageError
from safemigrate.findings import Finding
from safemigrate.lint import FindingIdentity, identity, lint_project
from safemigrate.rules.base import Rule
from safemigrate.schema import DB_TYPE_CONNECTION
from safemigrate.suppressions import UNUSED, LintResult, SuppressionUse, unused_suppressions
from safemigrate.target import Target

MISSING_MIGRATION = "ZDM612"


@dataclass
class AccurateResult:
    analysis: Analysis  # the replay (for the first database vendor), its notes including accurate mode's
    result: LintResult  # findings from every vendor's replay, merged; SQL evidence attached


def check_accurately(
    config: Config,
    paths: list[Path],
    rules: Iterable[Rule],
    settings: str | None = None,
    database: str | None = None,
) -> AccurateResult:
    """``paths`` as given (none: the project's own apps); ``database``: the alias to take SQL evidence from."""
    rules = list(rules)
    setup_django(settings, project_dirs(paths, config))
    from django.conf import settings as django_settings

    aliases = list(getattr(django_settings, "DATABASES", {}) or {})
    if database is not None and database not in aliases:
        known = ", ".join(repr(a) for a in aliases) or "none"
        raise UsageError(f"--database {database!r}: no such alias in the settings' DATABASES (aliases: {known})")

    project = load_project(paths, config)
    loaded = project.loaded
    notes = list(loaded.notes)
    dbs = databases(config, database, notes, rules)
    routes = Routes([d.alias for d in dbs], notes)
    for key in sorted(loaded.reported):
        routes.add(key, list(loaded.migrations[key].migration.operations))

    missing = []
    if any(rule.id == MISSING_MIGRATION for rule in rules):
        if not project.graph_ok or project.loader.detect_conflicts():
            notes.append("missing migrations were not checked: the migration graph has problems (reported above)")
        else:
            missing = missing_migrations(project.loader, loaded, project.reported_apps, notes)

    groups: dict[Target, list[Database]] = {}
    for db in dbs:
        groups.setdefault(db.target, []).append(db)
    found: dict[FindingIdentity, tuple[Finding, list[str]]] = {}
    first: Analysis | None = None
    suppressed: set[FindingIdentity] = set()  # distinct across the vendors' replays
    uses: list[SuppressionUse] = []  # a suppression is used if any database's run used it (ZDM609)
    for target, members in groups.items():
        analysis = replay_project(loaded, target)
        first = first or analysis
        analysis.project.missing_migrations = missing
        for migration in analysis.project.migrations:
            if migration.reported:
                migration.databases = routes.databases(migration.key)
        DB_TYPE_CONNECTION[0] = type_connection(target, members)
        try:
            linted = lint_project(analysis, rules, config)
        finally:
            DB_TYPE_CONNECTION[0] = None
        names = {d.alias for d in members}
        uses.extend(u for u in linted.uses if routes.allowed(u.migration.key, None, names))
        suppressed.update(
            identity(f)
            for f in linted.hidden
            if routes.allowed((f.app, f.migration), f.operation_index, names)
        )
        label = f"{', '.join(repr(d.alias) for d in members)} ({target.describe()})"
        for finding in linted.findings:
            if finding.rule == UNUSED:
                continue  # judged below, over every database's run
            if not routes.allowed((finding.app, finding.migration), finding.operation_index, names):
                continue
            found.setdefault(identity(finding), (finding, []))[1].append(label)
    assert first is not None  # DATABASES always has an alias (Django adds a dummy "default")
    results: list[Finding] = []
    for finding, labels in found.values():
        if len(groups) > 1:
            finding = dataclasses.replace(finding, notes=(*finding.notes, f"on database {'; '.join(labels)}"))
        results.append(finding)
    results.extend(unused_suppressions(uses, config))

    live = next((d for d in dbs if d.live), None)
    if live is not None:
        evidence = collect_sql(loaded, live.connection, set(project.loader.unmigrated_apps), notes)
        # The second check: what third-party operations and field classes run, judged as raw SQL.
        DB_TYPE_CONNECTION[0] = live.connection
        try:
            results.extend(check_sql(loaded, evidence, live.target, rules, config, results, live.alias))
        finally:
            DB_TYPE_CONNECTION[0] = None
        results = [
            dataclasses.replace(f, sql=tuple(evidence.get(((f.app, f.migration), f.operation_index), ())))
            if f.operation_index is not None else f
            for f in results
        ]
    results.sort(key=Finding.sort_key)
    first.notes = notes
    return AccurateResult(first, LintResult(results, len(suppressed)))
