"""RunSQL statements read as the Django operations they amount to.

A statement changes the database the way a Django operation would: ``ALTER TABLE shop_product
DROP COLUMN sku`` is the ``RemoveField("product", "sku")`` that only the database sees. The
replay (replay.py) gives ``translate()`` each statement of a RunSQL (and of its reverse_sql) and
replays what comes back as database-only operations in context, so the rules that judge Django's
operations judge raw SQL the same way, and the database shadow learns what the SQL did (a column
dropped, a constraint added NOT VALID, then validated) for the migrations after it.

- Tables map to models through the state (``ModelInfo.table``). A table no model has (created by
  raw SQL, or of an app nobody can see) gets a stand-in model under the app label ``SQL_APP``.
- Statements with no Django equivalent that lock or rewrite a table (LOCK TABLE, TRUNCATE,
  VACUUM FULL, CLUSTER, REINDEX, an UPDATE or DELETE of every row) become marker operations that
  change no state, judged by rules of their own.
- Statements known to be harmless (SELECT, INSERT, COMMENT, CREATE VIEW or FUNCTION, GRANT, SET,
  ...) yield nothing. Anything else becomes an ``UnverifiableStatement``: never silently skipped.

The reader is a small tokenizer and a recursive-descent reader of PostgreSQL's syntax for those
forms: exact on what it accepts, and it declines the rest rather than guess. (sqlparse's lexer is
about six times slower on these statements, and its grouping knows nothing of ALTER TABLE clauses,
so it isn't used here.)
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import models
from django.db.migrations import operations as ops
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ModelState, ProjectState
from django.db.models.constraints import BaseConstraint
from django.db.models.expressions import RawSQL
from django.db.models.fields import NOT_PROVIDED

from safemigrate.schema import FieldInfo
from safemigrate.source.placeholders import Unevaluable, make_placeholder_field
from safemigrate.source.postgres_operations import (
    AddConstraintNotValid,
    AddIndexConcurrently,
    RemoveIndexConcurrently,
    ValidateConstraint,
)
from safemigrate.sqlfacts import Statement

SQL_APP = "__sql__"  # app label of the stand-in models of tables no model in the state has
UNKNOWN_TABLE = "(unknown table)"  # the table of an index nothing in the state names

# --- operations with no Django equivalent ------------------------------------------------------------


class SqlStatementOperation(Operation):
    """A statement with no Django equivalent: it changes no state, and a rule of its own judges it."""

    reduces_to_sql = False
    reversible = True

    def __init__(self, model_name: str | None = None, table: str | None = None) -> None:
        self.model_name = model_name
        self.table = table

    def state_forwards(self, app_label: str, state: Any) -> None:
        return None

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return type(self).__name__, [], {"model_name": self.model_name, "table": self.table}

    def describe(self) -> str:
        return f"{type(self).__name__} {self.table or ''}".strip()


class LockTable(SqlStatementOperation):
    """LOCK TABLE ... IN <mode> MODE (ACCESS EXCLUSIVE when no mode is given)."""

    def __init__(self, model_name: str | None, table: str, mode: str) -> None:
        super().__init__(model_name, table)
        self.mode = mode


class TruncateTable(SqlStatementOperation):
    """TRUNCATE: ACCESS EXCLUSIVE, and every row is gone."""

    def __init__(self, model_name: str | None, table: str, cascade: bool) -> None:
        super().__init__(model_name, table)
        self.cascade = cascade


class VacuumFull(SqlStatementOperation):
    """VACUUM FULL: rewrites the table (every table, without one) under ACCESS EXCLUSIVE."""


class ClusterTable(SqlStatementOperation):
    """CLUSTER: rewrites the table (every clustered table, without one) under ACCESS EXCLUSIVE."""


class _ReindexStatement(SqlStatementOperation):
    def __init__(self, model_name: str | None, table: str | None, target: str, name: str | None) -> None:
        super().__init__(model_name, table)
        self.target = target  # INDEX | TABLE | SCHEMA | DATABASE | SYSTEM
        self.name = name


class Reindex(_ReindexStatement):
    """REINDEX without CONCURRENTLY: rebuilds indexes while blocking the table's writes (and reads that use them)."""


class ReindexConcurrently(_ReindexStatement):
    """REINDEX ... CONCURRENTLY: builds new indexes beside the old ones (reads and writes continue), but, like
    CREATE INDEX CONCURRENTLY, it can't run inside a transaction block."""


class WholeTableChange(SqlStatementOperation):
    """UPDATE or DELETE without WHERE: one statement that changes (and locks) every row."""

    def __init__(self, model_name: str | None, table: str, verb: str) -> None:
        super().__init__(model_name, table)
        self.verb = verb  # UPDATE | DELETE


class UnverifiableStatement(SqlStatementOperation):
    """A statement safemigrate can't read, or reads but can't judge: reported, never skipped."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class RenameColumn(ops.RenameField):
    """ALTER TABLE ... RENAME COLUMN: the field keeps its name, its column takes the new one.

    A RenameField whose old and new names are the field's name, so the rename-column rule judges it
    by the columns before and after it.
    """

    def __init__(self, model_name: str, name: str, column: str) -> None:
        super().__init__(model_name, name, name)
        self.column = column

    def state_forwards(self, app_label: str, state: Any) -> None:
        model_state = state.models[app_label, self.model_name_lower]
        renamed = copy.copy(model_state.fields[self.old_name])
        renamed.db_column = self.column
        state.alter_field(app_label, self.model_name_lower, self.old_name, renamed, True)

    def describe(self) -> str:
        return f"Rename the column of {self.old_name} on {self.model_name} to {self.column}"


class ForeignKeyConstraint(BaseConstraint):
    """ADD CONSTRAINT ... FOREIGN KEY, which Django only creates from a ForeignKey field."""

    def __init__(self, *, name: str, columns: tuple[str, ...], to_table: str) -> None:
        super().__init__(name=name)
        self.columns = columns
        self.to_table = to_table

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        kwargs = {"name": self.name, "columns": self.columns, "to_table": self.to_table}
        return "safemigrate.sqlops.ForeignKeyConstraint", (), kwargs

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ForeignKeyConstraint) and self.deconstruct() == other.deconstruct()

    def __hash__(self) -> int:
        return hash(self.name)


# --- tokens -----------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<ident>"(?:[^"]|"")*"|`(?:[^`]|``)*`)
  | (?P<string>[Ee]'(?:[^'\\]|''|\\.)*'|[XxBbNn]?'(?:[^']|'')*'|\$\$.*?\$\$|\$(?P<tag>[A-Za-z_]\w*)\$.*?\$(?P=tag)\$)
  | (?P<param>%\(\w+\)s|%s|\$\d+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
  | (?P<word>[^\W\d]\w*)
  | (?P<op>::|<>|!=|<=|>=|\|\||.)
    """,
    re.X | re.S,
)


