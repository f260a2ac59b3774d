"""Migration-file patterns the differential tests found the static reader getting wrong."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from safemigrate.config import Config
from safemigrate.engine import Engine
from safemigrate.schema import ModelInfo
from safemigrate.source.placeholders import UnknownOperation

HEADER = "from django.db import migrations, models\n"
CREATE = "migrations.CreateModel(name='Page', fields=[('id', models.AutoField(primary_key=True))]),"


def analyze(tmp_path: Path, *bodies: str, header: str = HEADER) -> Any:
    """One app ``app`` whose migrations 0001, 0002, ... have these module bodies (after the header)."""
    directory = tmp_path / "app" / "migrations"
    directory.mkdir(parents=True)
    (directory / "__init__.py").touch()
    for number, body in enumerate(bodies, start=1):
        deps = f"[('app', '{number - 1:04d}_m')]" if number > 1 else "[]"
        text = header + textwrap.dedent(body).replace("DEPS", deps)
        (directory / f"{number:04d}_m.py").write_text(text, encoding="utf-8")
    return Engine(Config()).analyze([directory])


def model(analysis: Any, name: str) -> ModelInfo | None:
    state = analysis.replayer.state.models.get(("app", name))
    return ModelInfo.from_state(state) if state is not None else None


def problems(analysis: Any) -> list[str]:
    return [text for m in analysis.project.migrations for _, text in m.problems]


def test_class_body_names_are_visible_to_later_statements(tmp_path: Path) -> None:
    analysis = analyze(tmp_path, f"""
        class Migration(migrations.Migration):
            dependencies = DEPS
            state_operations = [{CREATE}]
            operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
    """)
    assert model(analysis, "page") is not None


def test_class_body_list_mutations(tmp_path: Path) -> None:
    analysis = analyze(tmp_path, f"""
        class Migration(migrations.Migration):
            dependencies = DEPS
            operations = [{CREATE}]
            operations += [migrations.AddField('page', 'a', models.IntegerField(null=True))]
            operations.append(migrations.AddField('page', 'b', models.IntegerField(null=True)))
            operations.extend([migrations.AddField('page', 'c', models.IntegerField(null=True))])
    """)
    info = model(analysis, "page")
    assert info is not None and list(info.fields) == ["id", "a", "b", "c"]


def test_vendor_conditional_operations_are_reported(tmp_path: Path) -> None:
    analysis = analyze(
        tmp_path,
        f"""
        class Migration(migrations.Migration):
            dependencies = DEPS
            operations = [{CREATE}]
        """,
        """
        from django.db import connection

        class Migration(migrations.Migration):
            dependencies = DEPS
            if connection.vendor == "postgresql":
                operations = [migrations.AddField('page', 'a', models.IntegerField(null=True))]
        """,
    )
    assert any("operations is set under a condition" in p for p in problems(analysis))


def test_state_operations_that_are_not_a_list_become_unknown(tmp_path: Path) -> None:
    analysis = analyze(tmp_path, """
        from app.ops import OPS

        class Migration(migrations.Migration):
            dependencies = DEPS
            operations = [migrations.SeparateDatabaseAndState(state_operations=OPS)]
    """)
    (op,) = analysis.parsed[("app", "0001_m")].migration.operations
    assert [type(o) for o in op.state_operations] == [UnknownOperation]


def test_operation_subclass_defined_in_the_module_keeps_its_state_change(tmp_path: Path) -> None:
    analysis = analyze(
        tmp_path,
        f"""
        class Migration(migrations.Migration):
            dependencies = DEPS
            operations = [{CREATE}]
        """,
        """
        class DeleteModelIfExists(migrations.DeleteModel):
            def database_forwards(self, app_label, schema_editor, from_state, to_state):
                pass

        class Migration(migrations.Migration):
            dependencies = DEPS
            operations = [DeleteModelIfExists(name='Page')]
        """,
    )
    assert model(analysis, "page") is None


def test_operation_subclass_changing_the_state_stays_unknown(tmp_path: Path) -> None:
    analysis = analyze(tmp_path, """
        class Custom(migrations.CreateModel):
            def state_forwards(self, app_label, state):
                pass

        class Migration(migrations.Migration):
            dependencies = DEPS
            operations = [Custom(name='Page', fields=[('id', models.AutoField(primary_key=True))])]
    """)
    (op,) = analysis.parsed[("app", "0001_m")].migration.operations
    assert isinstance(op, UnknownOperation)


def test_enum_members_as_migration_writer_spells_them(tmp_path: Path) -> None:
    analysis = analyze(tmp_path, """
        import django.db.models.constraints

        class Migration(migrations.Migration):
            dependencies = DEPS
            operations = [
                migrations.CreateModel(name='Page', fields=[('id', models.AutoField(primary_key=True))], options={
                    'constraints': [models.UniqueConstraint(
                        fields=('id',), name='u', deferrable=django.db.models.constraints.Deferrable['DEFERRED'],
                    )],
                }),
            ]
    """)
    info = model(analysis, "page")
    assert info is not None
    from django.db.models import Deferrable

    assert info.constraints[0].deferrable is Deferrable.DEFERRED


def test_swapper_model_names_are_the_unswapped_defaults(tmp_path: Path) -> None:
    analysis = analyze(tmp_path, f"""
        import swapper

        class Migration(migrations.Migration):
            dependencies = DEPS
            operations = [{CREATE}
                migrations.CreateModel(name='Link', fields=[
                    ('id', models.AutoField(primary_key=True)),
                    ('page', models.ForeignKey(on_delete=models.CASCADE, to=swapper.get_model_name('app', 'Page'))),
                ], options={{'swappable': swapper.swappable_setting('app', 'Link')}}),
            ]
    """)
    info = model(analysis, "link")
    assert info is not None
    page = info.fields["page"]
    assert (page.column, page.related_model, page.known) == ("page_id", "app.page", True)


def test_default_auto_field_setting_is_a_named_placeholder(tmp_path: Path) -> None:
    analysis = analyze(tmp_path, """
        from django.conf import settings
        from django.utils.module_loading import import_string

        AutoField = import_string(settings.DEFAULT_AUTO_FIELD)

        class Migration(migrations.Migration):
            dependencies = DEPS
            operations = [migrations.CreateModel(name='Page', fields=[('id', AutoField(primary_key=True))])]
    """)
    info = model(analysis, "page")
    assert info is not None
    assert info.fields["id"].describe()["type"] == "DEFAULT_AUTO_FIELD"
    assert info.fields["id"].primary_key


def test_rename_model_repoints_its_own_self_reference(tmp_path: Path) -> None:
    analysis = analyze(tmp_path, f"""
        class Migration(migrations.Migration):
            dependencies = DEPS
            operations = [{CREATE}
                migrations.AddField('page', 'parent', models.ForeignKey('app.page', models.CASCADE, null=True)),
                migrations.RenameModel('Page', 'Node'),
            ]
    """)
    info = model(analysis, "node")
    assert info is not None and info.fields["parent"].related_model == "app.node"


def test_auth_validators_are_read_without_importing_django_contrib_auth() -> None:
    """Reading contrib.auth's migrations (any project with a user model depends on them) must not run
    django.contrib.auth's __init__, which imports the CSRF middleware, mail and views; the validator
    stays a placeholder that keeps its name."""
    probe = textwrap.dedent(
        """
        import sys
        from safemigrate.engine import Engine
        from safemigrate.config import Config
        import django.contrib.contenttypes, pathlib
        auth = pathlib.Path(django.contrib.contenttypes.__file__).parent.parent / "auth" / "migrations"
        analysis = Engine(Config()).analyze([auth])
        field = analysis.replayer.state.models[("auth", "user")].fields["username"]
        print(sorted(m for m in ("django.contrib.auth", "django.middleware.csrf") if m in sys.modules))
        print([getattr(v, "safemigrate_path", type(v).__name__) for v in field.validators][:1])
        """
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    imported, validators = result.stdout.splitlines()[-2:]
    assert imported == "[]"
    assert validators == "['django.contrib.auth.validators.UnicodeUsernameValidator']"
