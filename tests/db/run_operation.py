"""Apply Django migration operations to a scratch database and report what the server did.

Run as a script, in its own process, because it configures Django settings for the
scratch database (the test process has its own settings). It reads one JSON spec on
stdin and writes one JSON report on stdout::

    {"url": "postgresql://postgres@127.0.0.1:5432/scratch",   # or mysql://...
     "setup": ["<operation expression>", ...],  # applied and committed before measuring
     "operations": ["<operation expression>", ...],  # the migration under test
     "atomic": true,        # like Migration.atomic
     "during": false,       # PostgreSQL: run the old code from another connection before commit
     "reader": false,       # PostgreSQL, non-atomic: hold a REPEATABLE READ reader open until the
                            # migration waits for it (then "during" runs while it waits)
     "notices": true,       # PostgreSQL: capture DEBUG1 messages of the migrating backend
     "algorithms": false}   # MySQL/MariaDB: run each ALTER TABLE / CREATE INDEX / DROP INDEX with the
                            # cheapest ALGORITHM/LOCK the server accepts, and report which ("algorithms")

``{"url": ..., "prepare_only": true}`` only creates and fills the base schema (to make a
template database). A database that already holds the base schema is used as it is.

Operation expressions are evaluated with ``migrations``, ``models``, ``Q``, ``F``, ``Now``, ``timezone``,
``RandomUUID``, ``AddIndexConcurrently``, ``RemoveIndexConcurrently``,
``AddConstraintNotValid`` and ``ValidateConstraint`` in scope.

The base schema is app ``shop``: ``shop_customer`` (100 rows) and ``shop_product``
(20,000 rows) with an indexed ``sku``, an index on ``quantity``, a nullable ``note``
(no NULLs stored) and a foreign key to ``shop_customer``.

What is measured (PostgreSQL):
- ``locks``: every lock mode the migrating backend held on each relation, read from
  ``pg_locks`` by a second connection just before commit (atomic), or polled every
  0.5 ms while the migration ran (non-atomic).
- ``tables`` / ``indexes``: whether ``pg_class.relfilenode`` changed (a rewrite).
- ``notices``: the server's DEBUG1 messages ("verifying table", "rewriting table", ...).
- ``old_code_after``: SELECT, INSERT and UPDATE through the historical model of the
  state before the migration, after commit; ``new_code_after`` the same through the
  model of the state after it; ``old_code_during`` (on request) from another connection
  with a short ``lock_timeout`` while the migration's transaction is still open.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any
from urllib.parse import unquote, urlparse

APP = "shop"
CUSTOMERS = 100
PRODUCTS = 20_000

# Weakest to strongest: the table-level lock modes of PostgreSQL.
LOCK_MODES = [
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
]


def database_settings(url: str) -> dict[str, Any]:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":  # sqlite:///absolute/path/to/file.sqlite3
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": unquote(parsed.path)}
    name = parsed.path.lstrip("/")
    common = {
        "NAME": name,
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "127.0.0.1",
    }
    if parsed.scheme.startswith("postgres"):
        return {"ENGINE": "django.db.backends.postgresql", "PORT": str(parsed.port or 5432), **common}
    if parsed.scheme in ("mysql", "mariadb"):
        return {"ENGINE": "django.db.backends.mysql", "PORT": str(parsed.port or 3306), **common}
    raise SystemExit(f"unsupported database URL scheme {parsed.scheme!r}")


def configure(url: str) -> None:
    db = database_settings(url)
    if db["ENGINE"].endswith("mysql"):
        # PyMySQL stands in for mysqlclient (its version_info satisfies Django's check).
        import pymysql

        pymysql.install_as_MySQLdb()
    observer = {**db}
    if db["ENGINE"].endswith("postgresql"):
        # The "old code" observing a running migration gives up instead of queueing forever.
        # lock_timeout only fires while waiting for a lock, so a short one can't misreport.
        observer["OPTIONS"] = {"options": "-c lock_timeout=50ms"}
    import django
    from django.conf import settings

    settings.configure(
        DATABASES={"default": db, "observer": observer},
        INSTALLED_APPS=[],
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    )
    django.setup()


POSTGRES_NAMES = (
    "RandomUUID",
    "AddIndexConcurrently",
    "RemoveIndexConcurrently",
    "AddConstraintNotValid",
    "ValidateConstraint",
)


def namespace(expressions: list[str]) -> dict[str, Any]:
    from django.db import migrations, models
    from django.db.models import F, Q
    from django.db.models.functions import Now
    from django.utils import timezone

    ns: dict[str, Any] = {"migrations": migrations, "models": models, "Q": Q, "F": F, "Now": Now, "timezone": timezone}
    if any(name in expr for expr in expressions for name in POSTGRES_NAMES):
        # Imported only when used: django.contrib.postgres takes a while to import.
        from django.contrib.postgres import functions, operations

        ns.update({name: getattr(operations, name, None) or getattr(functions, name) for name in POSTGRES_NAMES})
    return ns


def base_operations() -> list[Any]:
    from django.db import migrations, models

    return [
        migrations.CreateModel(
            "Customer",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("name", models.CharField(max_length=100)),
            ],
        ),
        migrations.CreateModel(
            "Product",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("name", models.CharField(max_length=100)),
                ("sku", models.CharField(max_length=32, db_index=True)),
                ("quantity", models.IntegerField()),
                ("note", models.CharField(max_length=50, null=True)),
                ("customer", models.ForeignKey("shop.customer", on_delete=models.CASCADE)),
            ],
            options={"indexes": [models.Index(fields=["quantity"], name="shop_product_qty_idx")]},
        ),
    ]


def apply(operations: list[Any], state: Any, atomic: bool = True) -> Any:
    """Apply operations the way MigrationExecutor does; return the state after them."""
    from django.db import connection

    with connection.schema_editor(atomic=atomic) as editor:
        for op in operations:
            new_state = state.clone()
            op.state_forwards(APP, new_state)
            op.database_forwards(APP, editor, state, new_state)
            state = new_state
    return state


def fill_rows() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                f"INSERT INTO shop_customer (name) SELECT 'customer ' || g FROM generate_series(1, {CUSTOMERS}) g"
            )
            cur.execute(
                "INSERT INTO shop_product (name, sku, quantity, note, customer_id) "
                "SELECT 'product ' || g, 'SKU-' || g, g, 'note ' || g, 1 + g % 100 "
                f"FROM generate_series(1, {PRODUCTS}) g"
            )
            cur.execute("ANALYZE shop_customer, shop_product")
        elif connection.vendor == "sqlite":
            series = "WITH RECURSIVE seq(seq) AS (SELECT 1 UNION ALL SELECT seq + 1 FROM seq WHERE seq < {n}) "
            cur.execute(
                series.format(n=CUSTOMERS) + "INSERT INTO shop_customer (name) SELECT 'customer ' || seq FROM seq"
            )
            cur.execute(
                series.format(n=PRODUCTS) + "INSERT INTO shop_product (name, sku, quantity, note, customer_id) "
                "SELECT 'product ' || seq, 'SKU-' || seq, seq, 'note ' || seq, 1 + seq % 100 FROM seq"
            )
        else:
            cur.execute(f"INSERT INTO shop_customer (name) SELECT CONCAT('customer ', seq) FROM seq_1_to_{CUSTOMERS}")
            cur.execute(
                "INSERT INTO shop_product (name, sku, quantity, note, customer_id) "
                "SELECT CONCAT('product ', seq), CONCAT('SKU-', seq), seq, CONCAT('note ', seq), 1 + seq % 100 "
                f"FROM seq_1_to_{PRODUCTS}"
            )


def prepare() -> Any:
    """The state of the base schema, created and filled unless the database already holds it.

    A database prepared once serves as a template for many scratch databases.
    """
    from django.db import connection
    from django.db.migrations.state import ProjectState

    with connection.cursor() as cur:
        exists = "shop_product" in connection.introspection.table_names(cur)
    if exists:
        state = ProjectState()
        for op in base_operations():
            op.state_forwards(APP, state)
        return state
    state = apply(base_operations(), ProjectState())
    fill_rows()
    return state


# --- PostgreSQL catalog snapshots ---------------------------------------------------------------


def relations(cur: Any) -> dict[int, dict[str, Any]]:
    """oid -> name, kind, relfilenode and owning table for every relation of the public schema."""
    cur.execute(
        """
        SELECT c.oid, c.relname, c.relkind, c.relfilenode, t.relname
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_index i ON i.indexrelid = c.oid
        LEFT JOIN pg_class t ON t.oid = i.indrelid
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i', 'S')
        """
    )
    return {
        int(oid): {"name": name, "kind": kind, "filenode": int(node), "table": table}
        for oid, name, kind, node, table in cur.fetchall()
    }


def compare(before: dict[int, dict[str, Any]], after: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Which tables were rewritten; which indexes were kept, rebuilt, recreated, reused, dropped or created.

    "rebuilt" keeps the index's oid with new storage (a table rewrite); "recreated" is a new
    relation with new storage under the old name; both mean the index was built again.
    """
    tables: dict[str, dict[str, Any]] = {}
    indexes: dict[str, str] = {}
    for oid, rel in before.items():
        now = after.get(oid)
        if rel["kind"] == "r":
            tables[rel["name"]] = {
                "exists": now is not None,
                "renamed_to": now["name"] if now and now["name"] != rel["name"] else None,
                "rewritten": bool(now and now["filenode"] != rel["filenode"]),
            }
        elif rel["kind"] == "i":
            if now is None:
                indexes[rel["name"]] = "dropped"
            else:
                indexes[rel["name"]] = "rebuilt" if now["filenode"] != rel["filenode"] else "kept"
    before_filenodes = {rel["name"]: rel["filenode"] for rel in before.values() if rel["kind"] == "i"}
    for oid, rel in after.items():
        if rel["kind"] == "i" and oid not in before:
            name = rel["name"]
            if name not in before_filenodes:
                indexes[name] = "created"
            elif rel["filenode"] == before_filenodes[name]:
                # A new relation under the old name that took over the old storage: not rebuilt
                # (ALTER COLUMN TYPE does this for indexes when the change is binary-compatible).
                indexes[name] = "reused"
            else:
                indexes[name] = "recreated"
    return {"tables": tables, "indexes": indexes}


