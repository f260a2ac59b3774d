"""What the target database does with an operation: the vendor- and version-dependent facts rules ask about.

Rules stay thin: they ask one question here (``adds_column_instantly(target, field)``,
``mysql_online_ddl(ctx)``, ``postgresql_only(ctx)``...) instead of testing vendors and
versions themselves.

Where the facts come from:

- PostgreSQL 15 and MariaDB 10.11: measured on real servers (``tests/db/test_vendor_facts.py``
  runs each operation Django's way, and on MariaDB asks the server for the cheapest
  ``ALGORITHM``/``LOCK`` it accepts for every statement Django emits).
- Other versions, and MySQL (no server here), from the vendors' manuals; the classification
  marks those steps ``inferred``:

  - PostgreSQL 11 release notes: ``ADD COLUMN`` with a non-volatile ``DEFAULT`` no longer
    rewrites the table (https://www.postgresql.org/docs/release/11.0/).
  - PostgreSQL 12 release notes: ``SET NOT NULL`` skips its scan when a validated ``CHECK``
    proves the column holds no NULLs (https://www.postgresql.org/docs/release/12.0/).
  - MySQL 8.0 Reference Manual, "Online DDL Operations"
    (https://dev.mysql.com/doc/refman/8.0/en/innodb-online-ddl-operations.html): ``INSTANT``
    ``ADD COLUMN`` from 8.0.12, ``DROP COLUMN`` from 8.0.29, ``RENAME COLUMN`` from 8.0.28;
    extending a ``VARCHAR`` is in place only while its length prefix stays 1 byte (up to 255
    bytes) or 2 bytes; a column type change, a shrinking ``VARCHAR`` and a foreign key added
    with ``foreign_key_checks`` on need ``ALGORITHM=COPY``. ``CHECK`` constraints are enforced
    (and emitted by Django) from 8.0.16; adding one needs ``COPY`` (MySQL bug #117450).
  - MariaDB, "InnoDB Online DDL Operations with the INSTANT Alter Algorithm"
    (https://mariadb.com/kb/en/innodb-online-ddl-operations-with-the-instant-alter-algorithm/):
    ``INSTANT`` ``ADD COLUMN`` from 10.3.2, ``DROP COLUMN`` from 10.4, ``VARCHAR`` extension
    from 10.4.3.

MySQL/MariaDB character columns are assumed to be ``utf8mb4`` (4 bytes a character, MySQL 8's
default), so a ``VARCHAR`` longer than 63 characters has a 2-byte length prefix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.migrations import operations as ops
from django.db.models.fields import NOT_PROVIDED

from safemigrate.context import OperationContext
from safemigrate.operations import is_operation
from safemigrate.schema import FieldInfo, ModelInfo
from safemigrate.target import Target

POSTGRESQL = frozenset({"postgresql"})
MYSQL_FAMILY = frozenset({"mysql", "mariadb"})
NOT_POSTGRESQL = frozenset({"mysql", "mariadb", "sqlite"})

# --- PostgreSQL ----------------------------------------------------------------------------------


def set_not_null_uses_check(target: Target) -> bool:
    """Whether ``SET NOT NULL`` skips its scan when a validated CHECK proves no NULLs (PostgreSQL 12+)."""
    return target.is_postgresql and target.at_least(12)


def stored_default(op_field: Any) -> bool:
    """Whether Django's ``ADD COLUMN`` for this field carries a non-NULL ``DEFAULT``.

    A ``db_default`` does; so does a Python default (Django adds the column with it as a
    temporary database default to fill existing rows, then drops it), and the empty string
    Django uses for a NOT NULL ``blank=True`` string field without a default.
    """
    db_default = getattr(op_field, "db_default", NOT_PROVIDED)
    if db_default is not NOT_PROVIDED:
        return getattr(db_default, "value", db_default) is not None
    if op_field.has_default():
        return op_field.default is not None
    return not op_field.null and bool(op_field.blank) and bool(getattr(op_field, "empty_strings_allowed", False))


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


def volatile_default(field: FieldInfo) -> str | None:
    """The volatile function in a PostgreSQL ``db_default`` (``gen_random_uuid``...), if any."""
    if not field.has_db_default:
        return None
    return volatile_part(field.db_default)


def adds_column_instantly(target: Target, field: FieldInfo, op_field: Any | None = None) -> bool:
    """Whether ``ADD COLUMN`` for ``field`` changes only the catalog: no table rewrite, rebuild or copy.

    ``op_field`` is the field as the ``AddField`` spells it (its default survives
    ``preserve_default=False``); it defaults to ``field.field``.
    """
    op_field = op_field if op_field is not None else field.field
    if target.is_postgresql:
        if volatile_default(field) is not None:
            return False  # every row gets its own value: rewritten on every version
        return target.at_least(11) or not stored_default(op_field)
    if target.is_mysql_family:
        steps = _add_field(target, field, op_field)
        return bool(steps) and steps[0].algorithm == INSTANT
    # SQLite: Django only uses ALTER TABLE ADD COLUMN for a nullable, non-unique column without a
    # default (or with a literal db_default); anything else remakes the table.
    db_default = getattr(op_field, "db_default", NOT_PROVIDED)
    literal = db_default is NOT_PROVIDED or type(db_default).__name__ == "Value"
    return field.null and not field.unique and not field.primary_key and literal and not (
        op_field.has_default() and op_field.default is not None
    )


# --- MySQL and MariaDB: online DDL ----------------------------------------------------------------

INSTANT = "INSTANT"
INPLACE = "INPLACE"
COPY = "COPY"


@dataclass(frozen=True)
class OnlineDDL:
    """One statement Django runs on MySQL/MariaDB, and the cheapest way the server can run it.

    ``algorithm`` is the cheapest ``ALGORITHM`` the server accepts (``INPLACE`` without a
    rebuild is what MariaDB calls ``NOCOPY``); ``lock`` the weakest ``LOCK``: ``NONE`` lets
    reads and writes continue, ``SHARED`` blocks writes.
    """

    statement: str  # what Django runs, short: "MODIFY `quantity` bigint"
    algorithm: str  # INSTANT | INPLACE | COPY
    rebuild: bool  # the table is rebuilt or copied
    reason: str  # what decides the algorithm, in words
    kind: str = ""  # for rules choosing their advice: "type", "foreign-key", "check", "default", ...
    inferred: bool = False  # from the vendor's manual, not measured on MariaDB 10.11

    @property
    def lock(self) -> str:
        return "SHARED" if self.algorithm == COPY else "NONE"

    @property
    def blocks_writes(self) -> bool:
        return self.lock != "NONE"


def mysql_online_ddl(ctx: OperationContext) -> list[OnlineDDL]:
    """The ALTER TABLE / CREATE INDEX / DROP INDEX statements the operation runs on MySQL or MariaDB,
    in Django's order, each with its cheapest algorithm; [] when it runs none of them (or when the
    operation isn't one this knows: RunSQL, RunPython, CreateModel, DeleteModel, unknown operations).

    Tables created earlier in the same migration are classified too: callers decide whether
    that matters.
    """
    cached: list[OnlineDDL] | None = ctx.__dict__.get(_CACHE)
    if cached is None:
        cached = ctx.__dict__[_CACHE] = _online_ddl(ctx)
    return cached


_CACHE = "_safemigrate_mysql_online_ddl"  # two rules ask about the same operation
_ALGORITHM = re.compile(r"\bALGORITHM\s*=?\s*(\w+)", re.I)
_FOREIGN_KEY_CHECKS = re.compile(r"\bforeign_key_checks\s*(?::?=|\bTO\b)\s*(\w+)", re.I)


def _foreign_key_checks_off(ctx: OperationContext) -> bool:
    """Whether a statement before this one in its RunSQL turned ``foreign_key_checks`` off (and none back on):
    then InnoDB adds a foreign key in place, without reading the rows."""
    parent = ctx.parent
    if ctx.statement is None or parent is None:
        return False
    off = False
    for statement in parent.reverse_statements if ctx.on_rollback else parent.statements:
        if statement is ctx.statement:
            return off
        setting = _FOREIGN_KEY_CHECKS.search(statement.text) if statement.kind == "SET" else None
        if setting is not None:
            off = setting.group(1).upper() in ("0", "OFF", "FALSE")
    return False


def _online_ddl(ctx: OperationContext) -> list[OnlineDDL]:
    target = ctx.migration.target
    if not target.is_mysql_family or ctx.state_only or not ctx.model_known:
        return []
    if ctx.statement is not None and _postgresql_syntax(ctx) is not None:
        return []  # the server rejects the statement (postgresql-only-operation): it copies nothing
    if ctx.statement is not None:
        named = _ALGORITHM.search(ctx.statement.text)
        if named is not None and named.group(1).upper() == COPY:
            return [_step("..., ALGORITHM=COPY", COPY, True, "the statement asks for it")]
        if named is not None:
            return []  # raw SQL naming an online algorithm: the server runs it that way or refuses it
    op, before, after = ctx.operation, ctx.before, ctx.after
    model = after or before
    if model is None or not model.has_table or is_postgresql_operation(op):
        return []
    if isinstance(op, ops.AddField) and after is not None:
        field = after.field(op.name)
        return [] if field is None or field.is_m2m else _add_field(target, field, op.field)
    if isinstance(op, ops.RemoveField) and before is not None:
        field = before.field(op.name)
        return [] if field is None or field.is_m2m else _remove_field(target, field)
    if isinstance(op, ops.RenameField) and before is not None and after is not None:
        old, new = before.field(op.old_name), after.field(op.new_name)
        return [] if old is None or new is None or old.is_m2m else _alter_field(target, old, new)
    if isinstance(op, ops.AlterField) and before is not None and after is not None:
        old, new = before.field(op.name), after.field(op.name)
        if old is None or new is None or old.is_m2m or new.is_m2m:
            return []
        return _alter_field(target, old, new, getattr(op, "preserve_default", True), op.field)
    if isinstance(op, ops.AddIndex):
        return _add_index(target, op.index)
    if isinstance(op, ops.RemoveIndex) and before is not None:
        index = next((i for i in before.options.get("indexes", []) if i.name == op.name), None)
        if index is not None and _index_skipped(target, index):
            return []
        return [_step(f"DROP INDEX `{op.name}`", INPLACE, False, "dropping an index changes no rows")]
    if isinstance(op, ops.RenameIndex):
        return [_step("RENAME INDEX", INSTANT, False, "renaming an index only changes the catalog")]
    if isinstance(op, ops.AddConstraint):
        if type(op.constraint).__name__ == "ForeignKeyConstraint" and not _foreign_key_checks_off(ctx):
            # Raw SQL's ADD CONSTRAINT ... FOREIGN KEY (Django only adds one with a ForeignKey field).
            return [_step(
                "ADD CONSTRAINT ... FOREIGN KEY", COPY, True,
                "adding a FOREIGN KEY with foreign_key_checks on needs ALGORITHM=COPY", "foreign-key",
                inferred=target.vendor != "mariadb",
            )]
        return _add_constraint(target, op.constraint)
    if isinstance(op, ops.RemoveConstraint) and before is not None:
        constraint = next((c for c in before.options.get("constraints", []) if c.name == op.name), None)
        if constraint is None or _constraint_skipped(target, constraint):
            return []
        if type(constraint).__name__ == "CheckConstraint":
            return [_step(f"DROP CONSTRAINT `{op.name}`", INSTANT, False, "dropping a CHECK only changes the catalog")]
        return [_step(f"DROP INDEX `{op.name}`", INPLACE, False, "dropping a unique index changes no rows")]
    if isinstance(op, (ops.AlterUniqueTogether, ops.AlterIndexTogether)) and before is not None and after is not None:
        attr = "unique_together" if isinstance(op, ops.AlterUniqueTogether) else "index_together"
        old_sets, new_sets = getattr(before, attr), getattr(after, attr)
        steps = [
            _step(f"DROP INDEX ({', '.join(f)})", INPLACE, False, "dropping an index changes no rows")
            for f in sorted(old_sets - new_sets)
        ]
        steps += [
            _step(f"ADD {'UNIQUE ' if attr == 'unique_together' else ''}INDEX ({', '.join(f)})", INPLACE, False,
                  "an index is built online: reads and writes continue")
            for f in sorted(new_sets - old_sets)
        ]
        return steps
    return []


def _step(
    statement: str, algorithm: str, rebuild: bool, reason: str, kind: str = "", inferred: bool = False
) -> OnlineDDL:
    return OnlineDDL(statement, algorithm, rebuild, reason, kind, inferred)


_MYSQL_TYPES = {
    "AutoField": "integer AUTO_INCREMENT",
    "BigAutoField": "bigint AUTO_INCREMENT",
    "SmallAutoField": "smallint AUTO_INCREMENT",
    "BinaryField": "longblob",
    "BooleanField": "bool",
    "CharField": "varchar(%(max_length)s)",
    "SlugField": "varchar(%(max_length)s)",
    "FileField": "varchar(%(max_length)s)",
    "FilePathField": "varchar(%(max_length)s)",
    "DateField": "date",
    "DateTimeField": "datetime(6)",
    "DecimalField": "numeric(%(max_digits)s, %(decimal_places)s)",
    "DurationField": "bigint",
    "FloatField": "double precision",
    "IntegerField": "integer",
    "BigIntegerField": "bigint",
    "SmallIntegerField": "smallint",
    "PositiveBigIntegerField": "bigint UNSIGNED",
    "PositiveIntegerField": "integer UNSIGNED",
    "PositiveSmallIntegerField": "smallint UNSIGNED",
    "IPAddressField": "char(15)",
    "GenericIPAddressField": "char(39)",
    "JSONField": "json",
    "TextField": "longtext",
    "TimeField": "time(6)",
    "UUIDField": "char(32)",
}
_POSITIVE = frozenset({"PositiveBigIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField"})
_RELATIONS = frozenset({"ForeignKey", "OneToOneField"})
# Field attributes that reach no column (Django's Field.non_db_attrs, plus comments).
_NON_DB_ATTRS = frozenset(
    {
        "blank", "choices", "db_column", "editable", "error_messages", "help_text", "limit_choices_to",
        "on_delete", "related_name", "related_query_name", "validators", "verbose_name", "db_comment",
    }
)


def mysql_type(target: Target, field: FieldInfo) -> str | None:
    """The column type Django gives ``field`` on MySQL/MariaDB; None when it can't be known statically."""
    if field.db_type is not None and _accurate_vendor() == "mysql":
        return field.db_type
    if not field.known:
        return None
    kind = field.internal_type
    if kind == "UUIDField" and target.vendor == "mariadb" and target.at_least(10, 7):
        return "uuid"  # Django 5.0+ uses MariaDB's native uuid type
    template = _MYSQL_TYPES.get(kind)
    if template is None:
        return None
    params = {
        "max_length": field.max_length,
        "max_digits": getattr(field.field, "max_digits", None),
        "decimal_places": getattr(field.field, "decimal_places", None),
    }
    return template % params


