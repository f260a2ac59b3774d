"""Accurate mode (``check --django``): the project loaded by Django with its own settings.

Accurate mode runs in other processes (it needs the project's real settings; this process has
the static engine's minimal ones): tests/accurate/helpers.py runs the command lines.

The differential tests prove that, everywhere both modes can run, accurate mode's findings are
exactly static mode's: the sample project, Django's contrib apps and every rule page's examples.
The others show where accurate mode knows more: real column types, third-party operations'
own state changes, SQL evidence, missing migrations, routers and several databases.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import django
import pytest

from tests.accurate.helpers import (
    REPO_ROOT,
    SETTINGS_MODULE,
    UNUSED_POSTGRES,
    Job,
    Run,
    comparable,
    page_files,
    run_cli,
    run_many,
    write_files,
    write_settings,
)
from tests.dbservers import mysql_url, postgres_url
from tests.rule_examples import PAGES, Page, write_project

SAMPLE = REPO_ROOT / "sample_project"
DJANGO_CONTRIB = Path(django.__file__).parent / "contrib"
CONTRIB_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.redirects",
]
# The sample project's settings pick PostgreSQL from DATABASE_URL (never connected to here), so
# accurate mode judges for PostgreSQL, as static mode does by default.
UNUSED_DATABASE_URL = "postgresql://differential@127.0.0.1:1/unused"
SCHEMA_PATH = REPO_ROOT / "docs" / "json-schema-v1.json"


def static_job(paths: list[Path], cwd: Path, *extra: str) -> Job:
    return Job(["check", "--static", "--format", "json", *extra, *map(str, paths)], cwd)


def accurate_job(paths: list[Path], cwd: Path, settings: str, *extra: str, env: dict[str, str | None] | None = None) -> Job:
    return Job(["check", "--settings", settings, "--format", "json", *extra, *map(str, paths)], cwd, env or {})


# --- the differential: identical findings wherever both modes run ---------------------------------------------


def page_examples() -> list[tuple[str, str]]:
    """(page, section) of every rule page whose examples are migration files on top of the base project."""
    out = []
    for path in sorted(PAGES.glob("*.md")):
        page = Page(path, path.read_text(encoding="utf-8"))
        for section in ("Example", "Use instead"):
            try:
                if page.migrations(section):
                    out.append((path.stem, section))
            except AssertionError:
                continue  # blocks that aren't migration files (missing-migration's models.py, ...)
    return out


EXAMPLES = page_examples()


@pytest.fixture(scope="module")
def differential(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Run, Run]]:
    """Static and accurate runs of every differential target, all in one runner (in parallel)."""
    tmp = tmp_path_factory.mktemp("differential")
    pairs: dict[str, tuple[Job, Job]] = {}

    env = {"DATABASE_URL": UNUSED_DATABASE_URL}
    pairs["sample_project"] = (
        static_job([Path("sample_project")], REPO_ROOT),
        accurate_job([Path("sample_project")], REPO_ROOT, "config.settings", env=env),
    )

    contrib = tmp / "contrib"
    contrib.mkdir()
    settings = write_settings(contrib, CONTRIB_APPS)
    pairs["django_contrib"] = (static_job([DJANGO_CONTRIB], contrib), accurate_job([DJANGO_CONTRIB], contrib, settings))

    for name, section in EXAMPLES:
        page = Page(PAGES / f"{name}.md", (PAGES / f"{name}.md").read_text(encoding="utf-8"))
        migrations = page.migrations(section)
        project = write_project(tmp / name / section.replace(" ", "_"), migrations)
        settings = write_settings(project, ["shop"])
        paths = [project / "shop" / "migrations" / file for file, _ in migrations]
        # The base project has no models.py: every model would be a "missing migration" (ZDM612).
        pairs[f"{name}/{section}"] = (
            static_job(paths, REPO_ROOT, "--ignore", "ZDM612"),
            accurate_job(paths, REPO_ROOT, settings, "--ignore", "ZDM612"),
        )
    runs = run_many([job for pair in pairs.values() for job in pair])
    return {key: (runs[2 * i], runs[2 * i + 1]) for i, key in enumerate(pairs)}


def assert_same_findings(static: Run, accurate: Run) -> list[dict[str, Any]]:
    expected, actual = comparable(static.findings()), comparable(accurate.findings())
    missing = [f"{f['rule']} {f['path']}:{f['line']} {f['message']}" for f in expected if f not in actual]
    extra = [f"{f['rule']} {f['path']}:{f['line']} {f['message']}" for f in actual if f not in expected]
    assert expected == actual, "static only:\n  " + "\n  ".join(missing) + "\naccurate only:\n  " + "\n  ".join(extra)
    return actual


def test_sample_project_findings_match_static_mode(differential: dict[str, tuple[Run, Run]]) -> None:
    static, accurate = differential["sample_project"]
    findings = assert_same_findings(static, accurate)
    assert len(findings) >= 20  # one per unsafe example at least
    assert accurate.report()["summary"]["migrations_checked"] == static.report()["summary"]["migrations_checked"]


def test_django_contrib_findings_match_static_mode(differential: dict[str, tuple[Run, Run]]) -> None:
    static, accurate = differential["django_contrib"]
    assert_same_findings(static, accurate)
    summary = accurate.report()["summary"]
    assert summary["migrations_checked"] == static.report()["summary"]["migrations_checked"] > 20
    assert summary["notes"] == []  # contrib's models match its migrations: nothing missing


def _missing_module(stderr: str) -> str | None:
    match = re.search(r"ModuleNotFoundError: No module named '([\w.]+)'", stderr)
    return match.group(1) if match else None


@pytest.mark.parametrize(("page", "section"), EXAMPLES, ids=[f"{p}/{s}" for p, s in EXAMPLES])
def test_rule_page_examples_match_static_mode(differential: dict[str, tuple[Run, Run]], page: str, section: str) -> None:
    static, accurate = differential[f"{page}/{section}"]
    module = _missing_module(accurate.stderr)
    if accurate.returncode == 2 and module is not None and importlib.util.find_spec(module.partition(".")[0]) is None:
        # Django can't import an example that uses a package this environment doesn't have: both modes
        # can't run there. The error is one line naming the migration file and line.
        lines = accurate.stderr.strip().splitlines()
        assert len(lines) == 1 and re.match(r"safemigrate: error: .*/migrations/\d{4}_\w+\.py:\d+: ", lines[0]), lines
        assert "Traceback" not in accurate.stderr
        return
    assert_same_findings(static, accurate)


def test_most_rule_pages_run_in_both_modes(differential: dict[str, tuple[Run, Run]]) -> None:
    both = [key for key, (_, accurate) in differential.items() if accurate.returncode in (0, 1)]
    assert len(both) >= 40, both  # the differential isn't vacuous


# --- where accurate mode knows more ----------------------------------------------------------------------------

CUSTOM_FIELDS = '''from django.db import models


class Counter(models.Field):
    """An integer column; big=True makes it bigint."""

    def __init__(self, *args, big=False, **kwargs):
        self.big = big
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.big:
            kwargs["big"] = True
        return name, path, args, kwargs

    def db_type(self, connection):
        return "bigint" if self.big else "integer"


class CaseInsensitiveText(models.CharField):
    def db_type(self, connection):
        return "citext"
'''

CUSTOM_INITIAL = '''from django.db import migrations, models
import shop.fields


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Item",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("hits", shop.fields.Counter()),
                ("code", shop.fields.CaseInsensitiveText(max_length=50)),
            ],
        ),
    ]
'''

CUSTOM_ALTER = '''from django.db import migrations
import shop.fields


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AlterField(model_name="item", name="hits", field=shop.fields.Counter(big=True)),
        migrations.AlterField(model_name="item", name="code", field=shop.fields.CaseInsensitiveText(max_length=20)),
    ]
'''


def test_custom_fields_are_judged_by_their_real_column_type(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write_files(project, [
        ("shop/fields.py", CUSTOM_FIELDS),
        ("shop/migrations/0001_initial.py", CUSTOM_INITIAL),
        ("shop/migrations/0002_alter_item.py", CUSTOM_ALTER),
    ])
    settings = write_settings(project, ["shop"])
    paths = [project / "shop" / "migrations" / "0002_alter_item.py"]
    static, accurate = run_many([
        static_job(paths, project, "--select", "ZDM302"),
        accurate_job(paths, project, settings, "--select", "ZDM302"),
    ])
    assert static.findings() == []  # the static reader can't see a project field's column type
    findings = accurate.findings()
    # integer -> bigint rewrites the table; citext -> citext doesn't, although as a CharField
    # varchar(50) -> varchar(20) would.
    assert [(f["rule"], f["line"]) for f in findings] == [("ZDM302", 8)], findings
    assert "from integer to bigint" in findings[0]["message"]


SUBCLASSED_FIELDS = '''from django.db import models


class Amount(models.IntegerField):
    pass


class PositiveAmount(models.PositiveIntegerField):
    pass


class Payload(models.TextField):
    pass


class JSONPayload(models.JSONField):
    pass
'''

SUBCLASSED_INITIAL = '''from django.db import migrations, models
import shop.fields


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Item",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("amount", shop.fields.Amount()),
                ("payload", shop.fields.Payload()),
            ],
        ),
    ]
'''

SUBCLASSED_ALTER = '''from django.db import migrations
import shop.fields


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        migrations.AlterField(model_name="item", name="amount", field=shop.fields.PositiveAmount()),
        migrations.AlterField(model_name="item", name="payload", field=shop.fields.JSONPayload()),
    ]
'''


def test_a_sqlite_alias_judged_as_postgresql_uses_postgresql_column_types(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write_files(project, [
        ("shop/fields.py", SUBCLASSED_FIELDS),
        ("shop/migrations/0001_initial.py", SUBCLASSED_INITIAL),
        ("shop/migrations/0002_alter_item.py", SUBCLASSED_ALTER),
    ])
    sqlite = "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ':memory:'}}\n"
    settings = write_settings(project, ["shop"], extra=sqlite)
    (project / "pyproject.toml").write_text('[tool.safemigrate]\ndatabase = "postgresql"\n', encoding="utf-8")
    paths = [project / "shop" / "migrations" / "0002_alter_item.py"]
    (sqlite_run, postgres_run) = run_many([
        accurate_job(paths, project, settings, "--select", "ZDM302"),
        accurate_job(paths, project, write_settings(project, ["shop"], module="pg_settings"), "--select", "ZDM302"),
    ])
    # PostgreSQL's types, as with a PostgreSQL alias: integer -> integer (a CHECK, no rewrite), text -> jsonb
    # (a rewrite); never SQLite's "integer" -> "integer unsigned".
    for run in (sqlite_run, postgres_run):
        found = run.findings()
        assert [(f["rule"], f["line"]) for f in found] == [("ZDM302", 9)], found
        assert "from text to jsonb" in found[0]["message"], found


THIRD_PARTY_OPERATION = '''from django.db import models
from django.db.migrations.operations.base import Operation


class AddAuditColumn(Operation):
    """A project's own operation: adds audited_at, and an index on it with plain CREATE INDEX."""

    reversible = True

    def __init__(self, model_name):
        self.model_name = model_name

    def deconstruct(self):
        return (self.__class__.__name__, [self.model_name], {})

    def state_forwards(self, app_label, state):
        state.add_field(app_label, self.model_name.lower(), "audited_at", models.DateTimeField(null=True), True)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        schema_editor.add_field(model, model._meta.get_field("audited_at"))
        schema_editor.execute(f"CREATE INDEX audit_idx ON {model._meta.db_table} (audited_at)")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        schema_editor.remove_field(model, model._meta.get_field("audited_at"))

    def describe(self):
        return "Add an audit column"
