"""Expand/contract: which deploy phase each operation belongs to.

Expand (pre-deploy) operations widen what the schema accepts, so old code keeps
working and new code finds what it needs. Contract (post-deploy) operations
narrow it, so they must wait until no old code is left. Operations that change
no behaviour visible to code (indexes, options) may run in either phase.
"""

from __future__ import annotations

from django.db.migrations import operations as ops
from django.db.models import CheckConstraint, UniqueConstraint

from safemigrate.findings import Phase
from safemigrate.markers import operation_stage
from safemigrate.operations import is_operation
from safemigrate.schema import FieldInfo, ModelInfo

_ANY_PHASE = (
    ops.AlterModelOptions,
    ops.AlterModelManagers,
    ops.AlterModelTableComment,
    ops.AddIndex,
    ops.RemoveIndex,
    ops.RenameIndex,
    ops.AlterIndexTogether,
)


def classify(
    operation: object, before: ModelInfo | None, after: ModelInfo | None, state_only: bool = False
) -> Phase:
    if state_only:
        return Phase.ANY
    if isinstance(operation, ops.CreateModel):
        return Phase.PRE_DEPLOY
    if isinstance(operation, ops.DeleteModel):
        return Phase.POST_DEPLOY if before is None or before.has_table else Phase.ANY
    if isinstance(operation, (ops.RenameModel, ops.AlterModelTable)):
        if before is not None and after is not None and before.table == after.table:
            return Phase.ANY
        return Phase.MIXED
    if isinstance(operation, ops.AddField):
        return Phase.PRE_DEPLOY
    if isinstance(operation, ops.RemoveField):
        return Phase.POST_DEPLOY
    if isinstance(operation, ops.RenameField):
        old = before.field(operation.old_name) if before else None
        new = after.field(operation.new_name) if after else None
        if old is not None and new is not None and old.column == new.column:
            return Phase.ANY
        return Phase.MIXED
    if isinstance(operation, ops.AlterField):
        old = before.field(operation.name) if before else None
        new = after.field(operation.name) if after else None
        return classify_field_change(old, new)
    if isinstance(operation, (ops.AddConstraint, ops.AlterConstraint)):
        constraint = getattr(operation, "constraint", None)
        if isinstance(constraint, (CheckConstraint, UniqueConstraint)):
            return Phase.POST_DEPLOY
        return Phase.ANY
    if is_operation(operation, "ValidateConstraint"):
        return Phase.POST_DEPLOY
    if isinstance(operation, ops.RemoveConstraint):
        return Phase.ANY if _redundant_not_null_check(operation.name, before, after) else Phase.PRE_DEPLOY
    if isinstance(operation, ops.AlterUniqueTogether):
        old_sets = before.unique_together if before else set()
        new_sets = after.unique_together if after else set()
        if new_sets - old_sets:
            return Phase.POST_DEPLOY
        return Phase.PRE_DEPLOY if old_sets - new_sets else Phase.ANY
    if isinstance(operation, _ANY_PHASE):
        return Phase.ANY
    if isinstance(operation, ops.AlterOrderWithRespectTo):
        return Phase.PRE_DEPLOY if getattr(operation, "order_with_respect_to", None) else Phase.POST_DEPLOY
    if is_operation(operation, "CreateExtension", "CreateCollation"):
        return Phase.PRE_DEPLOY
    declared = operation_stage(operation)  # a third-party operation that declares its stage (syzygy)
    if declared is not None:
        return declared
    return Phase.UNKNOWN  # RunPython, RunSQL, third-party operations


def classify_field_change(old: FieldInfo | None, new: FieldInfo | None) -> Phase:
    """Tightening a column is contract; loosening it is expand; renaming it is both."""
    if old is None or new is None:
        return Phase.UNKNOWN
    if old.column != new.column:
        return Phase.MIXED
    tighter = looser = False
    if old.null and not new.null:
        tighter = True
    elif new.null and not old.null:
        looser = True
    if old.max_length is not None and new.max_length is not None:
        if new.max_length < old.max_length:
            tighter = True
        elif new.max_length > old.max_length:
            looser = True
    if new.unique and not old.unique:
        tighter = True
    elif old.unique and not new.unique:
        looser = True
    if tighter and looser:
        return Phase.MIXED
    if tighter:
        return Phase.POST_DEPLOY
    if looser:
        return Phase.PRE_DEPLOY
    return Phase.ANY


def combine(phases: set[Phase]) -> Phase:
    """A migration's phase from its operations' phases."""
    pre = Phase.PRE_DEPLOY in phases
    post = Phase.POST_DEPLOY in phases
    if Phase.MIXED in phases or (pre and post):
        return Phase.MIXED
    if pre:
        return Phase.PRE_DEPLOY
    if post:
        return Phase.POST_DEPLOY
    if Phase.UNKNOWN in phases:
        return Phase.UNKNOWN
    return Phase.ANY


def _redundant_not_null_check(name: str, before: ModelInfo | None, after: ModelInfo | None) -> bool:
    """Dropping a CHECK (col IS NOT NULL) once the column itself is NOT NULL loosens nothing: it's
    the last step of the safe SET NOT NULL sequence, fine in either phase."""
    if before is None or after is None:
        return False
    for field in after.fields.values():
        if not field.null and field.column is not None:
            previous = before.field(field.name)
            if previous is not None and name in before.not_null_checks(previous):
                return True
    return False