def _accurate_vendor() -> str | None:
    from safemigrate.schema import DB_TYPE_CONNECTION

    connection = DB_TYPE_CONNECTION[0]
    return getattr(connection, "vendor", None) if connection is not None else None


def _checks_supported(target: Target) -> bool:
    """Whether Django emits CHECK constraints there: MariaDB, and MySQL 8.0.16+ (older MySQL ignores them)."""
    return target.vendor == "mariadb" or target.at_least(8, 0, 16)


def _varchar_bytes(length: int) -> int:
    return length * 4  # utf8mb4


def _instant_add_column(target: Target) -> bool:
    return target.at_least(10, 3, 2) if target.vendor == "mariadb" else target.at_least(8, 0, 12)


def _instant_drop_column(target: Target) -> bool:
    return target.at_least(10, 4) if target.vendor == "mariadb" else target.at_least(8, 0, 29)


_COPY_DEFAULT_FUNCTIONS = frozenset({"UUID", "UUID_SHORT", "SYS_GUID", "UUID_V4", "UUID_V7"})


def _default_functions(value: Any, depth: int = 0) -> set[str]:
    """Upper-case names of the SQL functions (and ``F`` column references, as "F") in a db_default."""
    if depth > 20 or value is None or isinstance(value, (str, bytes, int, float, bool)):
        return set()
    out: set[str] = set()
    name = type(value).__name__
    path = getattr(value, "safemigrate_path", None)
    if isinstance(path, str):
        out.add(path.rpartition(".")[2].upper())
    elif name == "F":
        out.add("F")
    for attr in ("function",):
        text = getattr(value, attr, None)
        if isinstance(text, str):
            out.add(text.upper())
    extra = getattr(value, "extra", None)
    if isinstance(extra, dict) and isinstance(extra.get("function"), str):
        out.add(extra["function"].upper())
    if name in ("Random",):
        out.add("RAND")
    if name in ("RandomUUID",):
        out.add("UUID")
    children: list[Any] = []
    try:
        children = list(value.get_source_expressions())
    except Exception:
        children = [*getattr(value, "args", ()), *getattr(value, "kwargs", {}).values()]
    for child in children:
        out |= _default_functions(child, depth + 1)
    return out


