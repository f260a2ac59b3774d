from __future__ import annotations

from collections.abc import Iterator

from django.db.migrations import operations as ops
from django.db.models.fields import NOT_PROVIDED

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Phase, Severity
from safemigrate.rules.base import Rule
from safemigrate.schema import FieldInfo
from safemigrate.vendors import POSTGRESQL, set_not_null_uses_check


def _fills_nulls(op: ops.AlterField) -> bool:
    """Whether Django fills the NULL rows first (SET DEFAULT; UPDATE ... WHERE col IS NULL)."""
    field = op.field
    return bool(field.has_default()) or getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED


def _sql_help(table: str, column: str | None, unvalidated: list[str], removed: str | None) -> str:
    """The safe path in SQL, for a RunSQL statement's SET NOT NULL."""
    if unvalidated:
        return (
            f"Run ALTER TABLE {table} VALIDATE CONSTRAINT {unvalidated[0]} in a migration before this one, and SET "
            "NOT NULL only after that migration has run."
        )
    if removed:
        return f'Drop the check "{removed}" after SET NOT NULL, not before it.'
    check = f"{table}_{column}_not_null"
    return (
        f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({column} IS NOT NULL) NOT VALID; then, in a later "
        f"migration, ALTER TABLE {table} VALIDATE CONSTRAINT {check} (SHARE UPDATE EXCLUSIVE: reads and writes "
        "continue); then SET NOT NULL (PostgreSQL 12+ skips the scan) and drop the check."
    )


class SetNotNullScansTable(Rule):
    id = "ZDM201"
    name = "set-not-null-scans-table"
    severity = Severity.ERROR
    category = Category.LOCKING
    vendors = POSTGRESQL  # PostgreSQL's locks: MySQL/MariaDB have their own rules, SQLite is for development
    summary = "Making an existing column NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock"
    operation_types = (ops.AlterField,)

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        op = ctx.operation
        if not isinstance(op, ops.AlterField) or ctx.state_only or not ctx.existing_table or not ctx.model_known:
            return
        before, after = ctx.before, ctx.after
        if before is None or after is None or not before.has_table:
            return
        old, new = before.field(op.name), after.field(op.name)
        if old is None or new is None or old.is_m2m or not old.null or new.null:
            return
        table, column = after.table, new.column
        checks = before.not_null_checks(old)
        validated = [name for name in checks if name not in ctx.unvalidated_constraints]
        fills = _fills_nulls(op) and ctx.statement is None  # a raw SET NOT NULL fills nothing
        target = ctx.migration.target
        check_name = f"{before.name_lower}_{op.name}_not_null"
        if not set_not_null_uses_check(target):  # PostgreSQL 11 and older always scan
            if validated:
                yield self.at_operation(
                    ctx,
                    f'Making "{column}" of "{table}" NOT NULL runs ALTER COLUMN ... SET NOT NULL, which scans the '
                    "whole table under an ACCESS EXCLUSIVE lock (reads and writes blocked): "
                    f'{target.describe()} can\'t use the validated check "{validated[0]}" to skip the scan '
                    "(PostgreSQL 12+ can).",
                    f'Keep the validated check "{validated[0]}" as the database\'s guarantee and make the field NOT '
                    "NULL in the state only (SeparateDatabaseAndState with the AlterField in state_operations); "
                    "after upgrading to PostgreSQL 12+, SET NOT NULL skips the scan.",
                    phase=Phase.POST_DEPLOY,
                )
                return
            safe = (
                f'Add CheckConstraint(condition=Q({op.name}__isnull=False), name="{check_name}") with '
                "django.contrib.postgres.operations.AddConstraintNotValid, validate it with ValidateConstraint in "
                "a later migration (SHARE UPDATE EXCLUSIVE, reads and writes continue), and keep it as the NOT NULL "
                f"guarantee: {target.describe()} can't use it to skip SET NOT NULL's scan (PostgreSQL 12+ can), so "
                "make the field NOT NULL in the state only (SeparateDatabaseAndState with the AlterField in "
                "state_operations)."
            )
        else:
            if validated and not fills:
                return
            safe = (
                f'Add CheckConstraint(condition=Q({op.name}__isnull=False), name="{check_name}") with '
                "django.contrib.postgres.operations.AddConstraintNotValid, validate it with ValidateConstraint in a "
                "later migration (SHARE UPDATE EXCLUSIVE, reads and writes continue), then make the field NOT NULL "
                "(PostgreSQL 12+ skips the scan) and drop the check in a later migration."
            )
        if validated:
            yield self.at_operation(
                ctx,
                f'Making "{column}" of "{table}" NOT NULL with a default runs UPDATE "{table}" SET "{column}" = '
                f'<default> WHERE "{column}" IS NULL, which scans the whole table under ACCESS EXCLUSIVE (reads and '
                f'writes blocked) even though the validated check "{validated[0]}" lets SET NOT NULL skip its scan.',
                "Backfill the NULLs in batches in an earlier migration (RunPython in an `atomic = False` migration), "
                "and make the field NOT NULL without a default (drop preserve_default=False and the one-off default).",
                phase=Phase.POST_DEPLOY,
            )
            return
        message = (
            f'Making "{column}" of "{table}" NOT NULL runs ALTER COLUMN ... SET NOT NULL, which scans the whole '
            "table under an ACCESS EXCLUSIVE lock (reads and writes blocked) to prove it holds no NULLs"
        )
        if fills:
            message += (
                f'; the default also makes Django run UPDATE "{table}" SET "{column}" = <default> WHERE '
                f'"{column}" IS NULL under the same lock'
            )
        unvalidated = [name for name in checks if name in ctx.unvalidated_constraints]
        removed = self._removed_here(ctx, old)
        if unvalidated:
            message += f'; the check "{unvalidated[0]}" is still NOT VALID, so PostgreSQL can\'t use it'
            help = (
                f'Validate "{unvalidated[0]}" with ValidateConstraint in a migration before this one, and make '
                "the field NOT NULL only after that migration has run."
            )
        elif removed:
            message += (
                f'; the check "{removed}" that would let PostgreSQL skip the scan is removed earlier in this '
                "same migration"
            )
            help = f'Move the RemoveConstraint of "{removed}" after this AlterField, or better into a later migration.'
        else:
            help = safe
        if fills:
            help += " Backfill the NULLs in batches beforehand instead of relying on the one-off default's UPDATE."
        yield self.at_operation(
            ctx, message + ".", help, phase=Phase.POST_DEPLOY, sql_help=_sql_help(table, column, unvalidated, removed)
        )

    @staticmethod
    def _removed_here(ctx: OperationContext, field: FieldInfo) -> str | None:
        """A validated NOT NULL check on ``field`` dropped earlier in the same migration, if any."""
        for earlier in ctx.sequence:
            if earlier is ctx:
                break
            op = earlier.operation
            if (
                not isinstance(op, ops.RemoveConstraint)
                or earlier.state_only
                or earlier.model_key != ctx.model_key
                or earlier.before is None
            ):
                continue
            if op.name in earlier.before.not_null_checks(field) and op.name not in earlier.unvalidated_constraints:
                return str(op.name)
        return None