LOCK_QUERY = """
    SELECT l.relation, c.relname, l.mode, l.granted
    FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation
    WHERE l.pid = %s AND l.locktype = 'relation'
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


class LockRecorder:
    """Collects the lock modes a backend holds, labelled by the relation's name before the migration."""

    def __init__(self, url: str, pid: int, names: dict[int, str]) -> None:
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True)
        self.pid = pid
        self.names = names
        self.modes: dict[str, set[str]] = {}
        self.waiting: dict[str, set[str]] = {}
        self.samples = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sample(self) -> None:
        with self.conn.cursor() as cur:
            cur.execute(LOCK_QUERY, (self.pid,))
            rows = cur.fetchall()
        self.samples += 1
        for oid, relname, mode, granted in rows:
            label = self.names.get(int(oid)) or relname or f"new relation {oid}"
            (self.modes if granted else self.waiting).setdefault(label, set()).add(mode)

    def lock_wait(self) -> str | None:
        """The lock the backend is waiting for right now (e.g. "virtualxid"), if any."""
        with self.conn.cursor() as cur:
            cur.execute("SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE pid = %s", (self.pid,))
            row = cur.fetchone()
        return str(row[1]) if row and row[0] == "Lock" else None

    def start_polling(self, interval: float = 0.0005, after_sample: Callable[[], None] | None = None) -> None:
        def loop() -> None:
            while not self._stop.is_set():
                self.sample()
                if after_sample is not None:
                    after_sample()
                time.sleep(interval)

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.conn.close()

    def report(self) -> dict[str, Any]:
        def strongest(modes: set[str]) -> str:
            return max(modes, key=LOCK_MODES.index)

        return {
            "samples": self.samples,
            "modes": {label: sorted(modes, key=LOCK_MODES.index) for label, modes in self.modes.items()},
            "strongest": {label: strongest(modes) for label, modes in self.modes.items()},
            "waiting": {label: sorted(modes) for label, modes in self.waiting.items()},
        }


