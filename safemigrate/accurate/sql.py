"""SQL evidence: the statements each operation of the reported migrations would run, collected
through the schema editor as ``sqlmigrate`` collects them (nothing is executed but the
introspection queries some operations make)."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

from safemigrate.accurate.setup import first_line
from safemigrate.engine import LoadedProject
from safemigrate.graph import Key

OperationSQL = dict[tuple[Key, int], list[str]]


def collect_sql(loaded: LoadedProject, connection: Any, unmigrated_apps: set[str], notes: list[str]) -> OperationSQL:
    """``{(migration key, top-level operation index): [statement, ...]}`` for the reported migrations.

    Deferred statements (foreign keys and indexes Django adds at the end of a migration) are
    attributed to the operation that created them."""
    from django.db import transaction
    from django.db.migrations.state import ProjectState

    out: OperationSQL = {}
    state = ProjectState(real_apps=set(unmigrated_apps))
    rendered = False
    for key in loaded.plan:
        parsed = loaded.migrations.get(key)
        if parsed is None:
            continue
        migration, app_label = parsed.migration, key[0]
        if key not in loaded.reported:
            state = migration.mutate_state(state, preserve=False)
            continue
        try:
            if not rendered:
                state.apps  # noqa: B018 - render once; later operations reload only what they change
                rendered = True
            with connection.schema_editor(collect_sql=True, atomic=migration.atomic) as editor:
                for index, operation in enumerate(migration.operations):
                    before = state.clone()
                    try:
                        operation.state_forwards(app_label, state)
                    except Exception as exc:  # the state it expects isn't there (ZDM606 says so)
                        out[(key, index)] = [_failed(exc)]
                        continue
                    if not operation.reduces_to_sql:
                        continue  # RunPython: code, not SQL
                    start, deferred = len(editor.collected_sql), len(editor.deferred_sql)
                    guard: AbstractContextManager[Any] = (
                        transaction.atomic(using=connection.alias) if connection.in_atomic_block else nullcontext()
                    )
                    try:
                        with guard:
                            operation.database_forwards(app_label, editor, before, state)
                            for statement in editor.deferred_sql[deferred:]:
                                editor.execute(statement)
                    except Exception as exc:
                        editor.collected_sql[start:] = [_failed(exc)]
                    del editor.deferred_sql[deferred:]
                    statements = [s for s in editor.collected_sql[start:] if s.strip()]
                    if statements:
                        out[(key, index)] = statements
        except Exception as exc:
            notes.append(f"SQL evidence stopped at {key[0]}.{key[1]}: {_why(exc)}")
            break
    return out


def _failed(exc: BaseException) -> str:
    return f"-- safemigrate could not generate this operation's SQL: {_why(exc)}"


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {first_line(exc)}"
