"""What rules are given: migrations and operations in the context of the replayed state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.migrations.operations.base import Operation

from safemigrate.findings import Phase
from safemigrate.schema import ModelInfo
from safemigrate.sqlfacts import Statement
from safemigrate.target import Target


@dataclass
class FunctionFacts:
    """What the static reader learned about a RunPython function's source."""

    name: str
    line: int
    is_noop: bool = False
    imported_models: tuple[str, ...] = ()  # "shop.models" style modules imported by the function
    uses_get_model: bool = False
    unknown: bool = False  # defined elsewhere; nothing could be read


@dataclass
class MigrationChange:
    """How a migration file changed between the revision `check --since REV` compares with and the working tree."""

    status: str  # "added" | "edited" (edits that change no code, like formatting or comments, are not changes)
    since: str  # the revision as the user named it, e.g. "origin/main"
    base: str  # the commit compared with (abbreviated): where the branch left `since`
    line: int = 1  # "edited": the first changed line
    column: int = 1


@dataclass
class DeletedMigration:
    """A migration file that existed at the compared revision and is gone from the working tree."""

    app_label: str
    name: str
    file: str  # the deleted file, as shown to the user
    path: str  # where to report it: its migrations package's __init__.py, as shown
    since: str
    base: str


@dataclass
class MissingMigration:
    """Accurate mode: a model change with no migration (what ``makemigrations --check`` would create)."""

    app_label: str
    change: str  # the operation's describe(), e.g. "Add field sku to product"
    migration: str  # the name makemigrations would give the new migration
    path: str  # where to report it: the app's latest migration, or its models.py, as shown
    line: int = 1
    column: int = 1
    reported_at: str | None = None  # that latest migration's name (its suppressions apply); None at models.py


@dataclass
class MigrationContext:
    """One migration as rules see it."""

    app_label: str
    name: str
    path: str
    atomic: bool
    initial: bool
    line: int
    column: int
    reported: bool  # findings in it are reported (it's one of the paths asked about)
    operations: list[OperationContext] = field(default_factory=list)
    # The statements of RunSQL reverse_sql, read as operations in the order a rollback runs them.
    reverse_operations: list[OperationContext] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)  # other literal class attributes
    revision: str | None = None  # the git revision that introduced it, when known
    change: MigrationChange | None = None  # how it changed since `check --since REV`; None without --since
    problems: list[tuple[int, str]] = field(default_factory=list)  # parts the static reader couldn't read
    target: Target = field(default_factory=Target)  # the database it deploys to
    # The deploy phase a peer tool's marker declares (markers.py): django-safemigrate's `safe`,
    # django-syzygy's `stage`, Sentry's `is_post_deployment`; None when nothing is declared.
    declared_phase: Phase | None = None
    declared_by: str = ""  # the marker as written, e.g. "safe = Safe.after_deploy()"
    # Accurate mode: the database aliases DATABASE_ROUTERS let its operations run on (() = none of them);
    # None when unknown (static mode) or when it has no database operation.
    databases: tuple[str, ...] | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.app_label, self.name)

    @property
    def phases(self) -> set[Phase]:
        return {op.phase for op in self.operations if op.parent is None}


@dataclass
class OperationContext:
    """One operation with the state just before and just after it."""

    migration: MigrationContext
    operation: Operation
    index: int  # position in the migration's top-level operations list
    line: int
    column: int
    model_key: str | None  # "app.model" of the model it changes, if any
    before: ModelInfo | None
    after: ModelInfo | None
    phase: Phase = Phase.ANY
    database_only: bool = False  # in SeparateDatabaseAndState.database_operations
    state_only: bool = False  # in SeparateDatabaseAndState.state_operations
    parent: OperationContext | None = None  # the SeparateDatabaseAndState holding it
    table_created_here: bool = False  # its model's table was created earlier in this migration
    model_known: bool = True  # False when the model's history couldn't be read
    function: FunctionFacts | None = None  # RunPython's forward code
    reverse_function: FunctionFacts | None = None
    statements: list[Statement] = field(default_factory=list)  # RunSQL's forward SQL
    unknown_operation: str | None = None  # dotted name of an operation the engine can't interpret
    unvalidated_constraints: frozenset[str] = frozenset()  # its model's constraints added NOT VALID, not yet validated
    # The table before the operation as the database has it, where that differs from Django's state
    # (after state-only or database-only operations); None when they agree.
    db_before: ModelInfo | None = None
    related: dict[str, ModelInfo] = field(default_factory=dict)  # models its relational fields point at
    reverse_statements: list[Statement] = field(default_factory=list)  # RunSQL's reverse_sql
    # A RunSQL statement read as the Django operation it amounts to (safemigrate.sqlops): the statement, and
    # "sql" or "reverse_sql" for the argument holding it. None and "" for the migration's own operations.
    statement: Statement | None = None
    origin: str = ""
    # Database-only operations: the model as Django's state (the running code) has it, while before and
    # after are the database's view. None when the state has no such model.
    state_before: ModelInfo | None = None

    @property
    def code_before(self) -> ModelInfo | None:
        """The model as the code running before the operation knows it."""
        return self.state_before if self.database_only else self.before

    @property
    def on_rollback(self) -> bool:
        """A statement of a RunSQL's reverse_sql: it runs when the migration is unapplied."""
        return self.origin == "reverse_sql"

    @property
    def sequence(self) -> list[OperationContext]:
        """The operations that run in order with this one: the migration's, or on rollback its reverse SQL's."""
        return self.migration.reverse_operations if self.on_rollback else self.migration.operations

    @property
    def table_before(self) -> ModelInfo | None:
        """The table before the operation as the database has it."""
        return self.db_before or self.before

    @property
    def kind(self) -> str:
        return type(self.operation).__name__

    @property
    def touches_database(self) -> bool:
        return not self.state_only

    def existing_table_change(self) -> tuple[ModelInfo, ModelInfo] | None:
        """(before, after) when the operation changes, in the database, the table of a model whose
        history is known and that existed before this migration; None otherwise."""
        if self.state_only or not self.existing_table or not self.model_known:
            return None
        if self.before is None or self.after is None or not self.before.has_table:
            return None
        return self.before, self.after

    @property
    def existing_table(self) -> bool:
        """The operation works on a table that existed before this migration."""
        return not self.table_created_here

    @property
    def app_label(self) -> str:
        return self.migration.app_label


@dataclass
class AppGraphProblem:
    """A problem with the migration graph itself (a conflict, a cycle, a missing node)."""

    kind: str  # "conflict" | "cycle" | "missing-dependency"
    app_label: str
    migrations: tuple[str, ...]
    detail: str
    path: str
    line: int = 1
    column: int = 1
    reported: bool = True


@dataclass
class ProjectContext:
    """Everything the engine learned, for rules that look across migrations."""

    migrations: list[MigrationContext]
    graph_problems: list[AppGraphProblem]
    external_apps: set[str]
    target: Target = field(default_factory=Target)
    deleted_migrations: list[DeletedMigration] = field(default_factory=list)  # only with `check --since`
    missing_migrations: list[MissingMigration] = field(default_factory=list)  # only in accurate mode
