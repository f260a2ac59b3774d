"""The static engine: discovery, reading, the graph and the replayed state."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from safemigrate.config import Config
from safemigrate.engine import Engine
from safemigrate.findings import Phase


def write(root: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    for directory in {p.parent for p in root.rglob("*.py")}:
        (directory / "__init__.py").touch()
    return root


HEADER = "from django.db import migrations, models\nimport django.db.models.deletion\nfrom django.conf import settings\n"


def migration(deps: str, ops: str, extra: str = "") -> str:
    return HEADER + f"\n\nclass Migration(migrations.Migration):\n{extra}    dependencies = {deps}\n    operations = {ops}\n"


CREATE_A = "[migrations.CreateModel(name='A', fields=[('id', models.AutoField(primary_key=True))])]"


def test_app_label_from_literal_appconfig(tmp_path: Path) -> None:
    write(tmp_path, {
        "src/store/apps.py": "from django.apps import AppConfig\nclass C(AppConfig):\n    name = 'src.store'\n    label = 'shop'\n",
        "src/store/migrations/0001_initial.py": migration("[]", CREATE_A),
    })
    analysis = Engine(Config()).analyze([tmp_path])
    assert [m.key for m in analysis.project.migrations] == [("shop", "0001_initial")]
    assert ("shop", "a") in analysis.replayer.state.models


def test_app_label_override_in_config(tmp_path: Path) -> None:
    write(tmp_path, {"x/migrations/0001_initial.py": migration("[]", CREATE_A)})
    config = Config(app_labels={"x": "billing"}, root=tmp_path)
    analysis = Engine(config).analyze([tmp_path])
    assert [m.app_label for m in analysis.project.migrations] == ["billing"]


def test_swappable_user_model_is_configurable_and_contrib_apps_load(tmp_path: Path) -> None:
    write(tmp_path, {
        "accounts/migrations/0001_initial.py": migration("[]", "[migrations.CreateModel(name='Member', fields=[('id', models.AutoField(primary_key=True))])]"),
        "blog/migrations/0001_initial.py": migration(
            "[migrations.swappable_dependency(settings.AUTH_USER_MODEL), ('contenttypes', '0002_remove_content_type_name')]",
            "[migrations.CreateModel(name='Post', fields=[('id', models.AutoField(primary_key=True)), "
            "('author', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL))])]",
        ),
    })
    analysis = Engine(Config(user_model="accounts.Member")).analyze([tmp_path / "blog"])
    post = analysis.replayer.state.models[("blog", "post")]
    assert post.fields["author"].remote_field.model == "accounts.Member"
    plan = [m.key for m in analysis.project.migrations]
    assert plan.index(("accounts", "0001_initial")) < plan.index(("blog", "0001_initial"))
    assert ("contenttypes", "0002_remove_content_type_name") in plan  # read from the installed Django
    assert analysis.migrations_reported == 1


def test_first_and_latest_dependencies(tmp_path: Path) -> None:
    write(tmp_path, {
        "a/migrations/0001_initial.py": migration("[]", CREATE_A),
        "a/migrations/0002_second.py": migration("[('a', '0001_initial')]", "[]"),
        "b/migrations/0001_initial.py": migration("[('a', '__latest__')]", "[]"),
        "c/migrations/0001_initial.py": migration("[('a', '__first__')]", "[]"),
    })
    engine = Engine(Config())
    analysis = engine.analyze([tmp_path])
    plan = [m.key for m in analysis.project.migrations]
    assert plan.index(("a", "0002_second")) < plan.index(("b", "0001_initial"))
    assert analysis.project.graph_problems == []


def test_squashed_migration_replaces_its_originals(tmp_path: Path) -> None:
    write(tmp_path, {
        "a/migrations/0001_initial.py": migration("[]", CREATE_A),
        "a/migrations/0002_b.py": migration("[('a', '0001_initial')]", "[migrations.AddField('a', 'x', models.IntegerField(null=True))]"),
        "a/migrations/0001_squashed_0002_b.py": migration(
            "[]",
            "[migrations.CreateModel(name='A', fields=[('id', models.AutoField(primary_key=True)), ('x', models.IntegerField(null=True))])]",
            "    replaces = [('a', '0001_initial'), ('a', '0002_b')]\n",
        ),
        "b/migrations/0001_initial.py": migration("[('a', '0002_b')]", "[]"),
    })
    analysis = Engine(Config()).analyze([tmp_path])
    plan = [m.key for m in analysis.project.migrations]
    assert ("a", "0001_squashed_0002_b") in plan
    assert ("a", "0001_initial") not in plan and ("a", "0002_b") not in plan
    assert plan.index(("a", "0001_squashed_0002_b")) < plan.index(("b", "0001_initial"))
    assert analysis.project.graph_problems == []
    # Squashes whose originals were deleted still work.
    for name in ("0001_initial.py", "0002_b.py"):
        (tmp_path / "a" / "migrations" / name).unlink()
    analysis = Engine(Config()).analyze([tmp_path])
    assert analysis.project.graph_problems == []
    assert "x" in analysis.replayer.state.models[("a", "a")].fields


def test_external_app_is_noted_once_and_not_an_error(tmp_path: Path) -> None:
    write(tmp_path, {
        "a/migrations/0001_initial.py": migration("[('nonexistent_vendor_app', '0007_thing'), ('nonexistent_vendor_app', '0008_other')]", CREATE_A),
    })
    analysis = Engine(Config()).analyze([tmp_path])
    assert len(analysis.notes) == 1
    assert "nonexistent_vendor_app" in analysis.notes[0]
    assert analysis.project.graph_problems == []
    assert analysis.project.external_apps == {"nonexistent_vendor_app"}


def test_installed_third_party_app_is_read_as_source(tmp_path: Path) -> None:
    pytest.importorskip("taggit")
    write(tmp_path, {
        "a/migrations/0001_initial.py": migration("[('taggit', '0001_initial')]", CREATE_A),
    })
    analysis = Engine(Config()).analyze([tmp_path])
    assert analysis.notes == []
    assert ("taggit", "tag") in analysis.replayer.state.models


def test_project_specific_names_become_placeholders(tmp_path: Path) -> None:
    source = HEADER + textwrap.dedent('''
        import shop.fields
        import shop.utils
        from shop.validators import check_code


        class Migration(migrations.Migration):
            dependencies = []
            operations = [
                migrations.CreateModel(
                    name="Thing",
                    fields=[
                        ("id", models.AutoField(primary_key=True)),
                        ("money", shop.fields.MoneyField(max_digits=10, decimal_places=2, null=True)),
                        ("code", models.CharField(max_length=8, default=shop.utils.make_code, validators=[check_code])),
                        ("owner", shop.fields.OwnerKey(on_delete=django.db.models.deletion.CASCADE, to="shop.thing")),
                    ],
                ),
            ]
    ''')
    write(tmp_path, {"shop/migrations/0001_initial.py": source})
    analysis = Engine(Config()).analyze([tmp_path])
    ctx = analysis.project.migrations[0].operations[0]
    assert ctx.after is not None
    money = ctx.after.field("money")
    assert money is not None and money.path == "shop.fields.MoneyField" and money.null and not money.known
    code = ctx.after.field("code")
    assert code is not None and code.default_is_callable
    owner = ctx.after.field("owner")
    assert owner is not None and owner.related_model == "shop.thing" and owner.column == "owner_id"
    assert "shop" not in sys.modules or not hasattr(sys.modules.get("shop"), "fields")


def test_nothing_from_the_project_is_imported_or_run(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    write(tmp_path, {
        "evil/__init__.py": f"open({str(marker)!r}, 'w').write('x')\n",
        "evil/apps.py": f"open({str(marker)!r}, 'w').write('x')\n",
        "evil/migrations/0001_initial.py": f"open({str(marker)!r}, 'w').write('x')\n" + migration("[]", CREATE_A),
    })
    (tmp_path / "evil" / "__init__.py").write_text(f"open({str(marker)!r}, 'w').write('x')\n")
    result = subprocess.run(
        [sys.executable, "-m", "safemigrate", "check", str(tmp_path)], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert not marker.exists()


def test_contexts_carry_before_and_after_and_phase(tmp_path: Path) -> None:
    write(tmp_path, {
        "a/migrations/0001_initial.py": migration("[]", CREATE_A),
        "a/migrations/0002_x.py": migration(
            "[('a', '0001_initial')]",
            "[migrations.AddField('a', 'x', models.IntegerField(null=True)), migrations.RemoveField('a', 'x')]",
        ),
    })
    analysis = Engine(Config()).analyze([tmp_path / "a" / "migrations" / "0002_x.py"])
    reported = [m for m in analysis.project.migrations if m.reported]
    assert [m.name for m in reported] == ["0002_x"]
    add, remove = reported[0].operations
    assert add.before is not None and add.before.field("x") is None
    assert add.after is not None and add.after.field("x") is not None
    assert add.phase is Phase.PRE_DEPLOY and remove.phase is Phase.POST_DEPLOY
    assert (add.line, add.column) == (8, 19)
    assert not add.table_created_here


def test_unreadable_operations_list_is_reported_not_crashed(tmp_path: Path) -> None:
    src = HEADER + "\n\nclass Migration(migrations.Migration):\n    dependencies = []\n    operations = build()\n"
    write(tmp_path, {"a/migrations/0001_initial.py": src})
    analysis = Engine(Config()).analyze([tmp_path])
    (m,) = analysis.project.migrations
    assert m.problems and "not a literal list" in m.problems[0][1]


def test_runsql_state_operations_are_state_only_children(tmp_path: Path) -> None:
    write(tmp_path, {
        "a/migrations/0001_initial.py": migration("[]", CREATE_A),
        "a/migrations/0002_x.py": migration(
            "[('a', '0001_initial')]",
            "[migrations.RunSQL('ALTER TABLE a_a ADD COLUMN x int NULL', 'ALTER TABLE a_a DROP COLUMN x', "
            "state_operations=[migrations.AddField('a', 'x', models.IntegerField(null=True))])]",
        ),
    })
    analysis = Engine(Config()).analyze([tmp_path])
    runsql, sql_add, add = analysis.project.migrations[-1].operations
    assert runsql.statements[0].kind == "ALTER" and runsql.parent is None
    # The SQL read as the operation it amounts to (sqlops), on the database only, before the state operations.
    assert sql_add.kind == "AddField" and sql_add.database_only and sql_add.parent is runsql
    assert sql_add.statement is runsql.statements[0] and sql_add.origin == "sql"
    assert add.state_only and add.parent is runsql
    assert add.after is not None and add.after.field("x") is not None
    assert "x" in analysis.replayer.state.models[("a", "a")].fields


def test_runpython_facts_distinguish_imports_from_get_model(tmp_path: Path) -> None:
    source = HEADER + textwrap.dedent('''
        from shop.models import Product


        def uses_import(apps, schema_editor):
            Product.objects.update(x=1)


        def rebinds_name(apps, schema_editor):
            Product = apps.get_model("shop", "Product")
            Product.objects.update(x=1)


        def imports_models_module(apps, schema_editor):
            from shop import models as m
            m.Product.objects.all()


        class Migration(migrations.Migration):
            dependencies = []
            operations = [
                migrations.RunPython(uses_import, rebinds_name),
                migrations.RunPython(imports_models_module, migrations.RunPython.noop),
            ]
    ''')
    write(tmp_path, {"shop/migrations/0001_initial.py": source})
    first, second = Engine(Config()).analyze([tmp_path]).project.migrations[0].operations
    assert first.function is not None and first.function.imported_models == ("shop.models.Product",)
    assert first.reverse_function is not None and first.reverse_function.imported_models == ()
    assert first.reverse_function.uses_get_model
    assert second.function is not None and second.function.imported_models == ("shop.models",)
    assert second.reverse_function is not None and second.reverse_function.is_noop
