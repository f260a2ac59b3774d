"""What a rule reports, and the vocabularies it is described with."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"


class Category(str, enum.Enum):
    BACKWARD_INCOMPATIBLE = "backward-incompatible"
    LOCKING = "locking"
    REWRITE = "rewrite"
    IRREVERSIBLE = "irreversible"
    PHASING = "phasing"
    HYGIENE = "hygiene"


class Phase(str, enum.Enum):
    """When an operation belongs in a rolling deploy (expand/contract)."""

    PRE_DEPLOY = "pre-deploy"  # expand: runs before the new code ships
    POST_DEPLOY = "post-deploy"  # contract: runs after no old code is left
    ANY = "any"  # neither widens nor narrows what code may do
    MIXED = "mixed"  # a migration holding both expand and contract steps
    UNKNOWN = "unknown"  # opaque code (RunPython/RunSQL, third-party operations)


@dataclass(frozen=True)
class Finding:
    rule: str
    name: str
    severity: Severity
    category: Category
    phase: Phase
    message: str
    help: str
    path: str
    line: int
    column: int
    app: str
    migration: str
    operation_index: int | None = None
    page: str = ""
    notes: tuple[str, ...] = field(default=())
    sql: tuple[str, ...] = field(default=())  # accurate mode with --database: the operation's SQL

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule)


@dataclass
class Report:
    """The result of one `check` run, handed to a reporter."""

    findings: list[Finding]
    migrations_checked: int  # migrations whose findings are reported
    migrations_loaded: int  # migrations replayed to build the state (includes dependencies)
    notes: list[str] = field(default_factory=list)  # one-line notes (external apps, ...)
    warnings_as_errors: bool = False
    suppressed: int = 0  # findings hidden by suppressions (comments, per_migration_ignores, IgnoreMigration)
    baselined: int = 0  # findings hidden because the baseline file lists them

    def is_error(self, finding: Finding) -> bool:
        return finding.severity is Severity.ERROR or self.warnings_as_errors

    @property
    def error_count(self) -> int:
        return sum(1 for f in self.findings if self.is_error(f))

    @property
    def warning_count(self) -> int:
        return len(self.findings) - self.error_count