class Tok(NamedTuple):
    kind: str  # word | ident (quoted) | string | param | number | op
    text: str

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""

    @property
    def name(self) -> str | None:
        """The identifier it spells: unquoted names fold to lower case, as PostgreSQL folds them."""
        if self.kind == "word":
            return self.text.lower()
        if self.kind == "ident":
            quote = self.text[0]
            return self.text[1:-1].replace(quote * 2, quote)
        return None


def tokenize(text: str) -> list[Tok]:
    out = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "tag":
            kind = "string"
        if kind and kind != "space":
            out.append(Tok(kind, match.group(0)))
    return out


class _Reader:
    """A cursor over one statement's tokens."""

    def __init__(self, tokens: list[Tok]) -> None:
        self.toks = tokens
        self.i = 0

    def peek(self, k: int = 0) -> Tok | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def word(self, k: int = 0) -> str:
        tok = self.peek(k)
        return tok.upper if tok is not None else ""

    def at(self, *words: str) -> bool:
        return all(self.word(k) == w for k, w in enumerate(words))

    def take(self, *words: str) -> bool:
        if self.at(*words):
            self.i += len(words)
            return True
        return False

    def take_any(self, *words: str) -> str:
        word = self.word()
        if word and word in words:
            self.i += 1
            return word
        return ""

    def is_op(self, text: str, k: int = 0) -> bool:
        tok = self.peek(k)
        return tok is not None and tok.kind == "op" and tok.text == text

    def take_op(self, text: str) -> bool:
        if self.is_op(text):
            self.i += 1
            return True
        return False

    @property
    def done(self) -> bool:
        return self.i >= len(self.toks)

    def name(self) -> str | None:
        """An identifier, possibly schema-qualified; the schema is dropped (tables match by their own name)."""
        tok = self.peek()
        if tok is None or tok.name is None:
            return None
        self.i += 1
        name = tok.name
        while self.is_op(".") and self.peek(1) is not None and self.peek(1).name is not None:  # type: ignore[union-attr]
            name = self.toks[self.i + 1].name or name
            self.i += 2
        return name

    def group(self) -> list[Tok] | None:
        """The tokens inside the parenthesised group starting here (consumed), or None if none starts here."""
        if not self.is_op("("):
            return None
        depth, start = 0, self.i
        while self.i < len(self.toks):
            tok = self.toks[self.i]
            self.i += 1
            if tok.kind == "op" and tok.text == "(":
                depth += 1
            elif tok.kind == "op" and tok.text == ")":
                depth -= 1
                if depth == 0:
                    return self.toks[start + 1 : self.i - 1]
        return self.toks[start + 1 :]

    def until(self, stops: frozenset[str] = frozenset(), comma: bool = True) -> list[Tok]:
        """Tokens up to (not including) a stop keyword or, with ``comma``, a comma, outside parentheses."""
        out: list[Tok] = []
        depth = 0
        while self.i < len(self.toks):
            tok = self.toks[self.i]
            if depth == 0 and ((tok.upper and tok.upper in stops) or (comma and tok.kind == "op" and tok.text == ",")):
                break
            if tok.kind == "op" and tok.text in "([":
                depth += 1
            elif tok.kind == "op" and tok.text in ")]":
                depth -= 1
            out.append(tok)
            self.i += 1
        return out

    def skip_item(self) -> None:
        """Skip to the next top-level comma (consumed) or the end."""
        self.until()
        self.take_op(",")


def split_top(tokens: list[Tok]) -> list[list[Tok]]:
    """A token list split at its top-level commas."""
    reader = _Reader(tokens)
    parts = []
    while not reader.done:
        parts.append(reader.until())
        reader.take_op(",")
    return [p for p in parts if p]


_WORDS = re.compile(r"\w+")
_GLUED = frozenset({"(", ")", ",", "[", "]", ".", "::"})


def text_of(tokens: list[Tok]) -> str:
    """Tokens joined back into compact SQL text (lower-case words kept as written)."""
    out = ""
    for tok in tokens:
        glue = (tok.kind == "op" and tok.text in _GLUED) or out.endswith(("(", "[", ".", "::"))
        out += tok.text if glue or not out else " " + tok.text
    return out


# --- column types ---------------------------------------------------------------------------------------

_TYPES: dict[str, type[models.Field[Any, Any]]] = {
    "smallint": models.SmallIntegerField,
    "int2": models.SmallIntegerField,
    "integer": models.IntegerField,
    "int": models.IntegerField,
    "int4": models.IntegerField,
    "bigint": models.BigIntegerField,
    "int8": models.BigIntegerField,
    "text": models.TextField,
    "boolean": models.BooleanField,
    "bool": models.BooleanField,
    "date": models.DateField,
    "timestamptz": models.DateTimeField,
    "timestamp with time zone": models.DateTimeField,
    "time": models.TimeField,
    "time without time zone": models.TimeField,
    "uuid": models.UUIDField,
    "jsonb": models.JSONField,
    "double precision": models.FloatField,
    "float8": models.FloatField,
    "bytea": models.BinaryField,
    "interval": models.DurationField,
    "inet": models.GenericIPAddressField,
}
_SERIALS: dict[str, type[models.Field[Any, Any]]] = {
    "smallserial": models.SmallIntegerField,
    "serial2": models.SmallIntegerField,
    "serial": models.IntegerField,
    "serial4": models.IntegerField,
    "bigserial": models.BigIntegerField,
    "serial8": models.BigIntegerField,
}
_VARCHAR = re.compile(r"(?:varchar|character varying)(?:\((\d+)\))?")
_NUMERIC = re.compile(r"(?:numeric|decimal)(?:\((\d+)(?:,(\d+))?\))?")


def column_field(
    type_text: str,
    *,
    column: str,
    null: bool = True,
    unique: bool = False,
    primary_key: bool = False,
    db_index: bool = False,
    default: str | None = None,
) -> models.Field[Any, Any]:
    """The Django field a column of this SQL type is (a placeholder for types Django has no field for)."""
    kind = type_text.lower()
    options: dict[str, Any] = {"null": null, "db_column": column, "unique": unique, "primary_key": primary_key}
    if db_index:
        options["db_index"] = True
    cls = _TYPES.get(kind) or _SERIALS.get(kind)
    result: models.Field[Any, Any]
    if kind in _SERIALS and default is None:
        default = f"nextval('{column}_seq')"  # a serial column draws every existing row a number
    if cls is not None:
        result = cls(**options)
    elif match := _VARCHAR.fullmatch(kind):
        result = models.CharField(max_length=int(match[1]) if match[1] else None, **options)
    elif match := _NUMERIC.fullmatch(kind):
        digits = int(match[1]) if match[1] else None
        places = int(match[2]) if match[2] else (0 if digits is not None else None)
        result = models.DecimalField(max_digits=digits, decimal_places=places, **options)
    else:
        result = make_placeholder_field("sql." + kind.replace(".", "_"), (), options)
    if default is not None:
        result.db_default = RawSQL(default, ())  # type: ignore[attr-defined]  # Django 4.2 has no db_default
    return result


