"""Replay every operation, in graph order, through Django's own ``state_forwards``.

The state is built once for the whole project. Each operation yields an
``OperationContext`` holding snapshots of the model it touches just before and
just after it, so rules can judge it in context.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.migrations import operations as ops
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState

from safemigrate.context import FunctionFacts, MigrationContext, OperationContext
from safemigrate.findings import Phase
from safemigrate.operations import is_operation
from safemigrate.phases import classify, combine
from safemigrate.schema import ModelInfo, relation_key
from safemigrate.source.placeholders import SourceFunction, UnknownOperation
from safemigrate.source.reader import ParsedMigration
from safemigrate.sqlfacts import Statement, split_statements
from safemigrate.sqlops import SqlSchema, Step, UnverifiableStatement, translate, unread, unread_parts
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


def children(operation: Operation, attribute: str) -> list[Operation]:
    """A container's ``database_operations`` or ``state_operations``, whatever the file put there: an item
    that isn't an operation becomes an UnknownOperation saying so (the reader already does this, but
    accurate mode passes on what Django built)."""
    value = getattr(operation, attribute, None)
    if not value:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    return [
        item if isinstance(item, Operation) else UnknownOperation(
            f"{type(item).__module__}.{type(item).__qualname__}", (), {},
            f"{type(operation).__name__}'s {attribute} holds {item!r:.60}, not an operation",
        )
        for item in items
    ]


def unreplayable(operation: Operation, exc: Exception) -> UnknownOperation:
    """What replaces an operation whose replay raised: an UnknownOperation at its place, saying why."""
    cls = type(operation)
    path = getattr(operation, "safemigrate_path", None) or f"{cls.__module__}.{cls.__qualname__}"
    reason = f"safemigrate could not replay it: {type(exc).__name__}: {str(exc)[:100]}"
    unknown = UnknownOperation(str(path), (), {}, reason)
    unknown.safemigrate_location = getattr(operation, "safemigrate_location", None)
    return unknown


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
    """Holds the one ProjectState that every migration is replayed into.

    Django's state is what the code sees. The database can differ from it after
    state-only operations (SeparateDatabaseAndState.state_operations, RunSQL's
    state_operations) or database-only ones. ``db`` holds a shadow copy of just the
    models whose database shape differs, so rules can ask what the table really is.
    """

    def __init__(self) -> None:
        self.state: ProjectState = ReplayState()
        self.db: ProjectState = ReplayState()  # shadows of models whose table differs from the state
        self.unvalidated: set[tuple[str, str]] = set()  # (model key, constraint name) added NOT VALID

    # --- replay -------------------------------------------------------------
    def replay(self, parsed: ParsedMigration, context: MigrationContext) -> None:
        if not context.reported:
            self.advance(parsed)
            return
        created: set[str] = set()
        for index, operation in enumerate(parsed.migration.operations):
            try:
                contexts = list(self._operation(parsed, context, operation, index, created, None, "both"))
            except Exception as exc:  # a shape the reader let through: reported (ZDM605), never a crash
                unknown = unreplayable(operation, exc)
                contexts = list(self._operation(parsed, context, unknown, index, created, None, "both"))
            context.operations.extend(contexts)

    def advance(self, parsed: ParsedMigration) -> None:
        """Replay without building contexts (for migrations nobody asked about)."""
        for operation in parsed.migration.operations:
            try:
                self._advance(parsed.app_label, operation, "both")
            except Exception:  # reported when the migration itself is (replay); here it only changes no state
                continue

    def _advance(self, app: str, operation: Operation, mode: str) -> None:
        if isinstance(operation, ops.SeparateDatabaseAndState):
            for child in children(operation, "database_operations"):
                self._advance(app, child, "db" if mode != "state" else "none")
            for child in children(operation, "state_operations"):
                self._advance(app, child, "state" if mode != "db" else "none")
            return
        if isinstance(operation, ops.RunSQL) and mode in ("both", "db"):
            # What the SQL did to the tables, for the migrations after it (sqlops).
            schema = SqlSchema(self.state, self.db)
            for statement in split_statements(operation.sql):
                for step in translate(statement, schema):
                    self._advance(step.app_label, step.operation, "db")
        nested = children(operation, "state_operations")
        if nested:
            for child in nested:
                self._advance(app, child, "state" if mode != "db" else "none")
            return
        before_name, after_name = model_names(operation)
        self._apply(app, operation, mode, before_name)
        if mode != "state":
            self._track_constraints(operation, f"{app}.{after_name}" if after_name else None)

    def _apply(self, app: str, operation: Operation, mode: str, model: str | None) -> bool:
        """Apply an operation to the code's state, the database's shadow, or both."""
        if mode == "none":
            return True
        key = (app, model) if model else None
        if mode in ("state", "db") and key is not None and key not in self.db.models and key in self.state.models:
            self.db.add_model(self.state.models[key].clone())  # the two start to differ here
        ok = True
        if mode in ("both", "state"):
            try:
                operation.state_forwards(app, self.state)
            except Exception:
                ok = False
        if mode == "db" or (mode == "both" and key is not None and key in self.db.models):
            try:
                operation.state_forwards(app, self.db)
            except Exception:
                ok = ok and mode != "db"
        return ok

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
        created: set[str],
        parent: OperationContext | None,
        mode: str,
        app_label: str | None = None,
    ) -> Iterator[OperationContext]:
        app = app_label or parsed.app_label
        database_only, state_only = mode == "db", mode == "state"
        line, column = getattr(operation, "safemigrate_location", None) or (migration.line, migration.column)
        if isinstance(operation, ops.SeparateDatabaseAndState) or children(operation, "state_operations"):
            # A container: its own context, then its halves (database first, as Django runs them).
            ctx = OperationContext(
                migration, operation, index, line, column, None, None, None,
                parent=parent, database_only=database_only, state_only=state_only,
            )
            nested: list[OperationContext] = []
            if isinstance(operation, ops.SeparateDatabaseAndState):
                db_created = set(created)
                for child in children(operation, "database_operations"):
                    nested.extend(self._operation(parsed, migration, child, index, db_created, ctx, "db"))
                created.update(db_created)
                ctx.phase = combine({c.phase for c in nested if c.database_only})
            else:  # RunSQL(state_operations=...): the SQL runs, the state operations don't
                ctx.statements = split_statements(getattr(operation, "sql", None))
                ctx.phase = classify(operation, None, None, state_only)
                if not state_only:  # judged against the state before its state operations: the old code's
                    nested.extend(self._sql(parsed, migration, operation, ctx, created))
            for child in children(operation, "state_operations"):
                nested.extend(self._operation(parsed, migration, child, index, created, ctx, "state"))
            yield ctx
            yield from nested
            return

        before_name, after_name = model_names(operation)
        view = self.db if database_only else self.state
        before = self.snapshot(app, before_name, view)
        if database_only and before is None:
            before = self.snapshot(app, before_name, self.state)
        db_before = self.snapshot(app, before_name, self.db) if not database_only else before
        state_before = self.snapshot(app, before_name, self.state) if database_only else None
        known = self._apply(app, operation, mode, before_name)
        after = self.snapshot(app, after_name, self.db if database_only else self.state)
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
            db_before=db_before,
            state_before=state_before,
        )
        ctx.related = self._related(app, operation)
        if model_key is not None:
            ctx.unvalidated_constraints = frozenset(n for k, n in self.unvalidated if k == model_key)
        if not state_only:
            self._track_constraints(operation, model_key)
        if isinstance(operation, ops.RunPython):
            # Accurate mode runs the real operation but keeps what the source showed of its functions.
            source_facts = getattr(operation, "safemigrate_function_facts", None)
            ctx.function, ctx.reverse_function = source_facts or (
                function_facts(operation.code), function_facts(operation.reverse_code)
            )
        elif isinstance(operation, ops.RunSQL):
            ctx.statements = split_statements(operation.sql)
        elif isinstance(operation, UnknownOperation):
            ctx.unknown_operation = operation.safemigrate_path
        yield ctx
        if isinstance(operation, ops.RunSQL) and not state_only:
            yield from self._sql(parsed, migration, operation, ctx, created)

    # --- raw SQL ------------------------------------------------------------
    def _sql(
        self,
        parsed: ParsedMigration,
        migration: MigrationContext,
        operation: ops.RunSQL,
        parent: OperationContext,
        created: set[str],
    ) -> list[OperationContext]:
        """A RunSQL's statements as the Django operations they amount to (sqlops), run on the database only.

        Its reverse_sql is judged too, as a rollback runs it: against the database as this operation
        leaves it, on a copy-on-write view of the database shadow, so the forward replay is unchanged.
        The reverse contexts go to ``migration.reverse_operations``.
        """
        forward = self._statements(
            parsed, migration, parent, parent.statements, "sql", created, SqlSchema(self.state, self.db)
        )
        for part in unread_parts(operation.sql):  # SQL computed at run time: reported, never skipped
            forward.extend(self._step(parsed, migration, parent, part, "sql", created, None, unread(part), None))
        reverse = getattr(operation, "reverse_sql", None)
        parent.reverse_statements = split_statements(reverse)
        for part in unread_parts(reverse):
            migration.reverse_operations.extend(
                self._step(parsed, migration, parent, part, "reverse_sql", set(), None, unread(part), None)
            )
        if parent.reverse_statements:
            shadow, unvalidated = self.db, set(self.unvalidated)
            self.db = ProjectState(dict(shadow.models))
            try:
                schema = SqlSchema(self.state, self.db, shared=shadow.models)
                migration.reverse_operations.extend(
                    self._statements(parsed, migration, parent, parent.reverse_statements, "reverse_sql", set(), schema)
                )
            finally:
                self.db, self.unvalidated = shadow, unvalidated
        return forward

    def _statements(
        self,
        parsed: ParsedMigration,
        migration: MigrationContext,
        parent: OperationContext,
        statements: list[Statement],
        origin: str,
        created: set[str],
        schema: SqlSchema,
    ) -> list[OperationContext]:
        locations = getattr(parent.operation, f"safemigrate_{origin}_locations", None)
        out: list[OperationContext] = []
        for statement in statements:
            if locations is not None and statement.part < len(locations):
                line, column = locations[statement.part]
                location = (line + statement.line_offset, column)
            else:
                location = (parent.line, parent.column)
            for step in translate(statement, schema):
                out.extend(self._step(parsed, migration, parent, statement, origin, created, schema, step, location))
        return out

    def _step(
        self,
        parsed: ParsedMigration,
        migration: MigrationContext,
        parent: OperationContext,
        statement: Statement,
        origin: str,
        created: set[str],
        schema: SqlSchema | None,
        step: Step,
        location: tuple[int, int] | None,
    ) -> Iterator[OperationContext]:
        operation = step.operation
        operation.safemigrate_location = location or (parent.line, parent.column)
        model = model_names(operation)[0]
        if model is not None and schema is not None:
            schema.unshare((step.app_label, model))
        index = parent.index
        contexts = list(self._operation(parsed, migration, operation, index, created, parent, "db", step.app_label))
        if any(not ctx.model_known for ctx in contexts):  # it didn't apply to the table as replayed: say so
            fallback = UnverifiableStatement("what it does doesn't match the table as safemigrate replayed it")
            fallback.safemigrate_location = operation.safemigrate_location
            contexts = list(self._operation(parsed, migration, fallback, index, created, parent, "db"))
        for ctx in contexts:
            ctx.statement, ctx.origin = statement, origin
            if step.table is not None and f"table:{step.table.lower()}" in created:
                ctx.table_created_here = True
            if ctx.table_created_here:
                ctx.phase = Phase.ANY  # a table no running code uses yet: neither expand nor contract
            yield ctx
        if step.creates_table and step.table is not None:
            created.add(f"table:{step.table.lower()}")

    def _related(self, app: str, operation: Operation) -> dict[str, ModelInfo]:
        """Snapshots of the models that an operation's relational fields point at."""
        fields: list[Any] = []
        if isinstance(operation, (ops.AddField, ops.AlterField)):
            fields = [operation.field]
        elif isinstance(operation, ops.CreateModel):
            fields = [f for _, f in operation.fields]
        out: dict[str, ModelInfo] = {}
        for field in fields:
            remote = getattr(field, "remote_field", None)
            target = relation_key(getattr(remote, "model", None), app) if remote is not None else None
            if target and target not in out:
                target_app, _, target_model = target.partition(".")
                info = self.snapshot(target_app, target_model, self.state)
                if info is not None:
                    out[target] = info
        return out

    def _track_constraints(self, operation: Operation, model_key: str | None) -> None:
        if model_key is None:
            return
        if is_operation(operation, "AddConstraintNotValid"):  # a project's subclass counts too
            name = getattr(getattr(operation, "constraint", None), "name", None)
            if isinstance(name, str):
                self.unvalidated.add((model_key, name))
        elif isinstance(operation, ops.RemoveConstraint) or is_operation(operation, "ValidateConstraint"):
            name = getattr(operation, "name", None)
            if isinstance(name, str):
                self.unvalidated.discard((model_key, name))
