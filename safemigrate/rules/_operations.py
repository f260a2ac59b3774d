"""Helpers shared by rule modules: reading constraints and who knows a table (recognising operations by
class name is ``safemigrate.operations.is_operation``)."""

from __future__ import annotations

from safemigrate.context import OperationContext
from safemigrate.schema import FieldInfo


def adds_foreign_key_constraint(old: FieldInfo | None, new: FieldInfo | None) -> bool:
    """Whether changing field ``old`` into ``new`` makes Django create a FOREIGN KEY constraint.

    ``old`` is None for a field being added.
    """
    if new is None or not new.is_foreign_key or not new.db_constraint:
        return False
    return old is None or not old.is_foreign_key or not old.db_constraint


def unknown_to_code(ctx: OperationContext, field: FieldInfo | None = None) -> bool:
    """Whether a database-only operation (the database half of SeparateDatabaseAndState, a RunSQL statement)
    works on a table, or with ``field`` a column, that the running code doesn't have: an earlier state-only
    operation removed it from Django's state (the contract step done right), or no model ever had it.
    Dropping or renaming it breaks no running code."""
    if not ctx.database_only or not ctx.model_known or ctx.before is None:
        return False
    code = ctx.code_before
    if code is None:
        return True
    if field is None:
        return False
    if field.column is None:  # a many-to-many field: its join table goes with the field
        return code.field(field.name) is None
    return all(known.column != field.column for known in code.fields.values())
