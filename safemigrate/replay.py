"""Replay every operation, in graph order, through Django's own ``state_forwards``.

The state is built once for the whole project. Each operation yields an
``OperationContext`` holding snapshots of the model it touches just before and
just after it, so rules can judge it in context.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.db.migrations import operations as ops
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState

from safemigrate.context import FunctionFacts, MigrationContext, OperationContext
from safemigrate.phases import classify, combine
from safemigrate.schema import ModelInfo
from safemigrate.source.placeholders import SourceFunction, UnknownOperation
from safemigrate.source.reader import ParsedMigration
from safemigrate.sqlfacts import split_statements
from safemigrate.state import ReplayState

NOOP = ops.RunPython.noop


def model_names(operation: Operation) -> tuple[str | None, str | None]:
    """The (before, after) lower-case model names an operation changes."""
    if isinstance(operation, ops.RenameModel):
        return operation.old_name_lower, operation.new_name_lower
    model_name = getattr(operation, "model_name", None)
    if isinstance(model_name, str):
        return model_name.lower(), model_name.lower()
    if isinstance(operation, ops.models.ModelOperation):
        return operation.name_lower, operation.name_lower
    return None, None


def function_facts(code: Any) -> FunctionFacts | None:
    if code is None:
        return None
    if isinstance(code, SourceFunction):
        facts: FunctionFacts = code.facts
        return facts
    if code is NOOP or getattr(code, "__func__", None) is NOOP:
        return FunctionFacts(name="RunPython.noop", line=0, is_noop=True)
    name = getattr(code, "safemigrate_path", None) or getattr(code, "__name__", repr(code))
    return FunctionFacts(name=str(name), line=0, unknown=True)


class Replayer:
    """Holds the one ProjectState that every migration is replayed into."""

    def __init__(self) -> None:
        self.state: ProjectState = ReplayState()
        self.unvalidated: set[tuple[str, str]] = set()  # (model key, constraint name) added NOT VALID

    def replay(self, parsed: ParsedMigration, context: MigrationContext) -> None:
        if not context.reported:
            self.advance(parsed)
            return
        created: set[str] = set()
        for index, operation in enumerate(parsed.migration.operations):
            for ctx in self._operation(parsed, context, operation, index, self.state, created, None):
                context.operations.append(ctx)

    def advance(self, parsed: ParsedMigration) -> None:
        """Replay without building contexts (for migrations nobody asked about)."""
        app = parsed.app_label
        for operation in parsed.migration.operations:
            with contextlib.suppress(Exception):  # its model's history is unknown; nothing to replay
                operation.state_forwards(app, self.state)
            _, after_name = model_names(operation)
            self._track_constraints(operation, f"{app}.{after_name}" if after_name else None, False)
            if isinstance(operation, ops.SeparateDatabaseAndState):
                for child in operation.database_operations:
                    _, name = model_names(child)
                    self._track_constraints(child, f"{app}.{name}" if name else None, False)

    def snapshot(self, app_label: str, model: str | None, state: ProjectState) -> ModelInfo | None:
        if model is None:
            return None
        model_state = state.models.get((app_label, model))
        return ModelInfo.from_state(model_state) if model_state is not None else None

    def _operation(
        self,
        parsed: ParsedMigration,
        migration: MigrationContext,
        operation: Operation,
        index: int,
        state: ProjectState,
        created: set[str],
        parent: OperationContext | None,
        database_only: bool = False,
        state_only: bool = False,
    ) -> Iterator[OperationContext]:
        app = parsed.app_label
        line, column = (
            parsed.locations.get(id(operation))
            or getattr(operation, "safemigrate_location", None)
            or (migration.line, migration.column)
        )
        before_name, after_name = model_names(operation)
        before = self.snapshot(app, before_name, state)
        known = True
        if isinstance(operation, ops.SeparateDatabaseAndState):
            ctx = OperationContext(
                migration, operation, index, line, column, None, None, None,
                parent=parent, database_only=database_only, state_only=state_only,
            )
            children: list[OperationContext] = []
            if operation.database_operations:
                scratch = state.clone()
                scratch_created = set(created)
                for child in operation.database_operations:
                    children.extend(
                        self._operation(parsed, migration, child, index, scratch, scratch_created, ctx, True, False)
                    )
            for child in operation.state_operations:
                children.extend(self._operation(parsed, migration, child, index, state, created, ctx, False, True))
            ctx.phase = combine({c.phase for c in children if c.database_only})
            yield ctx
            yield from children
            return
        nested_state_ops = list(getattr(operation, "state_operations", None) or ())  # RunSQL(state_operations=...)
        if nested_state_ops:
            ctx = OperationContext(
                migration, operation, index, line, column, None, None, None,
                phase=classify(operation, None, None, state_only), parent=parent,
                database_only=database_only, state_only=state_only,
            )
            ctx.statements = split_statements(getattr(operation, "sql", None))
            yield ctx
            for child in nested_state_ops:
                yield from self._operation(parsed, migration, child, index, state, created, ctx, False, True)
            return
        try:
            operation.state_forwards(app, state)
        except Exception:
            known = False
        after = self.snapshot(app, after_name, state)
        model_key = f"{app}.{after_name or before_name}" if (after_name or before_name) else None
        if isinstance(operation, ops.CreateModel) and not state_only:
            created.add(f"{app}.{operation.name_lower}")
        if isinstance(operation, ops.RenameModel) and f"{app}.{operation.old_name_lower}" in created:
            created.add(f"{app}.{operation.new_name_lower}")
        table_created_here = model_key in created and not isinstance(operation, ops.CreateModel)
        if before_name and before is None and not isinstance(operation, ops.CreateModel):
            known = False
        ctx = OperationContext(
            migration=migration,
            operation=operation,
            index=index,
            line=line,
            column=column,
            model_key=model_key,
            before=before,
            after=after,
            phase=classify(operation, before, after, state_only),
            database_only=database_only,
            state_only=state_only,
            parent=parent,
            table_created_here=table_created_here,
            model_known=known,
        )
        if model_key is not None:
            ctx.unvalidated_constraints = frozenset(n for k, n in self.unvalidated if k == model_key)
        self._track_constraints(operation, model_key, state_only)
        if isinstance(operation, ops.RunPython):
            ctx.function = function_facts(operation.code)
            ctx.reverse_function = function_facts(operation.reverse_code)
        elif isinstance(operation, ops.RunSQL):
            ctx.statements = split_statements(operation.sql)
        elif isinstance(operation, UnknownOperation):
            ctx.unknown_operation = operation.safemigrate_path
        yield ctx

    def _track_constraints(self, operation: Operation, model_key: str | None, state_only: bool) -> None:
        if model_key is None or state_only:
            return
        kind = type(operation).__name__
        if kind == "AddConstraintNotValid":
            self.unvalidated.add((model_key, operation.constraint.name))  # type: ignore[attr-defined]
        elif kind == "ValidateConstraint":
            self.unvalidated.discard((model_key, operation.name))  # type: ignore[attr-defined]
        elif isinstance(operation, ops.RemoveConstraint):
            self.unvalidated.discard((model_key, operation.name))
