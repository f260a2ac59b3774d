"""The rule base class and registry.

Rules judge operations in context and yield findings. They never parse source,
touch a database or format output: the engine gives them contexts, reporters
print what they return.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from safemigrate.context import AppGraphProblem, MigrationContext, OperationContext, ProjectContext
from safemigrate.findings import Category, Finding, Phase, Severity
from safemigrate.target import Target

RULE_PREFIX = "ZDM"
REGISTRY: dict[str, Rule] = {}


class Rule:
    """Subclass, set the class attributes, override one or more ``check_*`` methods."""

    id: ClassVar[str]
    name: ClassVar[str]  # describes the bad pattern, kebab-case
    severity: ClassVar[Severity]
    category: ClassVar[Category]
    summary: ClassVar[str]  # one line for `safemigrate rules`
    fix_command: ClassVar[str | None] = None  # the command that produces the safe form
    # check_operation is only called for these operation classes (and subclasses); None means all.
    operation_types: ClassVar[tuple[type, ...] | None] = None
    # The databases (Target.vendor) whose migrations the rule judges; None means every one. A rule about
    # PostgreSQL's locks says nothing about MySQL, whose own rules judge the same operation there.
    vendors: ClassVar[frozenset[str] | None] = None
    # Whether check_operation also judges the statements of a RunSQL's reverse_sql, as a rollback runs them.
    # None: rules about locks and rewrites do (a rollback that locks a busy table stalls it all the same);
    # rules about old code don't (a rollback undoes what the release being rolled back relied on).
    judges_rollback: ClassVar[bool | None] = None

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "id" in cls.__dict__:
            if cls.id in REGISTRY:
                raise RuntimeError(f"duplicate rule id {cls.id}")
            REGISTRY[cls.id] = cls()

    @property
    def page(self) -> str:
        return f"rules/{self.name}.md"

    @classmethod
    def applies_to(cls, operation_type: type) -> bool:
        return cls.operation_types is None or issubclass(operation_type, cls.operation_types)

    @classmethod
    def checks_rollback(cls) -> bool:
        if cls.judges_rollback is not None:
            return cls.judges_rollback
        return cls.category in (Category.LOCKING, Category.REWRITE)

    @classmethod
    def runs_on(cls, target: Target) -> bool:
        """Whether the rule judges migrations that deploy to ``target``."""
        return cls.vendors is None or target.vendor in cls.vendors

    # --- hooks -----------------------------------------------------------
    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        return iter(())

    def check_migration(self, migration: MigrationContext) -> Iterator[Finding]:
        return iter(())

    def check_project(self, project: ProjectContext) -> Iterator[Finding]:
        return iter(())

    # --- building findings ----------------------------------------------
    def at_operation(
        self, ctx: OperationContext, message: str, help: str, phase: Phase | None = None, sql_help: str | None = None
    ) -> Finding:
        """A finding about an operation. For a RunSQL statement read as an operation (``ctx.statement``), the
        message names the statement, ``sql_help`` (the fix in SQL) replaces ``help``, and a statement of
        reverse_sql is a warning: it runs only on a rollback, which the operator starts and times."""
        m = ctx.migration
        severity = self.severity
        if ctx.statement is not None:
            snippet = ctx.statement.short()
            where = "In reverse_sql (runs on rollback), statement" if ctx.on_rollback else "RunSQL statement"
            if snippet not in message:
                message = f'{where} "{snippet}": {message}'
            elif ctx.on_rollback:
                message = f"In reverse_sql (runs on rollback): {message}"
            help = sql_help or help
            if ctx.on_rollback:
                severity = Severity.WARNING
        return Finding(
            rule=self.id,
            name=self.name,
            severity=severity,
            category=self.category,
            phase=phase or ctx.phase,
            message=message,
            help=help,
            path=m.path,
            line=ctx.line,
            column=ctx.column,
            app=m.app_label,
            migration=m.name,
            operation_index=ctx.index,
            page=self.page,
        )

    def at_migration(
        self, m: MigrationContext, message: str, help: str, phase: Phase, line: int | None = None, column: int = 1
    ) -> Finding:
        """A finding about a migration: at its class, or at ``line`` (and ``column``) of its file."""
        return Finding(
            rule=self.id,
            name=self.name,
            severity=self.severity,
            category=self.category,
            phase=phase,
            message=message,
            help=help,
            path=m.path,
            line=m.line if line is None else line,
            column=m.column if line is None else column,
            app=m.app_label,
            migration=m.name,
            operation_index=None,
            page=self.page,
        )

    def at_graph(self, problem: AppGraphProblem, message: str, help: str) -> Finding:
        return Finding(
            rule=self.id,
            name=self.name,
            severity=self.severity,
            category=self.category,
            phase=Phase.ANY,
            message=message,
            help=help,
            path=problem.path,
            line=problem.line,
            column=problem.column,
            app=problem.app_label,
            migration=problem.migrations[0] if problem.migrations else "",
            operation_index=None,
            page=self.page,
        )


def get_rule(rule_id: str) -> Rule | None:
    return REGISTRY.get(rule_id.upper())
