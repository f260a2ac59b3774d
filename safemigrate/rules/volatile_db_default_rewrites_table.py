from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.db.migrations import operations as ops

from safemigrate.context import OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules.base import Rule
from safemigrate.vendors import POSTGRESQL

# Expression classes whose SQL is a VOLATILE function (Django's own, and common project spellings).
VOLATILE_CLASSES = frozenset({"RandomUUID", "GenRandomUUID", "Random", "UUID4", "UUID7"})
# PostgreSQL functions marked VOLATILE that defaults use. now()/statement_timestamp() are STABLE: not here.
VOLATILE_FUNCTIONS = frozenset(
    {
        "gen_random_uuid", "random", "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4",
        "uuidv4", "uuidv7", "clock_timestamp", "timeofday", "nextval", "gen_random_bytes",
    }
)
_CALL = re.compile(r"\b(" + "|".join(sorted(VOLATILE_FUNCTIONS)) + r")\s*\(", re.I)


def volatile_part(value: Any, depth: int = 0) -> str | None:
    """The name of a volatile function inside a db_default expression, or None if it has none."""
    if depth > 20 or value is None or isinstance(value, (str, bytes, int, float, bool)):
        return None
    path = getattr(value, "safemigrate_path", None)
    if isinstance(path, str):  # a project expression the reader didn't import: judge it by name
        name = path.rpartition(".")[2]
        if name in VOLATILE_CLASSES or name.lower() in VOLATILE_FUNCTIONS:
            return name
        children: list[Any] = [*getattr(value, "args", ()), *getattr(value, "kwargs", {}).values()]
        return next((n for c in children if (n := volatile_part(c, depth + 1))), None)
    for cls in type(value).__mro__:
        if cls.__name__ in VOLATILE_CLASSES:
            return type(value).__name__
    extra = getattr(value, "extra", None)  # Func(function=..., template=...) keeps them here
    texts = [getattr(value, a, None) for a in ("function", "template", "sql")]  # class attributes, RawSQL.sql
    if isinstance(extra, dict):
        texts += [extra.get("function"), extra.get("template")]
    for text in texts:
        if isinstance(text, str):
            if text.lower() in VOLATILE_FUNCTIONS:
                return text.lower()
            match = _CALL.search(text)
            if match:
                return match.group(1).lower()
    try:
        sources = list(value.get_source_expressions())
    except Exception:
        return None
    return next((n for c in sources if (n := volatile_part(c, depth + 1))), None)


class VolatileDbDefaultRewritesTable(Rule):
    id = "ZDM301"
    name = "volatile-db-default-rewrites-table"
    severity = Severity.ERROR
    category = Category.REWRITE
    vendors = POSTGRESQL  # PostgreSQL's locks: MySQL/MariaDB have their own rules, SQLite is for development
    operation_types = (ops.AddField,)
    summary = "Adding a column with a volatile db_default rewrites the whole table under ACCESS EXCLUSIVE"

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        # AlterField is not checked: setting a volatile db_default on an existing column is only
        # SET DEFAULT (new rows); existing rows keep their values and nothing is rewritten.
        op = ctx.operation
        if not isinstance(op, ops.AddField) or ctx.state_only or not ctx.existing_table or not ctx.model_known:
            return
        model = ctx.after
        field = model.field(op.name) if model is not None else None
        if model is None or field is None or not model.has_table or field.is_m2m or not field.has_db_default:
            return
        volatile = volatile_part(field.db_default)
        if volatile is None:
            return
        yield self.at_operation(
            ctx,
            f'Adding column "{field.column}" to "{model.table}" with the volatile database default {volatile}(): '
            "PostgreSQL computes a value for every existing row, so it rewrites the whole table and rebuilds "
            "every index under ACCESS EXCLUSIVE, blocking reads and writes for the whole rewrite.",
            f'Add "{field.column}" with null=True and no db_default (or a constant one), set the volatile '
            "db_default in a later AlterField (only new rows get it, no rewrite), backfill the existing rows in "
            "batches in a migration with `atomic = False`, then make the column NOT NULL in a later release.",
            sql_help=f'Add "{field.column}" NULL without the volatile DEFAULT, then ALTER COLUMN ... SET DEFAULT '
            f"{volatile}() in a later statement (only new rows get it, no rewrite), backfill the existing rows in "
            "batches in a migration with `atomic = False`, then make the column NOT NULL in a later release.",
        )