def check_constraint(name: str, condition: Any) -> models.CheckConstraint:
    """A CheckConstraint on every supported Django (``condition=`` from 5.1, ``check=`` before)."""
    try:
        return models.CheckConstraint(condition=condition, name=name)
    except TypeError:  # Django 4.2 and 5.0
        return models.CheckConstraint(check=condition, name=name)  # type: ignore[call-arg]


# --- the schema the statements run against -------------------------------------------------------------


@dataclass
class Step:
    """An operation a statement amounts to, on a model of ``app_label`` (replayed against the database only)."""

    operation: Operation
    app_label: str = SQL_APP
    table: str | None = None  # the table it works on, when known
    creates_table: bool = False


class SqlSchema:
    """Django's state and the replay's database shadow, seen by table name (the database's view first)."""

    def __init__(self, state: ProjectState, db: ProjectState, shared: dict[Any, ModelState] | None = None) -> None:
        self.state = state
        self.db = db
        # A copy-on-write view: ``db`` starts as a shallow copy of these models, which must not change.
        self.shared = shared
        self.indexed: set[tuple[str, str]] = set()  # models of ``db`` whose relations shadow() indexed

    def unshare(self, key: tuple[str, str]) -> None:
        """Make the database shadow's model its own copy before something changes it in place."""
        if self.shared is not None and key in self.db.models and self.db.models[key] is self.shared.get(key):
            self.db.models[key] = self.db.models[key].clone()

    def model_state(self, key: tuple[str, str]) -> ModelState | None:
        found = self.db.models.get(key)
        return found if found is not None else self.state.models.get(key)

    def _models(self) -> Iterator[tuple[tuple[str, str], ModelState]]:
        yield from self.db.models.items()
        for key, model_state in self.state.models.items():
            if key not in self.db.models:
                yield key, model_state

    @staticmethod
    def table_of(model_state: ModelState) -> str:
        return str(model_state.options.get("db_table") or f"{model_state.app_label}_{model_state.name_lower}")

    def find(self, table: str) -> tuple[str, str] | None:
        """The model whose table this is: a managed model of the state first, a stand-in last."""
        wanted = table.lower()
        for i, char in enumerate(wanted):  # the default name, <app>_<model>, without a scan
            if char == "_":
                key = (wanted[:i], wanted[i + 1 :])
                found = self.model_state(key)
                if found is not None and self.table_of(found).lower() == wanted and _has_table(found):
                    return key
        best: tuple[int, tuple[str, str]] | None = None
        for key, model_state in self._models():
            if self.table_of(model_state).lower() != wanted:
                continue
            rank = 0 if key[0] == SQL_APP else (2 if _has_table(model_state) else 1)
            if best is None or rank > best[0]:
                best = (rank, key)
        return best[1] if best else None

    def model(self, table: str) -> tuple[str, str]:
        """The model of a table; a stand-in model (kept in the database shadow) when the state has none."""
        key = self.find(table)
        if key is None:
            key = (SQL_APP, table.lower())
            self.db.add_model(ModelState(SQL_APP, table.lower(), [], {"db_table": table}))
        return key

    def field_for_column(self, key: tuple[str, str], column: str) -> str | None:
        """The name of the field whose column this is."""
        model_state = self.model_state(key)
        if model_state is None:
            return None
        wanted = column.lower()
        for name, value in model_state.fields.items():
            info = FieldInfo(name, value, key[0], key[1])
            if (info.column or "").lower() == wanted:
                return str(name)
        return None

    def shadow(self, key: tuple[str, str]) -> None:
        """Give the database shadow its own copy of a state model about to change there, with its relations
        indexed: altering or removing a ForeignKey there needs them, and a copy the replay made by hand
        (``db.models[key] = ...``, before a database-only operation) has none."""
        if key not in self.db.models:
            if key in self.state.models:
                self.db.add_model(self.state.models[key].clone())  # indexes its relations
            return
        relations = getattr(self.db, "_relations", None)
        if relations is None or key in self.indexed:
            return
        self.indexed.add(key)
        try:
            for related in relations.values():  # forget what is indexed of it, then index all of it
                related.pop(key, None)
            self.db.resolve_model_relations(key)
        except Exception:  # a relation the index can't resolve: the replay reports what then fails
            pass

    def learn_column(self, key: tuple[str, str], column: str) -> str:
        """Add a column the database has but no replayed operation created (a nullable column of unknown type)."""
        self.unshare(key)
        self.shadow(key)
        name = column if column not in self.db.models[key].fields else f"sql_{column}"
        learned = make_placeholder_field("sql.unknown", (), {"null": True, "db_column": column})
        self.db.models[key].fields[name] = learned
        return name

    def index_owner(self, index: str) -> tuple[str, str] | None:
        """The model with an index (or index-backed constraint) of that name; else by Django's naming,
        ``<table>_<columns>_<hash>``, the model with the longest table name the index name starts with."""
        wanted = index.lower()
        by_prefix: tuple[int, tuple[str, str]] | None = None
        for key, model_state in self._models():
            for option in ("indexes", "constraints"):
                if any(str(getattr(o, "name", "")).lower() == wanted for o in model_state.options.get(option, ())):
                    return key
            table = self.table_of(model_state).lower()
            if wanted.startswith(table + "_") and (by_prefix is None or len(table) > by_prefix[0]):
                by_prefix = (len(table), key)
        return by_prefix[1] if by_prefix else None


def _has_table(model_state: ModelState) -> bool:
    return bool(model_state.options.get("managed", True)) and not model_state.options.get("proxy", False)


# --- statements -------------------------------------------------------------------------------------------