'''

AUDIT_MIGRATION = '''from django.db import migrations, models
import shop.operations


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [
        shop.operations.AddAuditColumn("product"),
        migrations.AlterField(model_name="product", name="audited_at", field=models.DateTimeField()),
    ]
'''


@pytest.fixture
def audit_project(tmp_path: Path) -> Path:
    project = write_project(tmp_path, [("0002_audit.py", AUDIT_MIGRATION)])
    write_files(project, [("shop/operations.py", THIRD_PARTY_OPERATION)])
    write_settings(project, ["shop"])
    return project


def test_third_party_operations_change_the_state_through_their_own_state_forwards(audit_project: Path) -> None:
    paths = [audit_project / "shop" / "migrations" / "0002_audit.py"]
    static, accurate = run_many([
        static_job(paths, audit_project, "--ignore", "ZDM612"),
        accurate_job(paths, audit_project, "accurate_settings", "--ignore", "ZDM612"),
    ])
    static_rules = {(f["rule"], f["line"]) for f in static.findings()}
    accurate_rules = {(f["rule"], f["line"]) for f in accurate.findings()}
    # Statically the operation is opaque (ZDM605) and the field it adds unknown (ZDM606).
    assert {("ZDM605", 8), ("ZDM606", 9)} <= static_rules
    # Loaded by Django, its own state_forwards adds the field: the AlterField is judged for real.
    assert not {rule for rule, _ in accurate_rules} & {"ZDM605", "ZDM606"}, accurate_rules
    assert ("ZDM201", 9) in accurate_rules  # SET NOT NULL on the column it added


# --- SQL evidence (PostgreSQL) --------------------------------------------------------------------------------


@pytest.fixture
def scratch_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    from psycopg import sql

    server = postgres_url()
    name = f"safemigrate_accurate_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        parts = urlsplit(server)
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _tables(url: str) -> list[str]:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return [row[0] for row in rows]


def test_sql_evidence_from_postgresql(scratch_database: str) -> None:
    env = {"DATABASE_URL": scratch_database}
    json_run, text_run = run_many([
        accurate_job([Path("sample_project")], REPO_ROOT, "config.settings", "--database", "default", env=env),
        Job(["check", "--settings", "config.settings", "--database", "default", "--no-color", "sample_project"],
            REPO_ROOT, env),
    ])
    report = json_run.report()
    by_file = {(f["rule"], Path(f["path"]).name): f for f in report["findings"]}
    index = by_file[("ZDM202", "0011_widget_price_idx.py")]
    assert index["sql"] == ['CREATE INDEX "widget_price_idx" ON "unsafe_examples_widget" ("price");']
    drop = by_file[("ZDM102", "0004_remove_widget_legacy_flag.py")]
    assert drop["sql"] == ['ALTER TABLE "unsafe_examples_widget" DROP COLUMN "legacy_flag" CASCADE;']
    default = by_file[("ZDM101", "0002_widget_weight_not_null_python_default.py")]
    assert default["sql"][0].startswith('ALTER TABLE "unsafe_examples_widget" ADD COLUMN "weight" integer DEFAULT 0')
    assert all("sql" not in f for f in report["findings"] if f["operation_index"] is None)
    assert not any("SQL evidence" in note for note in report["summary"]["notes"])
    assert _tables(scratch_database) == []  # collected, never executed
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(report, json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))

    lines = text_run.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if "0011_widget_price_idx.py" in line and "ZDM202" in line)
    assert lines[at + 1] == '  sql: CREATE INDEX "widget_price_idx" ON "unsafe_examples_widget" ("price");'
    assert lines[at + 2].startswith("  help: ")


def test_sql_evidence_of_a_third_party_operation(audit_project: Path, scratch_database: str) -> None:
    (audit_project / "accurate_settings.py").write_text(
        (audit_project / "accurate_settings.py").read_text(encoding="utf-8")
        + f"DATABASES = {{'default': {{'ENGINE': 'django.db.backends.postgresql', 'NAME': {urlsplit(scratch_database).path[1:]!r}, "
        f"'HOST': {urlsplit(scratch_database).hostname!r}, 'PORT': {str(urlsplit(scratch_database).port or 5432)!r}, "
        f"'USER': {urlsplit(scratch_database).username or ''!r}}}}}\n",
        encoding="utf-8",
    )
    paths = [audit_project / "shop" / "migrations" / "0002_audit.py"]
    (run,) = run_many([accurate_job(paths, audit_project, "accurate_settings", "--ignore", "ZDM612", "--database", "default")])
    findings = run.findings()
    not_null = next(f for f in findings if f["rule"] == "ZDM201")
    assert any("SET NOT NULL" in s for s in not_null["sql"]), not_null
    # The second check: the operation's own SQL builds an index with a plain CREATE INDEX.
    index = [f for f in findings if f["rule"] == "ZDM202"]
    assert len(index) == 1 and index[0]["line"] == 8 and index[0]["operation_index"] == 0, findings
    assert 'CREATE INDEX audit_idx ON shop_product (audited_at)' in index[0]["message"]
    assert index[0]["notes"] == [
        "found in the SQL this operation runs on database 'default' (sql: lines), read as raw SQL"
    ]
    assert "CREATE INDEX audit_idx ON shop_product (audited_at);" in index[0]["sql"]
    # Without SQL evidence, nothing sees that index.
    (plain,) = run_many([accurate_job(paths, audit_project, "accurate_settings", "--ignore", "ZDM612")])
    assert "ZDM202" not in {f["rule"] for f in plain.findings()}


def test_reporters_show_sql_evidence_only_when_there_is_some() -> None:
    from safemigrate.findings import Report
    from safemigrate.reporters import render
    from tests.test_reporters import make_finding

    statements = ('ALTER TABLE "shop_product"\n  ADD COLUMN "sku" varchar(32) NOT NULL;', 'CREATE INDEX "i" ON "t" ("c");')
    report = Report([make_finding(sql=statements), make_finding(line=30)], migrations_checked=1, migrations_loaded=1)
    text = render("text", report, False).splitlines()
    assert text[1:4] == [
        '  sql: ALTER TABLE "shop_product"',
        '  sql:   ADD COLUMN "sku" varchar(32) NOT NULL;',
        '  sql: CREATE INDEX "i" ON "t" ("c");',
    ]
    assert text[4].startswith("  help: ")
    assert not any("sql:" in line for line in text[6:])
    data = json.loads(render("json", report, False))
    assert data["findings"][0]["sql"] == list(statements)
    assert "sql" not in data["findings"][1]
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(data, json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def test_unreachable_database_still_reports_findings_with_a_note() -> None:
    env = {"DATABASE_URL": UNUSED_DATABASE_URL}
    (run,) = run_many([accurate_job([Path("sample_project")], REPO_ROOT, "config.settings", "--database", "default", env=env)])
    report = run.report()
    assert len(report["findings"]) >= 20
    assert all("sql" not in f for f in report["findings"])
    notes = [n for n in report["summary"]["notes"] if n.startswith("SQL evidence skipped")]
    assert len(notes) == 1 and 'database "default" is not reachable' in notes[0], report["summary"]["notes"]


def test_evidence_from_an_alias_whose_backend_cannot_load_says_it_was_skipped(tmp_path: Path) -> None:
    project = write_project(tmp_path, [])
    broken = "{'ENGINE': 'no_such_backend_package.backend', 'NAME': 'x'}"
    write_settings(project, ["shop"], extra=f"DATABASES = {{'default': {UNUSED_POSTGRES!r}, 'other': {broken}}}\n")
    (run,) = run_many([Job(["check", "--settings", SETTINGS_MODULE, "--format", "json", "--database", "other"], project)])
    notes = [n for n in run.report()["summary"]["notes"] if "other" in n]
    assert len(notes) == 1 and notes[0].startswith('SQL evidence skipped: database "other": its backend could not'), notes


def test_sqlite_database_file_is_not_created_for_evidence(tmp_path: Path) -> None:
    env = {"SQLITE_PATH": str(tmp_path / "db.sqlite3")}
    (run,) = run_many([accurate_job([Path("sample_project/shop")], REPO_ROOT, "config.settings", "--database", "default", env=env)])
    assert any("no database file" in note for note in run.report()["summary"]["notes"])
    assert not (tmp_path / "db.sqlite3").exists()


# --- missing migrations, routers, several databases -------------------------------------------------------------


def _page_project(tmp_path: Path, page: str, section: str) -> tuple[Path, str]:
    """A project made of a rule page's files; a ``settings.py`` block is added to the test settings."""
    text = (PAGES / f"{page}.md").read_text(encoding="utf-8")
    files = page_files(text, section)
    project = tmp_path / section.replace(" ", "_")
    write_files(project, [(name, source) for name, source in files if name != "settings.py"])
    (project / "__init__.py").unlink(missing_ok=True)
    apps = sorted({name.split("/")[0] for name, _ in files if "/" in name})
    extra = "".join(source for name, source in files if name == "settings.py")
    return project, write_settings(project, apps, extra=extra)


def _page_runs(tmp_path: Path, page: str, *extra: str) -> tuple[Run, Run]:
    jobs = []
    for section in ("Example", "Use instead"):
        project, settings = _page_project(tmp_path, page, section)
        jobs.append(Job(["check", "--settings", settings, "--format", "json", *extra], project))
    bad, good = run_many(jobs)
    return bad, good


def test_missing_migration_page(tmp_path: Path) -> None:
    bad, good = _page_runs(tmp_path, "missing-migration")
    findings = bad.findings()
    assert [(f["rule"], f["path"], f["line"]) for f in findings] == [
        ("ZDM612", "shop/migrations/0001_initial.py", 5)  # its Migration class
    ], findings
    assert "Add field weight to product" in findings[0]["message"]
    assert 'makemigrations would create "0002_product_weight"' in findings[0]["message"]
    # The migration it is shown at, so that migration's suppressions (and per_migration_ignores) apply to it.
    assert findings[0]["migration"] == "0001_initial"
    assert findings[0]["severity"] == "error" and bad.returncode == 1
    assert good.findings() == [] and good.returncode == 0


def test_missing_migration_is_suppressed_where_it_is_shown(tmp_path: Path) -> None:
    project = tmp_path / "project"
    files = page_files((REPO_ROOT / "rules" / "missing-migration.md").read_text(encoding="utf-8"), "Example")
    files = [
        (name, source.replace(
            "class Migration(migrations.Migration):",
            "class Migration(migrations.Migration):  # safemigrate: ignore[ZDM612] -- added in the next release",
        ))
        for name, source in files
    ]
    write_files(project, files)
    settings = write_settings(project, ["shop"])
    (run,) = run_many([Job(["check", "--settings", settings, "--format", "json"], project)])
    # Suppressed on the line it is reported at, and that suppression is used (no ZDM609).
    assert run.findings() == [] and run.report()["summary"]["suppressed"] == 1, run.stdout


def test_migration_routed_nowhere_page(tmp_path: Path) -> None:
    # The page shows no models.py: ZDM612 would report the models as missing from it.
    bad, good = _page_runs(tmp_path, "migration-routed-nowhere", "--ignore", "ZDM612")
    findings = bad.findings()
    assert [(f["rule"], f["migration"]) for f in findings] == [("ZDM613", "0001_initial")], findings
    assert bad.returncode == 0  # a warning
    assert good.findings() == []


def test_missing_migration_in_an_app_without_migrations_is_reported_at_models_py(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write_files(project, [
        ("shop/models.py", "from django.db import models\n\n\nclass Tag(models.Model):\n    name = models.CharField(max_length=10)\n"),
        ("shop/migrations/__init__.py", ""),
    ])
    settings = write_settings(project, ["shop"])
    (run,) = run_many([Job(["check", "--settings", settings, "--format", "json"], project)])
    assert [(f["rule"], f["path"], f["migration"]) for f in run.findings()] == [
        ("ZDM612", "shop/models.py", "0001_initial")
    ]


ROUTERS = '''class ByApp:
    def allow_migrate(self, db, app_label, **hints):
        if app_label == "legacy":
            return db == "legacy"
        return db == "default"