def _add_field(target: Target, field: FieldInfo, op_field: Any) -> list[OnlineDDL]:
    column = field.column or field.name
    statement = f"ADD COLUMN `{column}`"
    steps: list[OnlineDDL] = []
    mariadb = target.vendor == "mariadb"
    db_default = getattr(op_field, "db_default", NOT_PROVIDED)
    expression = db_default is not NOT_PROVIDED and type(db_default).__name__ != "Value"
    functions = _default_functions(db_default) if expression else set()
    if field.is_foreign_key and field.db_constraint:
        # One ALTER TABLE ... ADD COLUMN ..., ADD CONSTRAINT ... FOREIGN KEY: the check of existing rows
        # (foreign_key_checks=ON) forces a table copy.
        steps.append(_step(
            statement + " ..., ADD CONSTRAINT ... FOREIGN KEY", COPY, True,
            "adding a FOREIGN KEY with foreign_key_checks on needs ALGORITHM=COPY", "foreign-key",
            inferred=not mariadb,
        ))
    elif functions & (_COPY_DEFAULT_FUNCTIONS | {"F"}):
        steps.append(_step(
            statement + " ... DEFAULT (...)", COPY, True,
            "a default computed per row (" + ", ".join(sorted(functions & (_COPY_DEFAULT_FUNCTIONS | {"F"}))) + ") "
            "needs ALGORITHM=COPY", "default", inferred=not mariadb,
        ))
    elif not mariadb and field.internal_type in _POSITIVE and _checks_supported(target):
        steps.append(_step(
            statement + " ... CHECK (... >= 0)", COPY, True,
            "MySQL can't add a column with a CHECK constraint (Django's for positive integers) instantly",
            "check", inferred=True,
        ))
    elif field.unique and not field.primary_key:
        steps.append(_step(
            statement + " ... UNIQUE", INPLACE, True, "a new column with its unique index rebuilds the table online",
            "unique", inferred=not mariadb,
        ))
    elif not _instant_add_column(target):
        steps.append(_step(statement, INPLACE, True, f"{target.describe()} has no instant ADD COLUMN", inferred=True))
    elif expression and not mariadb:
        steps.append(_step(
            statement + " ... DEFAULT (...)", INPLACE, True, "MySQL adds columns with an expression default in place",
            "default", inferred=True,
        ))
    else:
        steps.append(_step(statement, INSTANT, False, "ADD COLUMN only changes the catalog", inferred=not mariadb))
    if db_default is NOT_PROVIDED and stored_default(op_field) and _drops_default(target, field, op_field):
        steps.append(_step(
            f"ALTER COLUMN `{column}` {'SET DEFAULT NULL' if field.null else 'DROP DEFAULT'}", INSTANT, False,
            "changing a default only changes the catalog", inferred=not mariadb,
        ))
    if _mysql_indexes_separately(field):
        steps.append(_step(
            f"CREATE INDEX ON (`{column}`)", INPLACE, False, "an index is built online: reads and writes continue",
            inferred=not mariadb,
        ))
    return steps


