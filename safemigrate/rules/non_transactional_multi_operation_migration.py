from __future__ import annotations

from collections.abc import Iterator

from django.db.migrations import operations as ops

from safemigrate.context import MigrationContext, OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.phases import combine
from safemigrate.rules.base import Rule
from safemigrate.vendors import MYSQL_FAMILY, runs_sql


def _schema_change(ctx: OperationContext) -> bool:
    """DDL, which MySQL and MariaDB commit on the spot (RunPython and DML-only RunSQL are data changes)."""
    if isinstance(ctx.operation, ops.RunPython):
        return False
    if isinstance(ctx.operation, ops.RunSQL):
        return any(s.is_ddl for s in ctx.statements)
    return True


def _only_new_tables(ctx: OperationContext) -> bool:
    """The operation only touches a table this migration creates, which nothing uses yet."""
    if isinstance(ctx.operation, (ops.RunPython, ops.RunSQL)) or ctx.unknown_operation:
        return False
    return isinstance(ctx.operation, ops.CreateModel) or ctx.table_created_here


def _statements(ctx: OperationContext) -> int:
    """How many statements that change something it runs, each committed on its own: a RunSQL's DDL and DML
    statements (SET, SELECT and the like change nothing to leave half-done), one for anything else."""
    if isinstance(ctx.operation, ops.RunSQL):
        return max(1, sum(1 for s in ctx.statements if s.is_ddl or s.is_dml))
    return 1


def _name(ctx: OperationContext) -> str:
    model = ctx.before or ctx.after
    if isinstance(ctx.operation, ops.RunPython) and ctx.function is not None:
        return f"RunPython({ctx.function.name})"
    if isinstance(ctx.operation, ops.RunSQL) and _statements(ctx) > 1:
        return f"RunSQL with {_statements(ctx)} statements"
    return f'{ctx.kind} on "{model.table}"' if model is not None and ctx.model_key else ctx.kind


class NonTransactionalMultiOperationMigration(Rule):
    id = "ZDM614"
    name = "non-transactional-multi-operation-migration"
    severity = Severity.WARNING
    category = Category.HYGIENE
    summary = "A MySQL/MariaDB migration with several database operations is left half-applied if one fails"
    vendors = MYSQL_FAMILY

    def check_migration(self, migration: MigrationContext) -> Iterator[Finding]:
        database = [ctx for ctx in migration.operations if not ctx.state_only]
        if len(database) < 2 and not (database and len(database[0].statements) > 1):
            return  # the common case, decided before asking what each operation runs
        running = [ctx for ctx in migration.operations if runs_sql(ctx)]
        count = sum(_statements(ctx) for ctx in running)
        if count < 2 or not any(_schema_change(ctx) for ctx in running):
            return
        if all(_only_new_tables(ctx) for ctx in running):
            return  # a migration that only builds new tables: nothing running uses them yet
        names = [_name(ctx) for ctx in running[:3]] + (["..."] if len(running) > 3 else [])
        target = migration.target.describe()
        yield self.at_migration(
            migration,
            f'Migration "{migration.name}" runs '
            + (f"{len(running)} database operations" if count == len(running) else f"{count} database statements")
            + f' ({", ".join(names)}) on '
            f"{target}, where DDL is not transactional: each statement commits on its own and Django can't "
            "honour `atomic`. If a later operation fails, the earlier ones stay applied, the migration is not "
            "recorded, and running it again fails on the first of them (\"Duplicate column name\"), so the "
            "schema has to be repaired by hand while old and new code are both live.",
            "Give each schema change a migration of its own (and each data change too), so a failure leaves "
            "nothing half-done: the failed migration can simply be fixed and run again.",
            combine({ctx.phase for ctx in running}),
        )