'''


def _drop_field_app(app: str) -> list[tuple[str, str]]:
    initial = '''from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Thing",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("old", models.IntegerField(null=True)),
            ],
        ),
    ]
'''
    drop = f'''from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.RemoveField(model_name="thing", name="old")]
'''
    return [(f"{app}/migrations/0001_initial.py", initial), (f"{app}/migrations/0002_remove_thing_old.py", drop)]


def test_each_database_alias_is_checked_with_its_own_vendor(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write_files(project, [("routers.py", ROUTERS), *_drop_field_app("shop"), *_drop_field_app("legacy")])
    extra = (
        f"DATABASES = {{'default': {UNUSED_POSTGRES!r}, 'legacy': {{'ENGINE': 'django.db.backends.sqlite3', "
        "'NAME': ':memory:'}}\nDATABASE_ROUTERS = ['routers.ByApp']\n"
    )
    settings = write_settings(project, ["shop", "legacy"], extra=extra)
    (run,) = run_many([Job(["check", "--settings", settings, "--format", "json", "--select", "ZDM102"], project)])
    notes = {f["app"]: f["notes"] for f in run.findings()}
    assert notes == {
        "shop": ["on database 'default' (PostgreSQL 15)"],
        "legacy": ["on database 'legacy' (SQLite 3.45)"],
    }, run.findings()


def test_a_mariadb_alias_is_judged_as_mariadb_with_its_sql(tmp_path: Path) -> None:
    """--database on a MySQL-backend alias that is a MariaDB server: its verdicts and SQL are MariaDB's."""
    pytest.importorskip("pymysql")
    server = urlsplit(mysql_url())
    project = write_project(tmp_path, [("0002_remove_customer_nickname.py", (
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
        "    dependencies = [('shop', '0001_initial')]\n"
        "    operations = [migrations.RemoveField(model_name='customer', name='nickname')]\n"
    ))])
    write_files(project, [("routers.py", "class Legacy:\n    def allow_migrate(self, db, app_label, **hints):\n"
                                        "        return db == 'legacy'\n")])
    mariadb = {
        "ENGINE": "django.db.backends.mysql", "NAME": server.path.lstrip("/") or "test",
        "HOST": server.hostname or "127.0.0.1", "PORT": str(server.port or 3306), "USER": server.username or "root",
        "PASSWORD": server.password or "",
    }
    extra = (
        "import pymysql\n\npymysql.install_as_MySQLdb()\n"  # the mysql backend, driven by PyMySQL
        f"DATABASES = {{'default': {UNUSED_POSTGRES!r}, 'legacy': {mariadb!r}}}\n"
        "DATABASE_ROUTERS = ['routers.Legacy']\n"
    )
    settings = write_settings(project, ["shop"], extra=extra)
    args = ["check", "--settings", settings, "--format", "json", "--select", "ZDM102", "--database", "legacy"]
    (run,) = run_many([Job(args, project)])
    (finding,) = run.findings()
    assert finding["notes"][0].startswith("on database 'legacy' (MariaDB 1"), finding["notes"]
    assert finding["sql"] == ["ALTER TABLE `shop_customer` DROP COLUMN `nickname`;"]


# --- SQLite settings: development databases, and the configured `database` ------------------------------------

SQLITE_NOTE = (
    'database "default" is SQLite: {n} rules that judge only PostgreSQL, MySQL or MariaDB (locks, table rewrites) '
    'were not applied; set database = "postgresql" (or the production database) in {where} to judge for production'
)


def _sample_copy(tmp_path: Path, database: str | None) -> Path:
    """The sample project, with a pyproject.toml that sets ``database`` (or sets nothing)."""
    copy = tmp_path / "sample"
    shutil.copytree(SAMPLE, copy, ignore=shutil.ignore_patterns("db.sqlite3", "__pycache__"))
    setting = f'database = "{database}"\n' if database else 'select = ["ALL"]\n'
    (copy / "pyproject.toml").write_text(f"[tool.safemigrate]\n{setting}", encoding="utf-8")
    return copy


def test_sqlite_settings_judge_for_the_configured_database(tmp_path: Path) -> None:
    """CI settings often use SQLite: without a configured `database` a note says which rules that turned off;
    with one, the SQLite alias is judged for it, exactly as static mode judges."""
    unconfigured = _sample_copy(tmp_path / "unconfigured", None)
    configured = _sample_copy(tmp_path / "configured", "postgresql")
    sqlite = {"SQLITE_PATH": str(tmp_path / "never-created.sqlite3")}
    runs = run_many([
        static_job([Path(".")], unconfigured),
        accurate_job([Path(".")], unconfigured, "config.settings", env=sqlite),
        static_job([Path(".")], configured),
        accurate_job([Path(".")], configured, "config.settings", env=sqlite),
        accurate_job([Path(".")], configured, "config.settings", "--database", "default", env=sqlite),
        accurate_job([Path(".")], unconfigured, "config.settings", "--select", "ZDM102", env=sqlite),
    ])
    static, on_sqlite, static_configured, for_postgresql, with_evidence, no_lock_rules = runs

    # No `database` configured: judged as SQLite, and said so.
    skipped = sorted(f["rule"] for f in static.findings() if f not in on_sqlite.findings())
    assert skipped and len(on_sqlite.findings()) < len(static.findings()), skipped
    assert not {"ZDM102", "ZDM601"} & set(skipped)  # the rules about old code judge SQLite too
    from safemigrate.rules import REGISTRY
    from safemigrate.target import Target

    assert not any(REGISTRY[rule].runs_on(Target("sqlite", (3, 45))) for rule in skipped)
    notes = on_sqlite.report()["summary"]["notes"]
    count = sum(1 for rule in REGISTRY.values() if rule.vendors is not None and "sqlite" not in rule.vendors)
    assert SQLITE_NOTE.format(n=count, where="pyproject.toml's [tool.safemigrate]") in notes, notes
    # Only the rules that run count: with none of them selected, nothing was turned off.
    assert no_lock_rules.report()["summary"]["notes"] == []

    # `database = "postgresql"`: the SQLite alias is judged as PostgreSQL, exactly as static mode does.
    assert len(assert_same_findings(static_configured, for_postgresql)) >= 20
    assert for_postgresql.report()["summary"]["notes"] == [
        'database "default" is SQLite, taken as a development database: judged as PostgreSQL 15, the database '
        "set in pyproject.toml's [tool.safemigrate]"
    ]
    # Its SQL would be SQLite's, not what PostgreSQL runs: no SQL evidence, and no database file made.
    assert_same_findings(static_configured, with_evidence)
    assert with_evidence.report()["summary"]["notes"][0] == (
        'SQL evidence skipped: database "default" is SQLite, judged as PostgreSQL 15; '
        "its SQL is not what that database runs"
    )
    assert not (tmp_path / "never-created.sqlite3").exists()


def _vendor_project(tmp_path: Path, name: str, database: str | None, engine: dict[str, str]) -> Path:
    project = write_project(tmp_path / name, [("0002_remove_customer_nickname.py", (
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
        "    dependencies = [('shop', '0001_initial')]\n"
        "    operations = [migrations.RemoveField(model_name='customer', name='nickname')]\n"
    ))])
    write_settings(project, ["shop"], extra=f"DATABASES = {{'default': {engine!r}}}\n")
    if database is not None:
        (project / "pyproject.toml").write_text(f'[tool.safemigrate]\ndatabase = "{database}"\n', encoding="utf-8")
    return project


def test_a_real_backend_wins_over_the_configured_database_with_a_note(tmp_path: Path) -> None:
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
    projects = [
        _vendor_project(tmp_path, "postgresql_over_mysql", "mysql", UNUSED_POSTGRES),
        _vendor_project(tmp_path, "postgresql_as_configured", "postgresql", UNUSED_POSTGRES),
        _vendor_project(tmp_path, "sqlite_as_configured", "sqlite", sqlite),
        _vendor_project(tmp_path, "sqlite_over_mariadb", "mariadb", sqlite),
    ]
    runs = run_many([
        Job(["check", "--settings", SETTINGS_MODULE, "--format", "json", "--ignore", "ZDM612"], project) for project in projects
    ])
    notes = [run.report()["summary"]["notes"] for run in runs]
    assert notes == [
        [
            'database "default" is PostgreSQL 15: judged as that (its backend), not as the MySQL set in '
            "pyproject.toml's [tool.safemigrate]"
        ],
        [],
        [],  # SQLite chosen on purpose: nothing to say
        [
            'database "default" is SQLite, taken as a development database: judged as MariaDB 10.11, the database '
            "set in pyproject.toml's [tool.safemigrate]"
        ],
    ]
    drop = [next(f for f in run.findings() if f["rule"] == "ZDM102") for run in runs]
    assert all(f["notes"] == [] for f in drop)  # one vendor each: findings name no database


SUPPRESSED_EVERYWHERE = '''from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("shop", "0001_initial")]
    operations = [
        # safemigrate: ignore[ZDM202] -- the table is empty (PostgreSQL only)
        migrations.AddIndex(model_name="product", index=models.Index(fields=["price"], name="product_price_idx")),
        # safemigrate: ignore[ZDM102] -- no code reads it (every database)
        migrations.RemoveField(model_name="customer", name="nickname"),
        # safemigrate: ignore[ZDM615] -- the legacy database never gets this index (all but PostgreSQL)
        AddIndexConcurrently(model_name="product", index=models.Index(fields=["sku"], name="product_sku_idx")),
    ]
