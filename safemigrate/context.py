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
    attributes: dict[str, Any] = field(default_factory=dict)  # other literal class attributes
    revision: str | None = None  # the git revision that introduced it, when known
    problems: list[tuple[int, str]] = field(default_factory=list)  # parts the static reader couldn't read
    target: Target = field(default_factory=Target)  # the database it deploys to

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
    # The table as the database has it, where that differs from Django's state (after state-only or
    # database-only operations); None when they agree.
    db_before: ModelInfo | None = None
    db_after: ModelInfo | None = None
    related: dict[str, ModelInfo] = field(default_factory=dict)  # models its relational fields point at

    @property
    def table_before(self) -> ModelInfo | None:
        """The table before the operation as the database has it."""
        return self.db_before or self.before

    @property
    def table_after(self) -> ModelInfo | None:
        return self.db_after or self.after

    @property
    def kind(self) -> str:
        return type(self.operation).__name__

    @property
    def touches_database(self) -> bool:
        return not self.state_only

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