# --- old code ------------------------------------------------------------------------------------


def outcome(action: Callable[[], object]) -> str:
    try:
        action()
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    return "ok"


def insert_values(model: Any, nulls: bool) -> dict[str, Any]:
    """Values old code would pass to Model.objects.create(): every concrete field it knows."""
    from django.utils import timezone

    values: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if nulls and field.null:
            values[field.attname] = None
            continue
        kind = field.get_internal_type()
        if field.is_relation:
            values[field.attname] = 1
        elif kind in ("CharField", "TextField"):
            values[field.attname] = "old code"[: field.max_length or 8]
        elif kind.endswith("IntegerField") or kind.endswith("AutoField"):
            values[field.attname] = 7
        elif kind == "UUIDField":
            values[field.attname] = uuid.uuid4()
        elif kind in ("DateTimeField", "DateField"):
            values[field.attname] = timezone.now()
        elif kind == "BooleanField":
            values[field.attname] = False
    return values


def app_code(model: Any, alias: str, sample: dict[str, Any]) -> dict[str, str]:
    """SELECT, INSERT and UPDATE as application code built on ``model`` issues them."""
    manager = model._default_manager.db_manager(alias)
    result = {
        "select": outcome(lambda: list(manager.order_by("pk")[:5])),
        "insert": outcome(lambda: manager.create(**insert_values(model, nulls=False))),
        "update": outcome(lambda: manager.filter(pk=sample["pk"]).update(**sample["values"])),
    }
    if any(f.null for f in model._meta.concrete_fields):
        result["insert_null"] = outcome(lambda: manager.create(**insert_values(model, nulls=True)))
    return result


