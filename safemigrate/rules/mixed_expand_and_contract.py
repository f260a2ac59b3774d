from __future__ import annotations

from collections.abc import Iterator

from django.db.migrations import operations as ops

from safemigrate.context import MigrationContext, OperationContext
from safemigrate.findings import Category, Finding, Phase, Severity
from safemigrate.phases import combine
from safemigrate.rules.base import Rule


def _steps(migration: MigrationContext) -> list[OperationContext]:
    """The operations that reach the database, a SeparateDatabaseAndState standing for its database half."""
    steps: list[OperationContext] = []
    for ctx in migration.operations:
        if isinstance(ctx.operation, ops.SeparateDatabaseAndState) or ctx.state_only:
            continue
        if ctx.parent is None or ctx.database_only:
            steps.append(ctx)
    return steps


def _describe(ctx: OperationContext) -> str:
    if ctx.statement is not None:  # a RunSQL statement read as an operation (sqlops)
        return f'RunSQL "{ctx.statement.short()}" (operations[{ctx.index}])'
    where = f"operations[{ctx.index}]"
    if ctx.parent is not None:
        where += " database_operations"
    target = ""
    model = ctx.before or ctx.after
    if model is not None:
        target = f' "{model.table}"'
        if isinstance(ctx.operation, ops.fields.FieldOperation):
            name = ctx.operation.name
            field = (ctx.after.field(name) if ctx.after else None) or (ctx.before.field(name) if ctx.before else None)
            target = f' "{model.table}.{(field.column if field else None) or name}"'
    return f"{ctx.kind}{target} ({where})"


class MixedExpandAndContract(Rule):
    id = "ZDM501"
    name = "mixed-expand-and-contract"
    severity = Severity.ERROR
    category = Category.PHASING
    summary = "One migration holds both expand (pre-deploy) and contract (post-deploy) steps"

    def check_migration(self, migration: MigrationContext) -> Iterator[Finding]:
        steps = _steps(migration)
        if combine({c.phase for c in steps}) is not Phase.MIXED:
            return
        expand = [c for c in steps if c.phase is Phase.PRE_DEPLOY]
        contract = [c for c in steps if c.phase is Phase.POST_DEPLOY]
        if not expand or not contract:
            return  # mixed only through a single rename: the rename rules report it
        yield self.at_migration(
            migration,
            f'Migration "{migration.name}" mixes expand steps ({", ".join(_describe(c) for c in expand)}) with '
            f'contract steps ({", ".join(_describe(c) for c in contract)}): run before the deploy, the contract '
            "steps break the old code still serving traffic; run after it, the new code fails until the expand "
            "steps exist.",
            "Split it: keep the expand steps in a pre-deploy migration shipped with the new code, and move the "
            "contract steps to a post-deploy migration in a later release, once no process runs the old code.",
            Phase.MIXED,
        )