'''


def test_suppressed_findings_are_counted_once_across_databases(tmp_path: Path) -> None:
    project = write_project(tmp_path, [("0002_suppressed.py", SUPPRESSED_EVERYWHERE)])
    two = f"DATABASES = {{'default': {UNUSED_POSTGRES!r}, 'legacy': {{'ENGINE': 'django.db.backends.sqlite3', 'NAME': ':memory:'}}}}\n"
    write_settings(project, ["shop"], extra=two)
    write_settings(project, ["shop"], extra=two + "DATABASE_ROUTERS = ['routers.DefaultOnly']\n", module="routed")
    write_files(project, [("routers.py", "class DefaultOnly:\n    def allow_migrate(self, db, app_label, **hints):\n"
                                         "        return db == 'default'\n")])
    args = ["check", "--format", "json", "--select", "ZDM202,ZDM102,ZDM615", "--ignore", "ZDM612"]
    both, routed = run_many([Job([*args, "--settings", SETTINGS_MODULE], project), Job([*args, "--settings", "routed"], project)])
    # PostgreSQL's replay suppresses ZDM202 and ZDM102, SQLite's ZDM102 and ZDM615: three findings, not two.
    assert both.findings() == [] and both.report()["summary"]["suppressed"] == 3
    # Routed to the PostgreSQL database only: what SQLite's replay suppressed never runs there.
    assert routed.findings() == [] and routed.report()["summary"]["suppressed"] == 2


UNUSED_SOMEWHERE = '''from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("shop", "0001_initial")]
    operations = [
        # safemigrate: ignore[ZDM202] -- the table is empty (a PostgreSQL rule: never judged on SQLite)
        migrations.AddIndex(model_name="product", index=models.Index(fields=["price"], name="product_price_idx")),
        # safemigrate: ignore[ZDM6, ZDM202] -- used on SQLite only (ZDM615); ZDM202 finds nothing anywhere
        AddIndexConcurrently(model_name="product", index=models.Index(fields=["sku"], name="product_sku_idx")),
    ]