# --- non-atomic runs: an open reader makes the migration wait where it can be watched ----------------


def open_reader(url: str) -> Any:
    """A REPEATABLE READ transaction that has read shop_product and stays open.

    CREATE/DROP INDEX CONCURRENTLY wait for it (for its snapshot, or its lock on the table)
    while holding their table lock, so the lock and the old code can be checked mid-way.
    """
    import psycopg

    conn = psycopg.connect(url)
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    conn.execute("SELECT count(*) FROM shop_product").fetchone()
    return conn


def reader_release(
    reader: Any, recorder: LockRecorder, report: dict[str, Any], spec: dict[str, Any], model: Any, sample: Any
) -> Callable[[], None] | None:
    """A polling hook: once the migration waits for the reader, run the old code, then end the reader."""
    if reader is None:
        return None
    deadline = time.monotonic() + 10

    def after_sample() -> None:
        if reader.closed:
            return
        waiting = recorder.lock_wait()
        if waiting is None and time.monotonic() < deadline:
            return
        recorder.sample()  # the locks held while waiting
        report["waited_for_reader"] = waiting
        if waiting is not None and spec.get("during"):
            from django.db import connections

            report["old_code_during"] = app_code(model, "observer", sample)
            connections["observer"].close()
        reader.close()  # ends (rolls back) its transaction; the migration proceeds

    return after_sample


# --- the run -------------------------------------------------------------------------------------


@contextmanager
def capture_sql(connection: Any, sink: list[str]) -> Iterator[None]:
    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        sink.append(str(sql))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


# --- MySQL/MariaDB: the cheapest ALGORITHM/LOCK the server accepts for each statement -----------------

