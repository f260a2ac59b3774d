from __future__ import annotations

from collections.abc import Iterator

from django.db.migrations import operations as ops

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules.base import Rule
from safemigrate.vendors import MYSQL_FAMILY, OnlineDDL, mysql_online_ddl

_TYPE_HELP = (
    "Add a new column of the new type (ADD COLUMN is INSTANT), write both columns from the code, backfill the "
    "new one in batches, switch reads to it and drop the old column in a later release. Or make the change with "
    "an online schema change tool (gh-ost, pt-online-schema-change) and keep the AlterField in "
    "SeparateDatabaseAndState(state_operations=[...]) so the migration itself runs no SQL."
)
_FOREIGN_KEY_ADD_HELP = (
    "Add the field with db_constraint=False: the column is added INSTANTly and its index is built online. If you "
    "want the constraint, check the existing rows yourself, then add it in a later migration as RunSQL inside "
    'SeparateDatabaseAndState: "SET SESSION foreign_key_checks = 0", "ALTER TABLE ... ADD CONSTRAINT ... FOREIGN '
    'KEY ..., ALGORITHM=INPLACE, LOCK=NONE", "SET SESSION foreign_key_checks = 1" (in place, rows not checked).'
)
_FOREIGN_KEY_READD_HELP = (
    "Django drops and re-adds a foreign key's constraint for almost any change to the field (even a new Python "
    "default). Change the field in the state only (SeparateDatabaseAndState(state_operations=[...])) and run just "
    "the column change it needs, if any, as RunSQL in database_operations, so the constraint stays in place."
)
_CHECK_HELP = (
    "MySQL and MariaDB can't add a CHECK constraint without copying the table. Validate the values in the code "
    "instead, or add the constraint with an online schema change tool (gh-ost, pt-online-schema-change) and keep "
    "the Django operation in SeparateDatabaseAndState(state_operations=[...]). (Django adds CHECK (col >= 0) for "
    "Positive*IntegerField on MariaDB and MySQL 8.0.16+: an IntegerField with a validator avoids it.)"
)
_DEFAULT_HELP = (
    "Add the column with null=True and no database default (INSTANT), set the default in a later AlterField "
    "(only new rows get it), and backfill the existing rows in batches."
)


_FOREIGN_KEY_SQL_HELP = (
    "Check the existing rows yourself, then run SET SESSION foreign_key_checks = 0 before the ALTER TABLE and "
    "SET SESSION foreign_key_checks = 1 after it, in the same RunSQL, and name the algorithm (ADD CONSTRAINT ... "
    "FOREIGN KEY ..., ALGORITHM=INPLACE, LOCK=NONE): InnoDB then adds it in place without reading the rows."
)


def _help(ctx: OperationContext, step: OnlineDDL) -> str:
    if step.kind == "foreign-key" and ctx.statement is not None:
        return _FOREIGN_KEY_SQL_HELP
    if step.kind == "foreign-key":
        return _FOREIGN_KEY_ADD_HELP if isinstance(ctx.operation, ops.AddField) else _FOREIGN_KEY_READD_HELP
    if step.kind == "check":
        return _CHECK_HELP
    if step.kind == "default":
        return _DEFAULT_HELP
    return _TYPE_HELP


class CopyAlgorithmAlter(Rule):
    id = "ZDM221"
    name = "copy-algorithm-alter"
    severity = Severity.ERROR
    category = Category.LOCKING
    summary = "MySQL/MariaDB can only run this ALTER with ALGORITHM=COPY, blocking writes while it copies the table"
    vendors = MYSQL_FAMILY

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        if ctx.state_only or not ctx.existing_table or not ctx.model_known:
            return
        steps = [step for step in mysql_online_ddl(ctx) if step.blocks_writes]
        if not steps:
            return
        model = ctx.before or ctx.after
        table = model.table if model is not None else "?"
        first = steps[0]
        more = len(steps) - 1
        also = f" {more} more statement{'s' if more > 1 else ''} of this operation copy the table too." if more else ""
        yield self.at_operation(
            ctx,
            f'{ctx.kind} runs ALTER TABLE "{table}" {first.statement}, which {ctx.migration.target.describe()} can '
            f"only run with ALGORITHM=COPY ({first.reason}): it copies the whole table row by row, and writes to "
            f"it are blocked (LOCK=SHARED) until the copy ends.{also}",
            _help(ctx, first),
        )