def _drops_default(target: Target, field: FieldInfo, op_field: Any) -> bool:
    """Whether Django drops the temporary default after ADD COLUMN. TEXT/BLOB/JSON columns get no database
    default when it is empty (Django fills them with an UPDATE), nor on MySQL."""
    if field.internal_type not in _LIMITED:
        return True
    default = op_field.default if op_field.has_default() else None
    return target.vendor == "mariadb" and default not in ("", b"")


_LIMITED = ("TextField", "BinaryField", "JSONField")


def _mysql_indexes_separately(field: FieldInfo) -> bool:
    """Whether Django runs a CREATE INDEX for the column (InnoDB indexes a constrained FOREIGN KEY itself)."""
    if field.unique or field.primary_key or field.internal_type in _LIMITED:
        return False
    if field.is_foreign_key:
        return not field.db_constraint and bool(field.field.db_index)
    return field.db_index


def _remove_field(target: Target, field: FieldInfo) -> list[OnlineDDL]:
    mariadb = target.vendor == "mariadb"
    column = field.column or field.name
    steps: list[OnlineDDL] = []
    if field.is_foreign_key and field.db_constraint:
        steps.append(_step("DROP FOREIGN KEY", INSTANT if mariadb else INPLACE, False,
                           "dropping a foreign key only changes the catalog", inferred=not mariadb))
    if field.indexed:
        steps.append(_step(f"DROP COLUMN `{column}`", INPLACE, not mariadb,
                           "dropping an indexed column drops its index too", inferred=not mariadb))
    elif _instant_drop_column(target):
        steps.append(_step(f"DROP COLUMN `{column}`", INSTANT, False, "DROP COLUMN only changes the catalog",
                           inferred=not mariadb))
    else:
        steps.append(_step(f"DROP COLUMN `{column}`", INPLACE, True,
                           f"{target.describe()} has no instant DROP COLUMN", inferred=True))
    return steps