# Leading keywords of statements that change no table's shape and take no lock running code notices.
HARMLESS = frozenset(
    {
        "SELECT", "INSERT", "VALUES", "TABLE", "COPY", "MERGE", "EXPLAIN", "SHOW", "SET", "RESET", "COMMENT",
        "GRANT", "REVOKE", "ANALYZE", "ANALYSE", "REFRESH", "NOTIFY", "LISTEN", "UNLISTEN", "BEGIN", "START",
        "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE", "DISCARD", "DEALLOCATE", "PREPARE", "SECURITY",
        "LOAD", "CHECKPOINT", "DECLARE", "FETCH", "CLOSE", "MOVE", "IMPORT", "PRAGMA", "ABORT",
    }
)
# ALTER <object> forms that change no table.
_HARMLESS_ALTER = frozenset(
    {
        "SEQUENCE", "VIEW", "FUNCTION", "PROCEDURE", "TYPE", "EXTENSION", "DOMAIN", "ROLE", "USER", "GROUP",
        "DEFAULT", "MATERIALIZED", "TRIGGER", "POLICY", "COLLATION", "TEXT", "AGGREGATE", "OPERATOR", "DATABASE",
        "RULE", "STATISTICS", "PUBLICATION", "SUBSCRIPTION", "EVENT", "CONVERSION", "LANGUAGE", "LARGE", "SERVER",
        "ROUTINE", "CAST",
    }
)
# DROP <object> forms that change no table.
_HARMLESS_DROP = _HARMLESS_ALTER | {"TRANSFORM", "ACCESS", "FOREIGN"}
_LOCK_MODES = (
    "ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE ROW EXCLUSIVE", "SHARE",
    "ACCESS EXCLUSIVE", "EXCLUSIVE",
)
# Keywords that end a column's type and start its constraints.
_COLUMN_CLAUSES = frozenset(
    {
        "CONSTRAINT", "NOT", "NULL", "DEFAULT", "PRIMARY", "UNIQUE", "REFERENCES", "CHECK", "COLLATE", "GENERATED",
        "DEFERRABLE", "INITIALLY",
    }
)
# ALTER TABLE actions that change no column, index or constraint running code relies on.
_HARMLESS_TABLE_ACTIONS = frozenset(
    {"OWNER", "SET", "RESET", "ENABLE", "DISABLE", "REPLICA", "CLUSTER", "FORCE", "NO", "INHERIT", "OF", "NOT"}
)
_TABLE_CONSTRAINTS = frozenset({"CONSTRAINT", "CHECK", "UNIQUE", "PRIMARY", "FOREIGN", "EXCLUDE", "LIKE"})
_REFERENTIAL_ACTIONS = ("CASCADE", "RESTRICT", "NO ACTION", "SET NULL", "SET DEFAULT")


class Unverifiable(Exception):
    """The statement (or one of its clauses) can't be judged; the message says why."""


@dataclass
class _Column:
    name: str
    type: str
    null: bool = True
    default: str | None = None
    primary_key: bool = False
    unique: bool = False
    references: str | None = None
    identity: bool = False
    generated: bool = False

    def field(self) -> models.Field[Any, Any]:
        default = self.default
        if self.identity and default is None:
            default = f"nextval('{self.name}_identity')"  # every existing row draws a number
        if self.references is not None:
            return models.ForeignKey(  # type: ignore[call-arg]
                to=self.references,
                on_delete=models.DO_NOTHING,
                related_name="+",
                db_column=self.name,
                null=self.null,
                unique=self.unique,
                db_index=False,  # REFERENCES creates no index
            )
        return column_field(
            self.type,
            column=self.name,
            null=self.null and not self.primary_key,
            unique=self.unique,
            primary_key=self.primary_key,
            default=default,
        )


@dataclass
class _Translation:
    statement: Statement
    schema: SqlSchema
    steps: list[Step] = field(default_factory=list)

    def add(self, operation: Operation, key: tuple[str, str] | None, table: str | None = None) -> None:
        if key is not None:
            self.schema.shadow(key)
        self.steps.append(Step(operation, key[0] if key else SQL_APP, table))

    def unverifiable(self, reason: str) -> None:
        self.steps.append(Step(UnverifiableStatement(reason)))


def postgresql_syntax(statement: Statement, vendor: str) -> str | None:
    """The PostgreSQL-only form a statement is written in, which ``vendor`` (MySQL, MariaDB or SQLite) rejects:
    ``ALTER COLUMN ... TYPE`` and ``SET``/``DROP NOT NULL`` (MySQL and MariaDB change a column with MODIFY,
    SQLite can't), ``LOCK TABLE ... IN <mode> MODE``, and on MySQL/MariaDB ``DROP INDEX`` without ``ON <table>``.
    (CONCURRENTLY, NOT VALID and VALIDATE CONSTRAINT are read as operations that are PostgreSQL's own.)"""
    if statement.kind not in ("ALTER", "DROP", "LOCK"):
        return None
    words = [t.upper for t in tokenize(statement.text)]
    if statement.kind == "LOCK":
        return "LOCK TABLE ... IN ... MODE" if "MODE" in words and words[1:2] != ["TABLES"] else None
    if statement.kind == "DROP":
        mysql = vendor in ("mysql", "mariadb")
        return "DROP INDEX without ON <table>" if mysql and words[1:2] == ["INDEX"] and "ON" not in words else None
    if words[1:2] != ["TABLE"]:
        return None
    for i in range(2, len(words)):
        if words[i] != "ALTER" or words[i + 1 : i + 2] == ["CONSTRAINT"]:
            continue
        column = i + 2 if words[i + 1 : i + 2] == ["COLUMN"] else i + 1
        action = words[column + 1 : column + 4]
        if action[:1] == ["TYPE"] or action == ["SET", "DATA", "TYPE"]:
            return "ALTER COLUMN ... TYPE"
        if action in (["SET", "NOT", "NULL"], ["DROP", "NOT", "NULL"]):
            return "ALTER COLUMN ... " + " ".join(action)
    return None


def unread_parts(sql: Any) -> list[Statement]:
    """The parts of a RunSQL argument that aren't literal SQL (computed when the migration runs, so the static
    reader has no text for them), as statements holding the source that computes them."""
    if sql is None or isinstance(sql, str):
        return []
    items = list(sql) if isinstance(sql, (list, tuple)) else [sql]
    out = []
    for part, item in enumerate(items):
        if isinstance(item, (list, tuple)) and item:
            item = item[0]
        if not isinstance(item, str):
            source = item.source if isinstance(item, Unevaluable) else getattr(item, "safemigrate_path", repr(item))
            out.append(Statement(str(source), "", 0, part))
    return out


def unread(statement: Statement) -> Step:
    return Step(UnverifiableStatement(f"its SQL is computed when the migration runs ({statement.short(40)})"))


def translate(statement: Statement, schema: SqlSchema) -> list[Step]:
    """The operations one statement amounts to, in the order they take effect (none for harmless statements).

    Operations that change the state are applied by the caller before the next statement is translated,
    so each statement sees what the ones before it did.
    """
    work = _Translation(statement, schema)
    reader = _Reader(tokenize(statement.text))
    try:
        _statement(reader, work)
    except Unverifiable as why:
        work.unverifiable(str(why))
    except Exception:  # a form the reader doesn't follow: reported, never a traceback
        work.unverifiable("it couldn't be read")
    return work.steps


def _statement(r: _Reader, work: _Translation) -> None:
    first = r.word()
    if not first:
        raise Unverifiable("it doesn't start with a SQL keyword")
    if first in HARMLESS:
        return
    r.i += 1
    handler = _STATEMENTS.get(first)
    if handler is None:
        raise Unverifiable(f"it doesn't read {first} statements")
    handler(r, work)


# --- ALTER TABLE ------------------------------------------------------------------------------------------


