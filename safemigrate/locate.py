"""From a finding back to the migration and the operation it is about.

Findings carry a location (path, line) and an operation index; suppressions and the
baseline need the operation itself: which source lines stand for it (an inline
suppression on its first line or the line above applies to it) and what it is (its
identity in a baseline, which must survive reformatting the file).
"""

from __future__ import annotations

from safemigrate.context import MigrationContext, OperationContext
from safemigrate.engine import Analysis
from safemigrate.findings import Finding


class Locator:
    def __init__(self, analysis: Analysis) -> None:
        self.migrations: dict[tuple[str, str], MigrationContext] = {
            m.key: m for m in analysis.project.migrations if m.reported
        }
        self._by_index: dict[tuple[str, str], dict[int, list[OperationContext]]] = {}

    def migration(self, finding: Finding) -> MigrationContext | None:
        return self.migrations.get((finding.app, finding.migration))

    def operation(self, finding: Finding) -> OperationContext | None:
        """The innermost operation holding the finding: of the operations at its index (a
        SeparateDatabaseAndState and its children share one), the last that starts at or before its line."""
        if finding.operation_index is None:
            return None
        migration = self.migration(finding)
        if migration is None:
            return None
        by_index = self._by_index.get(migration.key)
        if by_index is None:
            by_index = self._by_index[migration.key] = {}
            for ctx in migration.operations:
                by_index.setdefault(ctx.index, []).append(ctx)
        candidates = by_index.get(finding.operation_index)
        if not candidates:
            return None
        best = candidates[0]
        for ctx in candidates[1:]:
            if best.line <= ctx.line <= finding.line:
                best = ctx
        return best

    def anchor_lines(self, finding: Finding) -> set[int]:
        """The lines an inline suppression may be attached to for this finding: its own line, and the
        first line of its operation and of the operations that hold it."""
        lines = {finding.line}
        ctx = self.operation(finding)
        while ctx is not None:
            lines.add(ctx.line)
            ctx = ctx.parent
        return lines


def operation_identity(ctx: OperationContext | None) -> str:
    """What a finding's top-level operation is, without line numbers: ``2:RemoveField(customer,legacy_code)``.

    Only the top-level operation counts (a SeparateDatabaseAndState, not which of its children), so
    that no reformatting of the file can change which operation a finding is attributed to."""
    if ctx is None:
        return "-"
    while ctx.parent is not None:
        ctx = ctx.parent
    return f"{ctx.index}:{_describe(ctx)}"


def _describe(ctx: OperationContext) -> str:
    op = ctx.operation
    kind = getattr(op, "safemigrate_path", None)
    kind = kind.rpartition(".")[2] if isinstance(kind, str) else ctx.kind
    names = [
        value.lower()
        for attr in ("model_name", "name", "old_name", "new_name")
        if isinstance(value := getattr(op, attr, None), str)
    ]
    for attr in ("index", "constraint"):
        name = getattr(getattr(op, attr, None), "name", None)
        if isinstance(name, str):
            names.append(name)
    return f"{kind}({','.join(names)})" if names else kind