@lru_cache(maxsize=4096)
def _db_kwargs(field: FieldInfo) -> tuple[Any, ...] | None:
    try:
        _, path, args, kwargs = field.field.deconstruct()
    except Exception:  # a placeholder or odd field class: can't tell
        return None
    kept = tuple(sorted((k, repr(v)) for k, v in kwargs.items() if k not in _NON_DB_ATTRS))
    return (path, tuple(repr(a) for a in args), kept)


def _schema_changes(old: FieldInfo, new: FieldInfo) -> bool:
    """Django's _field_should_be_altered: a different column, or different options outside
    ``Field.non_db_attrs``. A new Python ``default`` counts: it emits no SQL of its own, but Django
    still drops and re-adds a foreign key's constraint for it (measured on MariaDB 10.11)."""
    if old.column != new.column:
        return True
    a, b = _db_kwargs(old), _db_kwargs(new)
    return a is None or b is None or a != b


def _alter_field(
    target: Target, old: FieldInfo, new: FieldInfo, preserve_default: bool = True, op_field: Any = None
) -> list[OnlineDDL]:
    mariadb = target.vendor == "mariadb"
    inferred = not mariadb
    if not _schema_changes(old, new):
        return []
    steps: list[OnlineDDL] = []
    column = new.column or new.name
    fk_dropped = old.is_foreign_key and old.db_constraint
    if fk_dropped:
        steps.append(_step("DROP FOREIGN KEY", INSTANT if mariadb else INPLACE, False,
                           "dropping a foreign key only changes the catalog", inferred=inferred))
    if old.unique and not new.unique and not old.primary_key:
        steps.append(_step("DROP INDEX", INPLACE, False, "dropping an index changes no rows", inferred=inferred))
    if old.db_index and not old.unique and not (new.db_index and not new.unique) and _mysql_indexes_separately(old):
        steps.append(_step("DROP INDEX", INPLACE, False, "dropping an index changes no rows", inferred=inferred))
    if old.column != new.column:
        steps.append(_step(f"RENAME COLUMN `{old.column}` TO `{new.column}`",
                           INSTANT if mariadb or target.at_least(8, 0, 28) else INPLACE, False,
                           "renaming a column only changes the catalog", inferred=inferred))
    old_type, new_type = _column_type(target, old), _column_type(target, new)
    if old_type is not None and new_type is not None and old_type != new_type:
        steps.append(_type_change(target, old, new, old_type, new_type))
    elif old.null != new.null:
        default = op_field is not None and not new.null and (op_field.has_default() or new.has_db_default)
        if default and not new.has_db_default:
            steps.append(_step(f"ALTER COLUMN `{column}` SET DEFAULT", INSTANT, False,
                               "changing a default only changes the catalog", inferred=inferred))
        steps.append(_step(
            f"MODIFY `{column}` ... {'NULL' if new.null else 'NOT NULL'}", INPLACE, True,
            "changing NULL/NOT NULL rebuilds the table in place: reads and writes continue", "null", inferred=inferred,
        ))
        if default and not new.has_db_default:
            steps.append(_step(f"ALTER COLUMN `{column}` DROP DEFAULT", INSTANT, False,
                               "changing a default only changes the catalog", inferred=inferred))
    elif repr(old.db_default) != repr(new.db_default):
        steps.append(_step(f"ALTER COLUMN `{column}` SET DEFAULT", INSTANT, False,
                           "changing a default only changes the catalog", inferred=inferred))
    if new.unique and not old.unique and not new.primary_key:
        steps.append(_step("ADD CONSTRAINT ... UNIQUE", INPLACE, False,
                           "an index is built online: reads and writes continue", inferred=inferred))
    if new.db_index and not new.unique and not (old.db_index and not old.unique) and _mysql_indexes_separately(new):
        steps.append(_step("CREATE INDEX", INPLACE, False, "an index is built online: reads and writes continue",
                           inferred=inferred))
    if new.internal_type in _POSITIVE and old.internal_type not in _POSITIVE and _checks_supported(target):
        steps.append(_step("ADD CONSTRAINT ... CHECK (... >= 0)", COPY, True,
                           "adding a CHECK constraint needs ALGORITHM=COPY", "check", inferred=inferred))
    if new.is_foreign_key and new.db_constraint and (fk_dropped or not (old.is_foreign_key and old.db_constraint)):
        steps.append(_step(
            "ADD CONSTRAINT ... FOREIGN KEY", COPY, True,
            "adding a FOREIGN KEY with foreign_key_checks on needs ALGORITHM=COPY", "foreign-key",
            inferred=inferred,
        ))
    return steps