def _alter(r: _Reader, work: _Translation) -> None:
    if r.take("TABLE"):
        _alter_table(r, work)
    elif r.take("INDEX"):
        rest = {t.upper for t in r.toks[r.i :]}
        if "TABLESPACE" in rest:
            raise Unverifiable("ALTER INDEX ... SET TABLESPACE rewrites the index, which no rule judges")
    elif r.word() == "FOREIGN" and r.word(1) == "TABLE":
        return
    elif r.word() not in _HARMLESS_ALTER:
        raise Unverifiable(f"it doesn't read ALTER {r.word() or '...'}")


def _alter_table(r: _Reader, work: _Translation) -> None:
    r.take("IF", "EXISTS")
    r.take("ONLY")
    table = r.name()
    r.take_op("*")
    if table is None:
        raise Unverifiable("the table name couldn't be read")
    key = work.schema.model(table)
    if r.take("RENAME"):
        if r.take("TO"):
            new = r.name()
            if new is None:
                raise Unverifiable("the new table name couldn't be read")
            if key[0] != SQL_APP:
                work.add(ops.AlterModelTable(key[1], new), key, table)
            else:  # a table the state doesn't know: follow it under its new name
                work.schema.unshare(key)
                work.schema.db.models[key].options["db_table"] = new
            return
        if r.take("CONSTRAINT"):
            return  # the constraint's name changes; nothing a rule judges
        r.take("COLUMN")
        old = r.name()
        r.take("TO")
        new = r.name()
        if old is None or new is None:
            raise Unverifiable("the column names couldn't be read")
        name = work.schema.field_for_column(key, old)
        if name is not None:
            work.add(RenameColumn(key[1], name, new), key, table)
        return
    if r.at("SET", "SCHEMA") or r.at("ATTACH", "PARTITION") or r.at("DETACH", "PARTITION"):
        raise Unverifiable(f"it doesn't read ALTER TABLE ... {r.word()} {r.word(1)}")
    while not r.done:
        _alter_action(r, work, key, table)
        if not r.take_op(","):
            if not r.done:
                raise Unverifiable(f'it doesn\'t read the ALTER TABLE clause at "{text_of(r.toks[r.i : r.i + 3])}"')
            break


def _alter_action(r: _Reader, work: _Translation, key: tuple[str, str], table: str) -> None:
    if r.take("ADD"):
        if r.word() in _TABLE_CONSTRAINTS - {"LIKE"}:
            _add_constraint(r, work, key, table)
            return
        if r.word() in ("INDEX", "KEY", "FULLTEXT", "SPATIAL"):
            raise Unverifiable(f"it doesn't read ADD {r.word()} (MySQL syntax)")
        r.take("COLUMN")
        if_not_exists = r.take("IF", "NOT", "EXISTS")
        added = _column(r)
        existing = work.schema.field_for_column(key, added.name)
        if existing is not None and if_not_exists:
            return
        if added.generated:
            raise Unverifiable("a stored generated column computes every row (a table rewrite), which no rule judges")
        model_state = work.schema.model_state(key)
        name = existing or (
            added.name if model_state is None or added.name not in model_state.fields else f"sql_{added.name}"
        )
        if added.references is not None:
            added.references = _model_label(work.schema.model(added.references))
        work.add(ops.AddField(key[1], name, added.field()), key, table)
        return
    if r.take("DROP"):
        if r.take("CONSTRAINT"):
            r.take("IF", "EXISTS")
            constraint = r.name()
            r.take_any("CASCADE", "RESTRICT")
            if constraint is not None:
                work.add(ops.RemoveConstraint(key[1], constraint), key, table)
            return
        if r.at("PRIMARY", "KEY") or r.word() in ("INDEX", "KEY", "FOREIGN"):
            raise Unverifiable(f"it doesn't read DROP {r.word()} (MySQL syntax)")
        r.take("COLUMN")
        r.take("IF", "EXISTS")
        dropped = r.name()
        r.take_any("CASCADE", "RESTRICT")
        if dropped is None:
            raise Unverifiable("the column name couldn't be read")
        field_name = work.schema.field_for_column(key, dropped)
        if field_name is not None:  # else a column no replayed operation created: no code knows it
            work.add(ops.RemoveField(key[1], field_name), key, table)
        return
    if r.take("ALTER"):
        if r.take("CONSTRAINT"):
            r.until()
            return
        r.take("COLUMN")
        altered = r.name()
        if altered is None:
            raise Unverifiable("the column name couldn't be read")
        _alter_column(r, work, key, table, altered)
        return
    if r.take("VALIDATE", "CONSTRAINT"):
        validated = r.name()
        if validated is None:
            raise Unverifiable("the constraint name couldn't be read")
        work.add(ValidateConstraint(key[1], validated), key, table)
        return
    if r.word() in ("ALGORITHM", "LOCK"):  # MySQL: how the server may run it (vendors.py reads it from the text)
        r.i += 1
        r.take_op("=")
        r.take_any("DEFAULT", "INSTANT", "INPLACE", "NOCOPY", "COPY", "NONE", "SHARED", "EXCLUSIVE")
        return
    if r.at("SET", "TABLESPACE") or r.at("SET", "LOGGED") or r.at("SET", "UNLOGGED") or r.at("SET", "ACCESS"):
        raise Unverifiable(f"ALTER TABLE ... SET {r.word(1)} rewrites the table, which no rule judges")
    word = r.word()
    if word in _HARMLESS_TABLE_ACTIONS:
        r.until()  # ownership, storage parameters, triggers, row security: no table change
        return
    raise Unverifiable(f"it doesn't read ALTER TABLE ... {word or text_of(r.toks[r.i : r.i + 2])}")


def _alter_column(r: _Reader, work: _Translation, key: tuple[str, str], table: str, column: str) -> None:
    name = work.schema.field_for_column(key, column)
    model_state = work.schema.model_state(key)
    old = model_state.fields[name] if model_state is not None and name is not None else None
    if r.take("SET", "NOT", "NULL"):
        if name is None:
            name = work.schema.learn_column(key, column)
            old = work.schema.db.models[key].fields[name]
        if old is not None and old.null:
            new = copy.copy(old)
            new.null = False
            work.add(ops.AlterField(key[1], name, new), key, table)
        return
    if r.take("DROP", "NOT", "NULL"):
        if old is not None and name is not None and not old.null:
            new = copy.copy(old)
            new.null = True
            work.add(ops.AlterField(key[1], name, new), key, table)
        return
    if r.take("SET", "DATA", "TYPE") or r.take("TYPE"):
        type_text = text_of(r.until(frozenset({"COLLATE", "USING"})))
        r.until()  # COLLATE, USING
        if old is None or name is None or old.is_relation:
            return  # an unknown column, or one whose type follows the referenced key: not judged
        info = FieldInfo(name, old, key[0], key[1])
        new = column_field(
            type_text,
            column=info.column or column,
            null=info.null,
            unique=bool(getattr(old, "_unique", False)),
            primary_key=info.primary_key,
            db_index=info.db_index,
        )
        if info.has_db_default:
            new.db_default = info.db_default  # type: ignore[attr-defined]
        work.add(ops.AlterField(key[1], name, new), key, table)
        return
    if r.take("SET", "DEFAULT") or r.take("DROP", "DEFAULT"):
        # No rewrite, no scan; but whether the database fills the column matters to the code that stops setting it.
        expression = text_of(r.until())
        if old is None or name is None:
            return
        default: Any = RawSQL(expression, ()) if expression and expression.upper() != "NULL" else NOT_PROVIDED
        if repr(getattr(old, "db_default", NOT_PROVIDED)) != repr(default):
            new = copy.copy(old)
            new.db_default = default  # type: ignore[attr-defined]  # Django 4.2 has no db_default
            work.add(ops.AlterField(key[1], name, new), key, table)
        return
    if r.word() in ("SET", "DROP", "RESET", "ADD", "RESTART"):
        r.until()  # STATISTICS, STORAGE, COMPRESSION, IDENTITY, EXPRESSION: no rewrite, no scan
        return
    raise Unverifiable(f"it doesn't read ALTER COLUMN ... {r.word() or '...'}")


