from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.migrations import operations as ops

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules.base import Rule
from safemigrate.schema import FieldInfo
from safemigrate.vendors import POSTGRESQL

# PostgreSQL column width of each integer field (all of them are smallint, integer or bigint).
_INTEGER_BYTES = {
    "SmallIntegerField": 2, "PositiveSmallIntegerField": 2, "SmallAutoField": 2,
    "IntegerField": 4, "PositiveIntegerField": 4, "AutoField": 4,
    "BigIntegerField": 8, "PositiveBigIntegerField": 8, "BigAutoField": 8,
}
_INTEGER_TYPE = {2: "smallint", 4: "integer", 8: "bigint"}
_VARCHAR = frozenset({"CharField", "SlugField", "FileField", "FilePathField"})  # all varchar(max_length)
_TEXT = "TextField"
_RELATIONS = frozenset({"ForeignKey", "OneToOneField", "ManyToManyField"})

_REWRITE_HELP = (
    "Add a new column of the new type, write both columns from the code, backfill the new one in batches, "
    "then switch reads to it and drop the old column in a later release."
)


@dataclass(frozen=True)
class _Change:
    message: str  # completes 'Changing column "x" of "t" ...'
    help: str
    sql_help: str | None = None  # the fix when the change is a raw ALTER COLUMN ... TYPE
    django_only: bool = False  # only Django's AlterField does it (a raw ALTER COLUMN ... TYPE doesn't)


def _pg_type(info: FieldInfo) -> str:
    kind = info.internal_type
    if kind in _INTEGER_BYTES:
        return _INTEGER_TYPE[_INTEGER_BYTES[kind]]
    if kind in _VARCHAR:
        return f"varchar({info.max_length})" if info.max_length is not None else "varchar"
    if kind == _TEXT:
        return "text"
    if kind == "DecimalField":
        digits, places = _decimal(info)
        return f"numeric({digits}, {places})" if digits is not None else "numeric"
    return kind


def _decimal(info: FieldInfo) -> tuple[int | None, int | None]:
    return getattr(info.field, "max_digits", None), getattr(info.field, "decimal_places", None)


def _rewrite(old: FieldInfo, new: FieldInfo) -> _Change | None:
    """How the column changes if PostgreSQL has to rewrite it (or rebuild an index under ACCESS EXCLUSIVE)."""
    if not (old.django_class and new.django_class):
        old_type, new_type = old.db_type, new.db_type  # known in accurate mode: the field's own db_type()
        if old_type is not None and new_type is not None:
            return _db_type_change(old_type, new_type)
    if not old.known or not new.known:
        return None  # a project field class: its column type isn't visible statically
    a, b = old.internal_type, new.internal_type
    if a in _RELATIONS or b in _RELATIONS:
        return None  # the column type follows the target's primary key, which this operation doesn't show
    rewrites = f"from {_pg_type(old)} to {_pg_type(new)} rewrites the whole table and rebuilds every index"
    if a in _INTEGER_BYTES and b in _INTEGER_BYTES:
        if _INTEGER_BYTES[a] == _INTEGER_BYTES[b]:
            return None
        extra = ""
        if old.primary_key:
            extra = ", and Django also changes every foreign key column that references it, rewriting those tables"
        return _Change(rewrites + extra, _REWRITE_HELP)
    if a in _VARCHAR | {_TEXT} and b in _VARCHAR | {_TEXT}:
        return _string_change(old, new, rewrites)
    if a == b == "DecimalField":
        (old_digits, old_places), (new_digits, new_places) = _decimal(old), _decimal(new)
        grows = new_digits is None or (old_digits is not None and new_digits >= old_digits)
        if old_places == new_places and grows:
            return None  # more digits, same scale: PostgreSQL only updates the catalog
        return _Change(rewrites, _REWRITE_HELP)
    if a == b == "ArrayField":
        old_base, new_base = _base(old), _base(new)
        if old_base is None or new_base is None or _pg_type(old_base) == _pg_type(new_base):
            return None  # only the size changed (PostgreSQL ignores array sizes)
        return _Change(
            f"from {_pg_type(old_base)}[] to {_pg_type(new_base)}[] rewrites the whole table and rebuilds "
            "every index",
            _REWRITE_HELP,
        )
    if a == b:
        return None  # same type: only attributes that don't reach the column type changed
    return _Change(rewrites, _REWRITE_HELP)