def _column_type(target: Target, field: FieldInfo) -> str | None:
    if field.internal_type in _RELATIONS:
        return f"relation to {field.related_model}"  # the type follows the target's primary key
    return mysql_type(target, field)


def _type_change(target: Target, old: FieldInfo, new: FieldInfo, old_type: str, new_type: str) -> OnlineDDL:
    mariadb = target.vendor == "mariadb"
    column = new.column or new.name
    statement = f"MODIFY `{column}` {new_type}"
    if old_type.startswith("relation") or new_type.startswith("relation"):
        return _step(statement, COPY, True, "the column's type changes with its relation", "type", inferred=True)
    if old_type.startswith("varchar(") and new_type.startswith("varchar(") and old.max_length and new.max_length:
        grows = new.max_length >= old.max_length
        same_prefix = (_varchar_bytes(old.max_length) > 255) == (_varchar_bytes(new.max_length) > 255)
        if grows and same_prefix:
            if mariadb and target.at_least(10, 4, 3):
                return _step(statement, INSTANT, False, "a longer VARCHAR with the same length prefix: catalog only")
            return _step(statement, INPLACE, False, "a longer VARCHAR with the same length prefix: in place",
                         inferred=True)
        if grows:
            why = (
                f"VARCHAR({old.max_length}) to VARCHAR({new.max_length}) changes its length prefix from 1 to 2 "
                "bytes (over 255 bytes in utf8mb4)"
            )
        else:
            why = f"shrinking VARCHAR({old.max_length}) to VARCHAR({new.max_length})"
        return _step(statement, COPY, True, why + " needs ALGORITHM=COPY", "type", inferred=not mariadb)
    return _step(statement, COPY, True, f"changing the column type from {old_type} to {new_type} needs ALGORITHM=COPY",
                 "type", inferred=not mariadb)


