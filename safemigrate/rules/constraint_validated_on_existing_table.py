from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.migrations import operations as ops

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Phase, Severity
from safemigrate.operations import is_operation
from safemigrate.rules._operations import adds_foreign_key_constraint
from safemigrate.rules.base import Rule
from safemigrate.schema import FieldInfo
from safemigrate.vendors import POSTGRESQL

CHECK_HELP = (
    "Add it with django.contrib.postgres.operations.AddConstraintNotValid (a brief lock, existing rows not "
    'checked), then run ValidateConstraint(model_name="{model}", name="{name}") in a later migration: VALIDATE '
    "CONSTRAINT scans under SHARE UPDATE EXCLUSIVE, so reads and writes continue."
)


def _schema_kwargs(field: FieldInfo) -> tuple[str, list[Any], dict[str, Any]]:
    _, path, args, kwargs = field.field.deconstruct()
    for attr in (*getattr(field.field, "non_db_attrs", ()), "db_comment"):
        kwargs.pop(attr, None)
    return str(path), list(args), kwargs


def _recreates_foreign_key(old: FieldInfo, new: FieldInfo) -> bool:
    """Whether Django's schema editor drops and re-adds the FK constraint (it does on any schema change)."""
    if not (old.is_foreign_key and old.db_constraint and new.is_foreign_key and new.db_constraint):
        return False
    try:
        return old.column != new.column or _schema_kwargs(old) != _schema_kwargs(new)
    except Exception:  # a placeholder field that can't deconstruct: don't guess
        return False