'''


def test_a_suppression_used_on_any_database_is_used(tmp_path: Path) -> None:
    project = write_project(tmp_path, [("0002_suppressed.py", UNUSED_SOMEWHERE)])
    two = f"DATABASES = {{'default': {UNUSED_POSTGRES!r}, 'legacy': {{'ENGINE': 'django.db.backends.sqlite3', 'NAME': ':memory:'}}}}\n"
    write_settings(project, ["shop"], extra=two)
    args = ["check", "--format", "json", "--select", "ZDM202,ZDM605,ZDM615,ZDM609", "--settings", SETTINGS_MODULE]
    (run,) = run_many([Job(args, project)])
    found = run.findings()
    # One unused selector, reported once for both databases: no "on database" note.
    assert [(f["rule"], f["line"], f["notes"]) for f in found] == [("ZDM609", 11, [])], found
    assert found[0]["message"].split("suppresses nothing for ")[1].startswith("ZDM202: no finding")


# --- modes, errors and the management command -------------------------------------------------------------------


def test_static_flag_wins_over_django_settings_module() -> None:
    env = {"DJANGO_SETTINGS_MODULE": "no_such_settings_module"}
    static = run_cli(["-m", "safemigrate", "check", "--static", "sample_project/shop"], REPO_ROOT, env)
    assert static.returncode == 0, static.stderr
    accurate = run_cli(["-m", "safemigrate", "check", "sample_project/shop"], REPO_ROOT, env)
    assert accurate.returncode == 2
    assert accurate.stderr.startswith("safemigrate: error: cannot load the settings 'no_such_settings_module'")
    assert len(accurate.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--django"], "--django needs the project's settings"),
        (["--django", "--static"], "can't be combined with --static"),
        (["--settings", "config.settings", "--database", "nope"], "--database 'nope': no such alias"),
        (["--django", "--since", "HEAD"], "--since works in static mode only"),
    ],
)
def test_usage_errors(args: list[str], message: str) -> None:
    run = run_cli(["-m", "safemigrate", "check", *args, "sample_project/shop"], REPO_ROOT)
    assert run.returncode == 2, run.stdout + run.stderr
    assert message in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr


def test_a_migration_django_cannot_import_is_one_line_naming_it(tmp_path: Path) -> None:
    broken = 'from django.db import migrations\nimport no_such_package\n\n\nclass Migration(migrations.Migration):\n    pass\n'
    project = write_project(tmp_path, [("0002_broken.py", broken)])
    write_settings(project, ["shop"])
    run = run_cli(["-m", "safemigrate", "check", "--settings", "accurate_settings"], project)
    assert run.returncode == 2
    assert run.stderr.strip() == (
        "safemigrate: error: shop/migrations/0002_broken.py:2: cannot load the migrations: "
        "ModuleNotFoundError: No module named 'no_such_package'"
    )


def test_settings_or_models_django_cannot_import_is_one_line_naming_the_file(tmp_path: Path) -> None:
    project = write_project(tmp_path, [])
    (project / "shop" / "models.py").write_text("from django.db import models\nimport no_such_package\n", "utf-8")
    write_settings(project, ["shop"])
    write_settings(project, ["shop"], extra="raise RuntimeError('no secrets here')\n", module="raising_settings")
    models = run_cli(["-m", "safemigrate", "check", "--settings", "accurate_settings"], project)
    settings = run_cli(["-m", "safemigrate", "check", "--settings", "raising_settings"], project)
    assert (models.returncode, settings.returncode) == (2, 2)
    # The models module is at fault, not the settings: named, with its line.
    assert models.stderr.strip() == (
        "safemigrate: error: shop/models.py:2: cannot load the apps of the settings 'accurate_settings': "
        "ModuleNotFoundError: No module named 'no_such_package'"
    )
    assert settings.stderr.strip() == (
        "safemigrate: error: raising_settings.py:6: cannot load the settings 'raising_settings': "
        "RuntimeError: no secrets here"
    )


def test_paths_django_loads_nothing_from_are_an_error_not_a_pass(tmp_path: Path) -> None:
    project = write_project(tmp_path, [])
    shutil.copytree(SAMPLE / "unsafe_examples", project / "legacy", ignore=shutil.ignore_patterns("__pycache__"))
    write_settings(project, ["shop"])  # legacy isn't in INSTALLED_APPS
    nothing = run_cli(["-m", "safemigrate", "check", "--settings", "accurate_settings", "legacy"], project)
    assert nothing.returncode == 2, nothing.stdout + nothing.stderr
    assert nothing.stderr.strip() == (
        "safemigrate: error: legacy/migrations/0001_initial.py and 20 more: not a migration of an installed app "
        "(Django doesn't load it with the settings 'accurate_settings'): nothing to check"
    )
    # With something Django loads, the rest is a note.
    some = run_cli(
        ["-m", "safemigrate", "check", "--settings", "accurate_settings", "--ignore", "ZDM612", "legacy", "shop"],
        project,
    )
    assert some.returncode == 0, some.stdout + some.stderr
    assert "note: legacy/migrations/0001_initial.py and 20 more: not a migration of an installed app" in some.stdout


def test_default_paths_are_the_projects_own_apps() -> None:
    env = {"DATABASE_URL": UNUSED_DATABASE_URL}
    (run,) = run_many([Job(["check", "--settings", "config.settings", "--format", "json"], SAMPLE, env)])
    report = run.report()
    assert {f["app"] for f in report["findings"]} == {"unsafe_examples"}
    # shop and unsafe_examples, not django.contrib.auth or contenttypes
    assert report["summary"]["migrations_checked"] == len(list(SAMPLE.glob("*/migrations/[0-9]*.py")))


@pytest.fixture
def command_settings(tmp_path: Path) -> Path:
    """The sample project's settings with safemigrate in INSTALLED_APPS, as the README says."""
    (tmp_path / "with_safemigrate.py").write_text(
        "from config.settings import *  # noqa: F403\n\nINSTALLED_APPS = [*INSTALLED_APPS, 'safemigrate']  # noqa: F405\n",
        encoding="utf-8",
    )
    return tmp_path


def test_management_command(command_settings: Path) -> None:
    env = {"PYTHONPATH": f"{command_settings}:{REPO_ROOT}", "DATABASE_URL": UNUSED_DATABASE_URL}
    manage = [str(SAMPLE / "manage.py"), "safemigrate"]
    clean = run_cli([*manage, "check", "--settings", "with_safemigrate", "sample_project/shop"], REPO_ROOT, env)
    assert clean.returncode == 0, clean.stderr
    shop_migrations = len(list((SAMPLE / "shop" / "migrations").glob("[0-9]*.py")))
    assert clean.stdout.strip().endswith(f"All checks passed: {shop_migrations} migrations checked.")
    unsafe = run_cli(
        [*manage, "check", "--settings", "with_safemigrate", "--format", "json", "sample_project/unsafe_examples"],
        REPO_ROOT, env,
    )
    assert unsafe.returncode == 1
    assert len(json.loads(unsafe.stdout)["findings"]) >= 20
    plan = run_cli([*manage, "plan", "--settings", "with_safemigrate"], REPO_ROOT, env)
    assert plan.returncode == 2
    assert "`safemigrate plan` is not available yet" in plan.stderr
    bad = run_cli([*manage, "check", "--settings", "with_safemigrate", "--select", "NOPE"], REPO_ROOT, env)
    assert bad.returncode == 2 and "unknown rule ID or prefix 'NOPE'" in bad.stderr


def test_management_command_through_call_command(command_settings: Path) -> None:
    script = (
        "import django, sys\n"
        "from django.core.management import call_command\n"
        "from django.core.management.base import CommandError\n"
        "django.setup()\n"
        "try:\n"
        "    call_command('safemigrate', 'check', '--select', 'ZDM102', '--no-color', 'sample_project/unsafe_examples')\n"
        "except CommandError as exc:\n"
        "    sys.exit(exc.returncode)\n"
    )
    env = {
        "PYTHONPATH": f"{command_settings}:{SAMPLE}:{REPO_ROOT}",
        "DJANGO_SETTINGS_MODULE": "with_safemigrate",
        "DATABASE_URL": UNUSED_DATABASE_URL,
    }
    run = run_cli(["-c", script], REPO_ROOT, env)
    assert run.returncode == 1, run.stderr
    assert "ZDM102 [drop-column]" in run.stdout