def _index_skipped(target: Target, index: Any) -> bool:
    """Indexes Django doesn't create: expression indexes on MariaDB. (A partial Index is created in full:
    MySQL and MariaDB have no partial indexes, and Django drops the condition.)"""
    return bool(getattr(index, "expressions", ())) and target.vendor == "mariadb"


def _add_index(target: Target, index: Any) -> list[OnlineDDL]:
    if _index_skipped(target, index):
        return []
    return [_step(f"CREATE INDEX `{index.name}`", INPLACE, False, "an index is built online: reads and writes continue",
                  inferred=target.vendor != "mariadb")]


def _constraint_skipped(target: Target, constraint: Any) -> bool:
    kind = type(constraint).__name__
    if kind == "CheckConstraint":
        return not _checks_supported(target)
    if kind == "UniqueConstraint":  # Django skips what it can't express: a condition, INCLUDE, expressions
        return (
            _index_skipped(target, constraint)
            or getattr(constraint, "condition", None) is not None
            or bool(getattr(constraint, "include", ()))
        )
    return False


def _add_constraint(target: Target, constraint: Any) -> list[OnlineDDL]:
    if _constraint_skipped(target, constraint):
        return []
    kind = type(constraint).__name__
    mariadb = target.vendor == "mariadb"
    if kind == "CheckConstraint":
        return [_step(f"ADD CONSTRAINT `{constraint.name}` CHECK", COPY, True,
                      "adding a CHECK constraint needs ALGORITHM=COPY", "check", inferred=not mariadb)]
    if kind == "UniqueConstraint":
        return [_step(f"ADD CONSTRAINT `{constraint.name}` UNIQUE", INPLACE, False,
                      "an index is built online: reads and writes continue", inferred=not mariadb)]
    return []


# --- operations the target can't run --------------------------------------------------------------

# django.contrib.postgres operations that fail anywhere else (the extension and collation operations
# do nothing on other databases, so they're not here).
POSTGRESQL_OPERATIONS = (
    "AddIndexConcurrently", "RemoveIndexConcurrently", "AddConstraintNotValid", "ValidateConstraint",
)
_POSTGRESQL_FIELDS = "django.contrib.postgres.fields."
_POSTGRESQL_CONSTRAINTS = ("ExclusionConstraint",)


_POSTGRESQL_CLASSES: dict[type, bool] = {}


