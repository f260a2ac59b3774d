"""The second check: the SQL evidence judged as raw SQL.

Django's own operations on Django's own fields are judged by the rules directly. A third-party
operation, or a Django operation on a project or third-party field class, can emit any DDL. With
SQL evidence, each such operation is replayed once more as what it runs on the database,
``SeparateDatabaseAndState(database_operations=[RunSQL(<its SQL>)], state_operations=[<it>])``,
so the replay reads each statement as the Django operation it amounts to (safemigrate.sqlops) and
the rules judge those statements as they judge any RunSQL's. Only the findings about those
statements are kept, and only where the first check found nothing of the same rule.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable

from django.db.migrations import operations as ops
from django.db.migrations.operations.base import Operation

from safemigrate.config import Config
from safemigrate.engine import LoadedProject, replay_project
from safemigrate.findings import Finding
from safemigrate.graph import Key
from safemigrate.rules.base import Rule
from safemigrate.suppressions import apply_suppressions
from safemigrate.target import Target

OperationSQL = dict[tuple[Key, int], list[str]]


class EvidenceSQL(ops.RunSQL):
    """The SQL an operation was seen to run (SQL evidence), standing in for it on the database."""


def _django_class(obj: object) -> bool:
    return type(obj).__module__.startswith("django.")


def needs_sql_check(operation: Operation) -> bool:
    """Whether the rules can't see what the operation does to the database without its SQL."""
    if isinstance(operation, (ops.SeparateDatabaseAndState, ops.RunSQL, ops.RunPython)):
        return False  # containers, raw SQL (already read statement by statement), code
    if not _django_class(operation):
        return True
    fields = []
    if isinstance(operation, (ops.AddField, ops.AlterField)):
        fields = [operation.field]
    elif isinstance(operation, ops.CreateModel):
        fields = [f for _, f in operation.fields]
    return any(not _django_class(f) for f in fields)


def _wrapped(operation: Operation, statements: list[str]) -> ops.SeparateDatabaseAndState:
    sql = EvidenceSQL(statements, reverse_sql=ops.RunSQL.noop)
    container = ops.SeparateDatabaseAndState(database_operations=[sql], state_operations=[operation])
    location = getattr(operation, "safemigrate_location", None)
    if location is not None:
        sql.safemigrate_location = container.safemigrate_location = location  # type: ignore[attr-defined]
    return container


def check_sql(
    loaded: LoadedProject,
    evidence: OperationSQL,
    target: Target,
    rules: Iterable[Rule],
    config: Config,
    already: Iterable[Finding],
    alias: str,
) -> list[Finding]:
    """Findings about the SQL of operations the first check couldn't see into."""
    rules = [r for r in rules if r.runs_on(target)]
    chosen: dict[Key, dict[int, list[str]]] = {}
    for (key, index), statements in evidence.items():
        runnable = [s for s in statements if s.strip() and not s.lstrip().startswith("--")]
        if runnable and needs_sql_check(loaded.migrations[key].migration.operations[index]):
            chosen.setdefault(key, {})[index] = runnable
    if not chosen:
        return []
    migrations = dict(loaded.migrations)
    for key, by_index in chosen.items():
        parsed = migrations[key]
        migration = copy.copy(parsed.migration)
        migration.operations = [
            _wrapped(op, by_index[i]) if i in by_index else op for i, op in enumerate(parsed.migration.operations)
        ]
        migrations[key] = dataclasses.replace(parsed, migration=migration)
    analysis = replay_project(dataclasses.replace(loaded, migrations=migrations), target)

    findings: list[Finding] = []
    for context in analysis.project.migrations:
        if context.key not in chosen:
            continue
        for ctx in context.operations:
            parent = ctx.parent
            if ctx.statement is None or parent is None or not isinstance(parent.operation, EvidenceSQL):
                continue
            for rule in rules:
                if rule.applies_to(type(ctx.operation)):
                    findings.extend(rule.check_operation(ctx))
    seen = {(f.rule, f.path, f.line, f.column) for f in already}
    note = f"found in the SQL this operation runs on database {alias!r} (sql: lines), read as raw SQL"
    fresh = {
        (f.rule, f.path, f.line, f.column): dataclasses.replace(f, notes=(*f.notes, note))
        for f in findings
        if (f.rule, f.path, f.line, f.column) not in seen
    }
    kept = apply_suppressions(analysis, list(fresh.values()), [r.id for r in rules], config).findings
    mine = set(fresh.values())
    return [f for f in kept if f in mine]