def _column(r: _Reader) -> _Column:
    """A column definition: name, type, and the constraints that matter (NOT NULL, DEFAULT, keys, REFERENCES)."""
    name = r.name()
    if name is None:
        raise Unverifiable("the column name couldn't be read")
    type_tokens = r.until(_COLUMN_CLAUSES)
    if not type_tokens:
        raise Unverifiable(f'the type of column "{name}" couldn\'t be read')
    column = _Column(name, " ".join(text_of(type_tokens).lower().split()))
    while not r.done and not r.is_op(","):
        if r.take("CONSTRAINT"):
            r.name()
        elif r.take("NOT", "NULL"):
            column.null = False
        elif r.take("NOT", "DEFERRABLE") or r.take("DEFERRABLE"):
            pass
        elif r.take("INITIALLY"):
            r.take_any("DEFERRED", "IMMEDIATE")
        elif r.take("NULL"):
            column.null = True
        elif r.take("DEFAULT"):
            tokens = r.until(_COLUMN_CLAUSES - {"NULL"} | {"NOT"})
            if tokens and not (len(tokens) == 1 and tokens[0].upper == "NULL"):
                column.default = text_of(tokens)
        elif r.take("PRIMARY", "KEY"):
            column.primary_key, column.null = True, False
        elif r.take("UNIQUE"):
            column.unique = True
            r.take("NULLS", "NOT", "DISTINCT") or r.take("NULLS", "DISTINCT")
        elif r.take("REFERENCES"):
            column.references = r.name()
            r.group()
            _referential_clauses(r)
        elif r.take("CHECK"):
            r.group()
            r.take("NO", "INHERIT")
        elif r.take("COLLATE"):
            r.name()
        elif r.take("GENERATED"):
            r.take("ALWAYS") or r.take("BY", "DEFAULT")
            r.take("AS")
            if r.take("IDENTITY"):
                column.identity = True
                r.group()
            else:
                r.group()
                r.take("STORED")
                column.generated = True
        else:
            raise Unverifiable(f'it doesn\'t read the clause "{text_of(r.toks[r.i : r.i + 2])}" of column "{name}"')
    return column


def _referential_clauses(r: _Reader) -> None:
    while True:
        if r.take("MATCH"):
            r.take_any("FULL", "PARTIAL", "SIMPLE")
        elif r.take("ON"):
            r.take_any("DELETE", "UPDATE")
            for action in _REFERENTIAL_ACTIONS:
                if r.take(*action.split()):
                    r.group()  # SET NULL (columns)
                    break
        elif r.take("NOT", "DEFERRABLE") or r.take("DEFERRABLE"):
            pass
        elif r.take("INITIALLY"):
            r.take_any("DEFERRED", "IMMEDIATE")
        else:
            return


def _add_constraint(r: _Reader, work: _Translation, key: tuple[str, str], table: str) -> None:
    name = r.name() if r.take("CONSTRAINT") else None
    kind = r.take_any("CHECK", "UNIQUE", "PRIMARY", "FOREIGN", "EXCLUDE")
    if kind == "CHECK":
        inner = r.group() or []
        not_valid = _tail_options(r)
        name = name or f"{table}_check"
        condition = _check_condition(inner)
        operation = AddConstraintNotValid if not_valid else ops.AddConstraint
        work.add(operation(key[1], check_constraint(name, condition)), key, table)
        return
    if kind in ("UNIQUE", "PRIMARY"):
        if kind == "PRIMARY":
            r.take("KEY")
        r.take("NULLS", "NOT", "DISTINCT") or r.take("NULLS", "DISTINCT")
        if r.take("USING", "INDEX"):
            r.name()
            _tail_options(r)
            return  # the index was built beforehand (CONCURRENTLY): attaching it takes a moment
        columns = [t.name for t in (r.group() or []) if t.name is not None]
        _tail_options(r)
        name = name or (f"{table}_pkey" if kind == "PRIMARY" else f"{table}_{'_'.join(columns)}_key")
        fields = [work.schema.field_for_column(key, c) or c for c in columns] or [name]
        work.add(ops.AddConstraint(key[1], models.UniqueConstraint(fields=fields, name=name)), key, table)
        return
    if kind == "FOREIGN":
        r.take("KEY")
        referencing = tuple(t.name for t in (r.group() or []) if t.name is not None)
        if not r.take("REFERENCES"):
            raise Unverifiable("FOREIGN KEY without REFERENCES")
        to_table = r.name()
        r.group()
        _referential_clauses(r)
        not_valid = _tail_options(r)
        if to_table is None:
            raise Unverifiable("the referenced table couldn't be read")
        work.schema.model(to_table)
        name = name or f"{table}_{'_'.join(referencing)}_fkey"
        constraint = ForeignKeyConstraint(name=name, columns=referencing, to_table=to_table)
        operation = AddConstraintNotValid if not_valid else ops.AddConstraint
        work.add(operation(key[1], constraint), key, table)
        return
    raise Unverifiable(f"it doesn't read ADD CONSTRAINT ... {kind or r.word() or '...'}")


def _tail_options(r: _Reader) -> bool:
    """Read a constraint's trailing options; whether NOT VALID is among them."""
    not_valid = False
    while True:
        if r.take("NOT", "VALID"):
            not_valid = True
        elif r.take("NOT", "DEFERRABLE") or r.take("DEFERRABLE") or r.take("NO", "INHERIT"):
            pass
        elif r.take("INITIALLY"):
            r.take_any("DEFERRED", "IMMEDIATE")
        elif r.take("INCLUDE") or r.take("WITH"):
            r.group()
        elif r.take("USING", "INDEX", "TABLESPACE"):
            r.name()
        else:
            return not_valid