def is_postgresql_operation(operation: object) -> bool:
    kind = type(operation)
    known = _POSTGRESQL_CLASSES.get(kind)
    if known is None:
        known = _POSTGRESQL_CLASSES[kind] = any(cls.__name__ in POSTGRESQL_OPERATIONS for cls in kind.__mro__)
    if known:
        return True
    path = getattr(operation, "safemigrate_path", None)  # an operation the reader couldn't import
    return isinstance(path, str) and path.rpartition(".")[2] in POSTGRESQL_OPERATIONS


def _postgresql_syntax(ctx: OperationContext) -> str | None:
    """The PostgreSQL-only form of the RunSQL statement the operation was read from (sqlops.postgresql_syntax)."""
    if ctx.statement is None or ctx.migration.target.is_postgresql:
        return None
    from safemigrate.sqlops import postgresql_syntax  # sqlops builds on Django's operations: imported when needed

    return postgresql_syntax(ctx.statement, ctx.migration.target.vendor)


def postgresql_only(ctx: OperationContext) -> str | None:
    """What in the operation only PostgreSQL can run ("AddIndexConcurrently", "ArrayField"...), if anything."""
    op = ctx.operation
    form = _postgresql_syntax(ctx)
    if form is not None:
        # Once per statement, though it may be read as several operations (ALTER COLUMN a ..., ALTER COLUMN b ...).
        first = next((c for c in ctx.sequence if c.statement is ctx.statement), ctx)
        return form if first is ctx else None
    if is_postgresql_operation(op):
        return str(getattr(op, "safemigrate_path", type(op).__name__)).rpartition(".")[2]
    if isinstance(op, ops.AddConstraint) and is_operation(op.constraint, *_POSTGRESQL_CONSTRAINTS):
        return "ExclusionConstraint"
    fields: list[FieldInfo] = []
    if isinstance(op, ops.CreateModel) and ctx.after is not None:
        fields = list(ctx.after.fields.values())
    elif isinstance(op, (ops.AddField, ops.AlterField)) and ctx.after is not None:
        field = ctx.after.field(op.name)
        fields = [field] if field is not None else []
    for info in fields:
        if info.path.startswith(_POSTGRESQL_FIELDS):
            return info.path.rpartition(".")[2]
    return None


# --- what runs SQL at all (for transactional questions) --------------------------------------------

_NO_SQL = (ops.AlterModelOptions, ops.AlterModelManagers)
_NO_SQL_OUTSIDE_POSTGRESQL = ("CreateExtension", "CreateCollation", "RemoveCollation")


def runs_sql(ctx: OperationContext) -> bool:
    """Whether the operation sends anything to the target database (schema or data)."""
    op = ctx.operation
    if ctx.state_only or isinstance(op, (ops.SeparateDatabaseAndState, *_NO_SQL)):
        return False
    if ctx.statement is not None:
        return False  # a statement of a RunSQL, read as an operation: the RunSQL itself counts
    if isinstance(op, ops.RunPython):
        return not (ctx.function is not None and ctx.function.is_noop)
    if isinstance(op, ops.RunSQL):
        return op.sql not in ("", [], ())
    if ctx.unknown_operation:
        return True
    if not ctx.migration.target.is_postgresql and is_operation(op, *_NO_SQL_OUTSIDE_POSTGRESQL):
        return False
    model = ctx.before or ctx.after
    if isinstance(model, ModelInfo) and not model.has_table:
        return False
    if isinstance(op, (ops.CreateModel, ops.DeleteModel)):
        return True
    if isinstance(op, (ops.RenameModel, ops.AlterModelTable)):
        return _renames_table(ctx)
    if ctx.migration.target.is_mysql_family and ctx.model_known and isinstance(op, _CLASSIFIED):
        field = ctx.before.field(op.name) if isinstance(op, (ops.AddField, ops.RemoveField)) and ctx.before else None
        if isinstance(op, ops.AddField) and ctx.after is not None:
            field = ctx.after.field(op.name)
        if field is not None and field.is_m2m:
            return True  # creates or drops the join table
        return bool(mysql_online_ddl(ctx)) or postgresql_only(ctx) is not None
    return True


# Operations mysql_online_ddl knows fully: no statement from it means no SQL.
_CLASSIFIED = (
    ops.AddField, ops.RemoveField, ops.AlterField, ops.RenameField, ops.AddIndex, ops.RemoveIndex, ops.RenameIndex,
    ops.AddConstraint, ops.RemoveConstraint, ops.AlterUniqueTogether, ops.AlterIndexTogether,
)


def _renames_table(ctx: OperationContext) -> bool:
    return ctx.before is not None and ctx.after is not None and ctx.before.table != ctx.after.table