class ConstraintValidatedOnExistingTable(Rule):
    id = "ZDM205"
    name = "constraint-validated-on-existing-table"
    severity = Severity.ERROR
    category = Category.LOCKING
    vendors = POSTGRESQL  # PostgreSQL's locks: MySQL/MariaDB have their own rules, SQLite is for development
    summary = "Adding a CHECK or FOREIGN KEY constraint to an existing table validates every row under a blocking lock"

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        change = ctx.existing_table_change()
        if change is None:
            return
        before, after = change
        op, table = ctx.operation, after.table
        if isinstance(op, ops.AddField):
            field = after.field(op.name)
            if field is not None and adds_foreign_key_constraint(None, field):
                index = " and builds the column's index" if field.db_index else ""
                yield self.at_operation(
                    ctx,
                    f'Adding foreign key "{field.column}" to "{table}" runs ADD COLUMN ... REFERENCES, which holds '
                    f'ACCESS EXCLUSIVE on "{table}" and SHARE ROW EXCLUSIVE on the table of {field.related_model} '
                    f"(writes to it blocked), checks the existing rows{index} while those locks are held.",
                    self._fk_help(field, table),
                    phase=Phase.PRE_DEPLOY,
                    sql_help=f"Add the column without REFERENCES, then ALTER TABLE {table} ADD CONSTRAINT ... FOREIGN "
                    f"KEY ({field.column}) REFERENCES ... NOT VALID, and VALIDATE CONSTRAINT in a later migration "
                    "(SHARE UPDATE EXCLUSIVE: reads and writes continue).",
                )
        elif isinstance(op, ops.AlterField):
            old, new = before.field(op.name), after.field(op.name)
            if old is not None and new is not None and not old.is_m2m and adds_foreign_key_constraint(old, new):
                yield self.at_operation(
                    ctx,
                    f'AlterField adds a FOREIGN KEY constraint on "{new.column}" of "{table}": ADD CONSTRAINT ... '
                    f'FOREIGN KEY validates every existing row while holding SHARE ROW EXCLUSIVE on "{table}" and '
                    f"on the table of {new.related_model} (writes to both blocked).",
                    self._fk_help(new, table),
                )
            elif old is not None and new is not None and ctx.statement is None and _recreates_foreign_key(old, new):
                yield self.at_operation(
                    ctx,
                    f'AlterField on foreign key "{old.column}" of "{table}" makes Django drop its FOREIGN KEY '
                    "constraint and add it back, which validates every existing row again while holding SHARE ROW "
                    f'EXCLUSIVE on "{table}" and on the table of {new.related_model} (writes to both blocked).',
                    "Change the field in the state only (SeparateDatabaseAndState) and run just the column change "
                    "it needs as RunSQL in database_operations, so the foreign key constraint is left in place.",
                )
        elif isinstance(op, ops.AddConstraint):
            constraint = op.constraint
            if is_operation(op, "AddConstraintNotValid"):
                return
            sql_help = (
                f"Add it with NOT VALID (a brief lock, existing rows not checked), then run ALTER TABLE {table} "
                f"VALIDATE CONSTRAINT {constraint.name} in a later migration (SHARE UPDATE EXCLUSIVE: reads and "
                "writes continue)."
            )
            if is_operation(constraint, "ForeignKeyConstraint"):  # only raw SQL adds one without a field
                yield self.at_operation(
                    ctx,
                    f'It adds foreign key "{constraint.name}" to "{table}" without NOT VALID: ADD CONSTRAINT ... '
                    f'FOREIGN KEY checks every existing row while holding SHARE ROW EXCLUSIVE on "{table}" and on '
                    f'"{getattr(constraint, "to_table", "?")}" (writes to both blocked).',
                    sql_help,
                    phase=Phase.POST_DEPLOY,
                )
                return
            if not is_operation(constraint, "CheckConstraint"):
                return
            subject = "It" if ctx.statement else f'AddConstraint of check "{constraint.name}"'
            yield self.at_operation(
                ctx,
                f'{subject} runs ALTER TABLE "{table}" ADD CONSTRAINT ... CHECK, '
                "which scans every row under an ACCESS EXCLUSIVE lock (reads and writes blocked) to validate it.",
                CHECK_HELP.format(model=op.model_name, name=constraint.name),
                phase=Phase.POST_DEPLOY,
                sql_help=sql_help,
            )
        elif is_operation(op, "ValidateConstraint") and ctx.migration.atomic:
            name = getattr(op, "name", None)
            if self._added_not_valid_here(ctx, name):
                yield self.at_operation(
                    ctx,
                    f'Constraint "{name}" of "{table}" is validated in the same atomic migration that adds it NOT '
                    "VALID: the ADD CONSTRAINT's ACCESS EXCLUSIVE lock is held until commit, so the validation "
                    "scan blocks reads and writes anyway.",
                    "Move the ValidateConstraint into a later migration, so it runs in its own transaction under "
                    "SHARE UPDATE EXCLUSIVE only.",
                    phase=Phase.POST_DEPLOY,
                    sql_help="Move the VALIDATE CONSTRAINT into a later migration, so it runs in its own transaction "
                    "under SHARE UPDATE EXCLUSIVE only.",
                )

    @staticmethod
    def _fk_help(field: FieldInfo, table: str) -> str:
        return (
            f'Add "{field.name}" with db_constraint=False, db_index=False and null=True, build its index with '
            "AddIndexConcurrently in a migration with `atomic = False`, then add the constraint with RunSQL "
            f'(in SeparateDatabaseAndState) "ALTER TABLE {table} ADD CONSTRAINT ... FOREIGN KEY ({field.column}) '
            'REFERENCES ... NOT VALID" and "VALIDATE CONSTRAINT ..." in a later migration (SHARE UPDATE EXCLUSIVE).'
        )

    @staticmethod
    def _added_not_valid_here(ctx: OperationContext, name: object) -> bool:
        for earlier in ctx.sequence:
            if earlier is ctx:
                return False
            if (
                is_operation(earlier.operation, "AddConstraintNotValid")
                and not earlier.state_only
                and earlier.model_key == ctx.model_key
                and getattr(getattr(earlier.operation, "constraint", None), "name", None) == name
            ):
                return True
        return False