_DB_VARCHAR = re.compile(r"(?:varchar|character varying)\((\d+)\)")
_DB_NUMERIC = re.compile(r"(?:numeric|decimal)\((\d+), ?(\d+)\)")


def _db_type_change(old_type: str, new_type: str) -> _Change | None:
    """A project or third-party field class, judged by the column types its db_type() returns."""
    a, b = (" ".join(t.lower().split()) for t in (old_type, new_type))
    if a == b:
        return None
    old_varchar, new_varchar = _DB_VARCHAR.fullmatch(a), _DB_VARCHAR.fullmatch(b)
    if old_varchar and (b in ("text", "varchar", "character varying") or (
        new_varchar and int(new_varchar[1]) >= int(old_varchar[1])
    )):
        return None  # a longer or unbounded varchar: catalog only
    old_numeric, new_numeric = _DB_NUMERIC.fullmatch(a), _DB_NUMERIC.fullmatch(b)
    if old_numeric and new_numeric and old_numeric[2] == new_numeric[2] and int(new_numeric[1]) >= int(old_numeric[1]):
        return None  # more digits, same scale: catalog only
    return _Change(f"from {old_type} to {new_type} rewrites the whole table and rebuilds every index", _REWRITE_HELP)


def _string_change(old: FieldInfo, new: FieldInfo, rewrites: str) -> _Change | None:
    old_text, new_text = old.internal_type == _TEXT, new.internal_type == _TEXT
    if old_text and new_text:
        return None
    if not new_text and new.max_length is not None:
        shrinks = old_text or old.max_length is None or new.max_length < old.max_length
        if not shrinks:
            return None  # a longer varchar: catalog only
        return _Change(  # checked row by row and rewritten
            rewrites,
            f"Keep the column type: change the field in the state only (SeparateDatabaseAndState) and enforce "
            f'the limit with a CHECK (char_length("{old.column}") <= {new.max_length}) constraint added NOT VALID, '
            "then VALIDATE it in a later migration (no rewrite, no long lock).",
            f'Keep the column type and enforce the limit with a CHECK (char_length("{old.column}") <= '
            f"{new.max_length}) constraint added NOT VALID, then VALIDATE it in a later migration (no rewrite, no "
            "long lock).",
        )
    if old_text or (not new_text and new.max_length is None):
        return None  # text -> unbounded varchar, or varchar(n) -> unbounded varchar: catalog only
    if old.db_index or old.unique:
        return _Change(
            f'from {_pg_type(old)} to text drops and rebuilds its "_like" index',
            "Change the type with RunSQL `ALTER TABLE ... ALTER COLUMN ... TYPE text` inside "
            "SeparateDatabaseAndState, with the AlterField in state_operations: varchar to text is a catalog "
            'change on PostgreSQL and keeps the existing "_like" index.',
            django_only=True,
        )
    return None  # varchar -> text without an index: catalog only


def _base(info: FieldInfo) -> FieldInfo | None:
    base = getattr(info.field, "base_field", None)
    if base is None:
        return None
    return FieldInfo(info.name, base, info.app_label, info.model_name)


class ColumnTypeChangeRewritesTable(Rule):
    id = "ZDM302"
    name = "column-type-change-rewrites-table"
    severity = Severity.ERROR
    category = Category.REWRITE
    vendors = POSTGRESQL  # PostgreSQL's locks: MySQL/MariaDB have their own rules, SQLite is for development
    operation_types = (ops.AlterField,)
    summary = "Changing a column's type rewrites the table (or rebuilds an index) under ACCESS EXCLUSIVE"

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        op = ctx.operation
        if not isinstance(op, ops.AlterField) or ctx.state_only or not ctx.existing_table or not ctx.model_known:
            return
        if ctx.before is None or ctx.after is None or not ctx.after.has_table:
            return
        old, new = ctx.before.field(op.name), ctx.after.field(op.name)
        if old is None or new is None or old.is_m2m or new.is_m2m:
            return
        change = _rewrite(old, new)
        if change is None or (change.django_only and ctx.statement is not None):
            return
        yield self.at_operation(
            ctx,
            f'Changing column "{old.column}" of "{ctx.before.table}" {change.message} under ACCESS EXCLUSIVE, '
            "blocking reads and writes until the migration commits.",
            change.help,
            sql_help=change.sql_help,
        )