# Cheapest first: how much of the table the server touches, and whether writes (DML) may continue.
# NOCOPY (MariaDB 10.3+) is INPLACE without a table rebuild; MySQL has no such keyword.
ALGORITHMS = (
    "ALGORITHM=INSTANT",
    "ALGORITHM=NOCOPY, LOCK=NONE",
    "ALGORITHM=INPLACE, LOCK=NONE",
    "ALGORITHM=NOCOPY, LOCK=SHARED",
    "ALGORITHM=INPLACE, LOCK=SHARED",
    "ALGORITHM=COPY, LOCK=SHARED",
    "ALGORITHM=COPY, LOCK=EXCLUSIVE",
)
# ER_ALTER_OPERATION_NOT_SUPPORTED, ER_ALTER_OPERATION_NOT_SUPPORTED_REASON: the server refuses the
# requested algorithm or lock before touching the table.
REFUSED = (1845, 1846)
_SYNTAX_ERROR = 1064
_PROBED = ("ALTER TABLE", "CREATE INDEX", "CREATE UNIQUE INDEX", "DROP INDEX")
_DROP_INDEX = re.compile(r"^DROP INDEX (\S+) ON (\S+)$", re.I)


def _error_code(exc: BaseException) -> int | None:
    """The MySQL error number of a driver error, or of the driver error Django wrapped."""
    for error in (exc, exc.__cause__):
        if error is not None and error.args and isinstance(error.args[0], int):
            return error.args[0]
    return None


@contextmanager
def probe_algorithms(
    connection: Any, log: list[dict[str, Any]], mariadb: bool, current: dict[str, int]
) -> Iterator[None]:
    """Run each ALTER TABLE / CREATE INDEX / DROP INDEX with the cheapest ALGORITHM and LOCK the server accepts.

    Each statement is tried with ``ALGORITHM=... , LOCK=...`` appended, cheapest first; a refusal
    (error 1845/1846) changes nothing, so the next is tried; the first accepted one runs. ``log``
    gets, per statement, the clause accepted, the server's reason for each refusal, and the index of
    the operation that ran it (``current["operation"]``).
    """

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        text = str(sql).strip().rstrip(";")
        if not text.upper().startswith(_PROBED):
            return execute(sql, params, many, context)
        entry: dict[str, Any] = {"sql": text, "accepted": None, "refused": {}, "operation": current["operation"]}
        log.append(entry)
        drop = _DROP_INDEX.match(text)
        if drop:  # MariaDB's DROP INDEX takes no ALGORITHM/LOCK: the same change as ALTER TABLE ... DROP INDEX
            text = f"ALTER TABLE {drop.group(2)} DROP INDEX {drop.group(1)}"
        alter = text.upper().startswith("ALTER TABLE")
        for clause in ALGORITHMS:
            if "NOCOPY" in clause and not mariadb:
                continue
            try:
                # ALTER TABLE takes "a, b" options; CREATE INDEX takes them space-separated.
                result = execute(text + (", " + clause if alter else " " + clause.replace(",", "")), params, many, context)
            except Exception as exc:
                code = _error_code(exc)
                if code == _SYNTAX_ERROR and not entry["refused"]:
                    break  # not valid SQL here at all (e.g. PostgreSQL's NOT VALID): run it as it is
                if code not in REFUSED:
                    raise
                entry["refused"][clause] = str(exc.args[1] if len(exc.args) > 1 else exc)
                continue
            entry["accepted"] = clause
            return result
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


def columns(table: str) -> list[str] | None:
    from django.db import connection

    with connection.cursor() as cur:
        if table not in connection.introspection.table_names(cur):
            return None
        return [c.name for c in connection.introspection.get_table_description(cur, table)]