def _check_condition(tokens: list[Tok]) -> Any:
    """A Q object for ``col IS NOT NULL`` (and ANDs of it), which PostgreSQL uses to skip SET NOT NULL's scan;
    else the expression as raw SQL."""
    conjuncts: list[list[Tok]] = [[]]
    depth = 0
    for tok in tokens:
        if tok.kind == "op" and tok.text == "(":
            depth += 1
        elif tok.kind == "op" and tok.text == ")":
            depth -= 1
        if depth == 0 and tok.upper == "AND":
            conjuncts.append([])
        else:
            conjuncts[-1].append(tok)
    if len(conjuncts) > 1 and any(t.upper == "OR" for c in conjuncts for t in c if t.kind == "word"):
        conjuncts = []  # mixed AND/OR without parentheses: don't guess precedence
    proven = models.Q()
    for part in conjuncts:
        column = _not_null_test(part)
        if column is not None:
            proven &= models.Q(**{f"{column}__isnull": False})
    if proven.children:
        return proven
    return RawSQL(text_of(tokens), (), output_field=models.BooleanField())


def _not_null_test(tokens: list[Tok]) -> str | None:
    """The column of ``col IS NOT NULL`` or ``NOT (col IS NULL)`` (parentheses around either allowed)."""
    while len(tokens) >= 2 and tokens[0].text == "(" and tokens[-1].text == ")":
        tokens = tokens[1:-1]
    words = [t.upper or t.text for t in tokens]
    if len(tokens) == 4 and tokens[0].name and words[1:] == ["IS", "NOT", "NULL"]:
        return tokens[0].name
    if len(tokens) >= 2 and words[0] == "NOT":
        inner = tokens[1:]
        while len(inner) >= 2 and inner[0].text == "(" and inner[-1].text == ")":
            inner = inner[1:-1]
        if len(inner) == 3 and inner[0].name and [t.upper for t in inner[1:]] == ["IS", "NULL"]:
            return inner[0].name
    return None


def _model_label(key: tuple[str, str]) -> str:
    return f"{key[0]}.{key[1]}"


# --- CREATE / DROP -------------------------------------------------------------------------------------------


def _create(r: _Reader, work: _Translation) -> None:
    r.take("OR", "REPLACE")
    unique = r.take("UNIQUE")
    if r.take("INDEX"):
        _create_index(r, work, unique)
        return
    temporary = r.take_any("TEMP", "TEMPORARY")
    r.take_any("GLOBAL", "LOCAL")
    temporary = temporary or r.take_any("TEMP", "TEMPORARY")
    r.take("UNLOGGED")
    if r.take("TABLE"):
        if not temporary:
            _create_table(r, work)
        return
    # CREATE VIEW, FUNCTION, TRIGGER, SEQUENCE, TYPE, EXTENSION, SCHEMA, ...: no existing table changes


def _create_index(r: _Reader, work: _Translation, unique: bool) -> None:
    concurrently = r.take("CONCURRENTLY")
    r.take("IF", "NOT", "EXISTS")
    name = None if r.at("ON") else r.name()
    if not r.take("ON"):
        raise Unverifiable("CREATE INDEX without ON <table>")
    r.take("ONLY")
    table = r.name()
    if table is None:
        raise Unverifiable("the table name couldn't be read")
    if r.take("USING"):
        r.name()
    key = work.schema.model(table)
    fields: list[str] = []
    for part in split_top(r.group() or []):
        column = part[0].name if len(part) >= 1 and part[0].kind in ("word", "ident") else None
        if column is not None and (len(part) == 1 or part[1].kind in ("word", "ident")):
            fields.append(work.schema.field_for_column(key, column) or column)
        else:
            fields.append(text_of(part))
    if not fields:
        raise Unverifiable("the indexed columns couldn't be read")
    # PostgreSQL's own name for an unnamed index: the table, the columns (an expression's first word), "idx".
    words = [_WORDS.findall(f)[0] if _WORDS.findall(f) else "expr" for f in fields]
    name = name or f"{table}_{'_'.join(words)}_idx"
    # UNIQUE or not, a plain CREATE INDEX holds the same SHARE lock for the whole build.
    operation = AddIndexConcurrently if concurrently else ops.AddIndex
    work.add(operation(key[1], models.Index(fields=fields, name=name)), key, table)


def _create_table(r: _Reader, work: _Translation) -> None:
    r.take("IF", "NOT", "EXISTS")
    table = r.name()
    if table is None:
        raise Unverifiable("the table name couldn't be read")
    existing = work.schema.find(table)
    columns: list[_Column] = []
    body = r.group()
    for part in split_top(body or []):
        if part[0].upper in _TABLE_CONSTRAINTS:
            continue
        try:
            columns.append(_column(_Reader(part)))
        except Unverifiable:
            continue  # kept out of the stand-in model; a later statement naming it still works
    if existing is not None:  # a model already stands for it: only note that the table is new
        work.steps.append(Step(SqlStatementOperation(None, table), SQL_APP, table, creates_table=True))
        return
    fields: dict[str, models.Field[Any, Any]] = {}
    for column in columns:
        if column.references is not None:
            column.references = _model_label(work.schema.model(column.references))
        fields.setdefault(column.name, column.field())
    operation = ops.CreateModel(table.lower(), list(fields.items()), options={"db_table": table})
    work.steps.append(Step(operation, SQL_APP, table, creates_table=True))


def _drop(r: _Reader, work: _Translation) -> None:
    if r.take("TABLE"):
        r.take("IF", "EXISTS")
        for part in split_top(r.until(frozenset({"CASCADE", "RESTRICT"}), comma=False)):
            table = _Reader(part).name()
            if table is None:
                continue
            key = work.schema.find(table)
            if key is not None:
                work.add(ops.DeleteModel(key[1]), key, table)
        return
    if r.take("INDEX"):
        concurrently = r.take("CONCURRENTLY")
        r.take("IF", "EXISTS")
        names = [_Reader(part).name() for part in split_top(r.until(frozenset({"CASCADE", "RESTRICT", "ON"}), False))]
        on_table = r.name() if r.take("ON") else None  # MySQL: DROP INDEX name ON table
        for name in names:
            if name is None:
                continue
            key = work.schema.model(on_table) if on_table else work.schema.index_owner(name)
            if key is None:
                key = work.schema.model(UNKNOWN_TABLE)
            operation = RemoveIndexConcurrently if concurrently else ops.RemoveIndex
            work.add(operation(key[1], name), key)
        return
    if r.take("SCHEMA") or r.take("OWNED"):
        raise Unverifiable("DROP SCHEMA and DROP OWNED can drop tables it doesn't see")
    if r.word() not in _HARMLESS_DROP:
        raise Unverifiable(f"it doesn't read DROP {r.word() or '...'}")


def _rename(r: _Reader, work: _Translation) -> None:
    """MySQL's RENAME TABLE a TO b."""
    if not r.take("TABLE"):
        raise Unverifiable("it doesn't read RENAME without TABLE")
    old = r.name()
    r.take("TO")
    new = r.name()
    if old is None or new is None:
        raise Unverifiable("the table names couldn't be read")
    key = work.schema.model(old)
    if key[0] != SQL_APP:
        work.add(ops.AlterModelTable(key[1], new), key, old)


# --- statements with no Django equivalent ----------------------------------------------------------------------


def _tables(r: _Reader, stops: frozenset[str]) -> list[str]:
    """A comma-separated list of table names (each maybe ONLY name or name *), up to a stop keyword."""
    out = []
    for part in split_top(r.until(stops, comma=False)):
        reader = _Reader(part)
        reader.take("ONLY")
        name = reader.name()
        if name is not None:
            out.append(name)
    return out


def _lock(r: _Reader, work: _Translation) -> None:
    if r.take("TABLES"):  # MySQL: LOCK TABLES t READ, u WRITE
        for part in split_top(r.toks[r.i :]):
            reader = _Reader(part)
            table = reader.name()
            words = {t.upper for t in part}
            if table is not None:
                mode = "ACCESS EXCLUSIVE" if "WRITE" in words else "SHARE"
                work.add(LockTable(None, table, mode), None)
        _resolve_tables(work)
        return
    r.take("TABLE")
    tables = _tables(r, frozenset({"IN", "NOWAIT"}))
    mode = "ACCESS EXCLUSIVE"
    if r.take("IN"):
        spelled = " ".join(t.upper for t in r.until(frozenset({"NOWAIT"}), comma=False))
        mode = spelled.removesuffix(" MODE").strip() or mode
        if mode not in _LOCK_MODES:
            raise Unverifiable(f"the lock mode {mode} is not known")
    for table in tables:
        work.add(LockTable(None, table, mode), None)
    _resolve_tables(work)


def _resolve_tables(work: _Translation) -> None:
    """Give each new marker operation the model of its table."""
    for step in work.steps:
        op = step.operation
        if isinstance(op, SqlStatementOperation) and op.table and op.model_name is None and step.table is None:
            key = work.schema.model(op.table)
            work.schema.shadow(key)
            op.model_name = key[1]
            step.app_label, step.table = key[0], op.table


def _truncate(r: _Reader, work: _Translation) -> None:
    r.take("TABLE")
    stops = frozenset({"RESTART", "CONTINUE", "CASCADE", "RESTRICT"})
    tables = _tables(r, stops)
    cascade = "CASCADE" in {t.upper for t in r.toks[r.i :]}
    for table in tables:
        work.add(TruncateTable(None, table, cascade), None)
    _resolve_tables(work)


def _vacuum(r: _Reader, work: _Translation) -> None:
    full = False
    options = r.group()
    if options is not None:
        for option in split_top(options):
            value = option[1].upper or option[1].text.upper() if len(option) > 1 else "TRUE"
            if option[0].upper == "FULL" and value not in ("FALSE", "OFF", "0"):
                full = True
    while r.word() in ("FULL", "FREEZE", "VERBOSE", "ANALYZE", "ANALYSE"):
        full = r.take_any("FULL", "FREEZE", "VERBOSE", "ANALYZE", "ANALYSE") == "FULL" or full
    if not full:
        return  # plain VACUUM takes SHARE UPDATE EXCLUSIVE: reads and writes continue
    parts = split_top(r.toks[r.i :])
    tables = [name for part in parts if (name := _Reader(part).name()) is not None]
    if not tables:
        work.add(VacuumFull(), None)
    for table in tables:
        work.add(VacuumFull(None, table), None)
    _resolve_tables(work)


def _cluster(r: _Reader, work: _Translation) -> None:
    r.group()
    r.take("VERBOSE")
    first = r.name()
    if first is None:
        work.add(ClusterTable(), None)
        return
    table = r.name() if r.take("ON") else first  # the old form: CLUSTER index ON table
    if table is None:
        raise Unverifiable("the table name couldn't be read")
    work.add(ClusterTable(None, table), None)
    _resolve_tables(work)


def _reindex(r: _Reader, work: _Translation) -> None:
    concurrently = False
    options = r.group()
    if options is not None:
        concurrently = any(o and o[0].upper == "CONCURRENTLY" for o in split_top(options))
    target = r.take_any("INDEX", "TABLE", "SCHEMA", "DATABASE", "SYSTEM")
    if not target:
        raise Unverifiable("REINDEX without INDEX, TABLE, SCHEMA, DATABASE or SYSTEM")
    concurrently = r.take("CONCURRENTLY") or concurrently
    name = r.name()
    operation = ReindexConcurrently if concurrently else Reindex
    if target == "TABLE" and name is not None:
        key = work.schema.model(name)
        work.add(operation(key[1], name, target, name), key, name)
    elif target == "INDEX" and name is not None:
        owner = work.schema.index_owner(name) or work.schema.model(UNKNOWN_TABLE)
        model_state = work.schema.model_state(owner)
        table = SqlSchema.table_of(model_state) if model_state is not None else None
        work.add(operation(owner[1], table, target, name), owner, table)
    else:
        work.add(operation(None, None, target, name), None)


def _with(r: _Reader, work: _Translation) -> None:
    """WITH ... UPDATE/DELETE: judge the main statement."""
    r.take("RECURSIVE")
    while not r.done:
        r.name()
        r.group()  # column list
        if not r.take("AS"):
            break
        r.take("NOT")
        r.take("MATERIALIZED")
        r.group()
        if not r.take_op(","):
            break
    _statement(r, work)


def _update(r: _Reader, work: _Translation) -> None:
    r.take("ONLY")
    table = r.name()
    if table is None:
        raise Unverifiable("the table name couldn't be read")
    _whole_table(r, work, table, "UPDATE")


def _delete(r: _Reader, work: _Translation) -> None:
    if not r.take("FROM"):
        return  # MySQL's multi-table DELETE t FROM ...: always joined, not judged
    r.take("ONLY")
    table = r.name()
    if table is None:
        raise Unverifiable("the table name couldn't be read")
    _whole_table(r, work, table, "DELETE")


def _whole_table(r: _Reader, work: _Translation, table: str, verb: str) -> None:
    r.until(frozenset({"WHERE", "LIMIT"}), comma=False)
    if r.word() in ("WHERE", "LIMIT"):
        return
    key = work.schema.model(table)
    work.add(WholeTableChange(key[1], table, verb), key, table)


def _opaque(r: _Reader, work: _Translation) -> None:
    raise Unverifiable("it runs procedural code, which safemigrate can't see into")


_STATEMENTS = {
    "ALTER": _alter,
    "CREATE": _create,
    "DROP": _drop,
    "RENAME": _rename,
    "LOCK": _lock,
    "TRUNCATE": _truncate,
    "VACUUM": _vacuum,
    "CLUSTER": _cluster,
    "REINDEX": _reindex,
    "WITH": _with,
    "UPDATE": _update,
    "DELETE": _delete,
    "DO": _opaque,
    "CALL": _opaque,
    "EXECUTE": _opaque,
    "EXEC": _opaque,
}