def run(spec: dict[str, Any]) -> dict[str, Any]:
    url = spec["url"]
    configure(url)
    from django.db import connection, connections

    ns = namespace([*spec.get("setup", []), *spec["operations"]])
    atomic = bool(spec.get("atomic", True))
    postgres = connection.vendor == "postgresql"
    report: dict[str, Any] = {"vendor": connection.vendor, "atomic": atomic}

    state = prepare()
    state = apply([eval(expr, ns) for expr in spec.get("setup", [])], state)
    operations = [eval(expr, ns) for expr in spec["operations"]]

    old_model = state.apps.get_model(APP, "product")
    row = old_model._default_manager.get(pk=1)
    sample = {
        "pk": 1,
        "values": {f.attname: getattr(row, f.attname) for f in old_model._meta.concrete_fields if not f.primary_key},
    }

    connection.ensure_connection()
    with connection.cursor() as cur:
        cur.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SELECT version()")
        report["server_version"] = server_version = str(cur.fetchone()[0])
        if connection.vendor == "mysql":
            cur.execute("SELECT @@SESSION.sql_mode")
            report["sql_mode"] = cur.fetchone()[0]
    if spec.get("during"):
        connections["observer"].ensure_connection()

    recorder: LockRecorder | None = None
    reader: Any = None
    before: dict[int, dict[str, Any]] = {}
    notices: list[str] = []
    if postgres:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            pid = int(cur.fetchone()[0])
            before = relations(cur)
            if spec.get("notices", True):
                cur.execute("SET client_min_messages = debug1")
        connection.connection.add_notice_handler(lambda diag: notices.append(diag.message_primary or ""))
        recorder = LockRecorder(url, pid, {oid: rel["name"] for oid, rel in before.items()})
        if not atomic:
            reader = open_reader(url) if spec.get("reader") else None
            recorder.start_polling(after_sample=reader_release(reader, recorder, report, spec, old_model, sample))

    executed: list[str] = []
    error: dict[str, str] | None = None
    started = time.perf_counter()
    try:
        probe = bool(spec.get("algorithms")) and not postgres
        current = {"operation": 0}
        mariadb = "mariadb" in server_version.lower()
        with (
            capture_sql(connection, executed),
            probe_algorithms(connection, report.setdefault("algorithms", []), mariadb, current) if probe else nullcontext(),
            connection.schema_editor(atomic=atomic) as editor,
        ):
            for index, op in enumerate(operations):
                current["operation"] = index
                new_state = state.clone()
                op.state_forwards(APP, new_state)
                op.database_forwards(APP, editor, state, new_state)
                state = new_state
                if probe:  # each operation's deferred SQL (indexes, FKs) is attributed to it
                    for sql in editor.deferred_sql:
                        editor.execute(sql, None)
                    editor.deferred_sql = []
            # The schema editor runs deferred SQL (FK constraints, indexes of new columns) on exit,
            # inside the transaction; run it now so its locks are seen before commit.
            for sql in editor.deferred_sql:
                editor.execute(sql, None)
            editor.deferred_sql = []
            if postgres and atomic and recorder is not None:
                recorder.sample()
                if spec.get("during"):
                    report["old_code_during"] = app_code(old_model, "observer", sample)
    except Exception as exc:
        error = {"type": type(exc).__name__, "message": str(exc).strip()}
        report["traceback"] = traceback.format_exc(limit=3)
    report["seconds"] = round(time.perf_counter() - started, 4)
    report["error"] = error
    report["sql"] = executed

    if recorder is not None:
        recorder.stop()
        if reader is not None and not reader.closed:
            reader.close()
            report["waited_for_reader"] = None
        report["locks"] = recorder.report()
        with connection.cursor() as cur:
            cur.execute("SET client_min_messages = notice")
            report.update(compare(before, relations(cur)))
        report["notices"] = notices

    report["columns_after"] = columns("shop_product")
    report["old_code_after"] = app_code(old_model, "default", sample)
    try:
        new_model = state.apps.get_model(APP, "product")
    except LookupError:  # deleted or renamed
        new_model = None
    if new_model is not None and error is None:
        known = {f.attname for f in new_model._meta.concrete_fields}
        sample["values"] = {k: v for k, v in sample["values"].items() if k in known}
        report["new_code_after"] = app_code(new_model, "default", sample)
    return report


def main() -> None:
    spec = json.load(sys.stdin)
    if spec.get("prepare_only"):
        configure(spec["url"])
        prepare()
        report: dict[str, Any] = {"prepared": True}
    else:
        report = run(spec)
    json.dump(report, sys.stdout, default=str)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
