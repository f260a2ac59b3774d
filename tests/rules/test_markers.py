"""Peer markers as declared deploy phases (markers.py), and what they change: ZDM102/ZDM103 accept the contract
step done right, ZDM502/ZDM503/ZDM504 report operations that contradict the declaration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from safemigrate.findings import Phase
from safemigrate.markers import declared_phase, operation_stage, read_marker
from safemigrate.source.placeholders import Placeholder, PlaceholderCall, UnknownOperation
from tests.rule_examples import lint_migrations

IMPORTS = """from django.db import migrations, models
from django_safemigrate import Safe
from syzygy import Stage
import syzygy.operations
"""


def migration(marker: str, body: str) -> list[tuple[str, str]]:
    return [
        (
            "0002_test.py",
            f"""{IMPORTS}

class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    {marker}

    operations = [
{body}    ]
""",
        )
    ]


def rules(tmp_path: Path, marker: str, body: str, select: list[str] | None = None) -> list[tuple[str, int]]:
    return [(f.rule, f.line) for f in lint_migrations(tmp_path, migration(marker, body), select=select)]


DROP_NULLABLE = '        migrations.RemoveField(model_name="customer", name="legacy_code"),\n'
DROP_NOT_NULL = '        migrations.RemoveField(model_name="customer", name="nickname"),\n'
DROP_TABLE = '        migrations.DeleteModel(name="Order"),\n'
ADD = '        migrations.AddField(model_name="product", name="weight", field=models.IntegerField(null=True)),\n'
TIGHTEN = (
    '        migrations.AlterField(model_name="customer", name="legacy_code", '
    "field=models.CharField(max_length=20)),\n"
)
INDEX = '        migrations.AlterModelOptions(name="product", options={"ordering": ["name"]}),\n'

POST = ["safe = Safe.after_deploy()", "safe = Safe.after_deploy", "stage = Stage.POST_DEPLOY",
        "is_post_deployment = True", "safe = False", "stage: Stage = Stage.POST_DEPLOY",
        'deploy_phase = "post-deploy"']  # fmt: skip
PRE = ["safe = Safe.before_deploy()", "safe = Safe.before_deploy", "stage = Stage.PRE_DEPLOY", "safe = True",
       'deploy_phase = "pre-deploy"']  # fmt: skip


# --- reading markers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("safe", PlaceholderCall("django_safemigrate.Safe.after_deploy", (), {}), (Phase.POST_DEPLOY, "safe = Safe.after_deploy()")),
        ("safe", Placeholder("django_safemigrate.Safe.before_deploy"), (Phase.PRE_DEPLOY, "safe = Safe.before_deploy")),
        ("safe", PlaceholderCall("django_safemigrate.Safe.always", (), {}), (Phase.ANY, "safe = Safe.always()")),
        ("safe", True, (Phase.PRE_DEPLOY, "safe = True")),
        ("safe", False, (Phase.POST_DEPLOY, "safe = False")),
        ("stage", Placeholder("syzygy.constants.Stage.POST_DEPLOY"), (Phase.POST_DEPLOY, "stage = Stage.POST_DEPLOY")),
        ("stage", Placeholder("syzygy.Stage.PRE_DEPLOY"), (Phase.PRE_DEPLOY, "stage = Stage.PRE_DEPLOY")),
        ("is_post_deployment", True, (Phase.POST_DEPLOY, "is_post_deployment = True")),
        ("is_post_deployment", False, None),
        ("deploy_phase", "post-deploy", (Phase.POST_DEPLOY, 'deploy_phase = "post-deploy"')),
        ("deploy_phase", "any", (Phase.ANY, 'deploy_phase = "any"')),
        ("deploy_phase", "later", None),
        ("safe", "yes", None),
        ("stage", Placeholder("myapp.Stage.LATER"), None),
        ("phase", Placeholder("syzygy.Stage.POST_DEPLOY"), None),
    ],
)
def test_read_marker(name: str, value: Any, expected: tuple[Phase, str] | None) -> None:
    assert read_marker(name, value) == expected


def test_operation_stage() -> None:
    staged = UnknownOperation("syzygy.operations.AlterField", (), {"stage": Placeholder("syzygy.Stage.POST_DEPLOY")})
    assert operation_stage(staged) is Phase.POST_DEPLOY
    assert operation_stage(UnknownOperation("syzygy.operations.PostAddField")) is Phase.POST_DEPLOY
    assert operation_stage(UnknownOperation("syzygy.operations.AlterField")) is None
    assert operation_stage(UnknownOperation("other.PostAddField")) is None


def test_declared_phase_conflicts_and_operation_stages() -> None:
    post = Placeholder("syzygy.Stage.POST_DEPLOY")
    before = Placeholder("django_safemigrate.Safe.before_deploy")
    assert declared_phase({"stage": post, "safe": before}, []) == (None, "")
    assert declared_phase({"stage": post, "is_post_deployment": True}, [])[0] is Phase.POST_DEPLOY
    ops = [object(), UnknownOperation("syzygy.operations.AlterField", (), {"stage": post})]
    assert declared_phase({}, ops) == (Phase.POST_DEPLOY, "stage=Stage.POST_DEPLOY on operations[1]")
    pre = UnknownOperation("syzygy.operations.RenameField", (), {"stage": Placeholder("syzygy.Stage.PRE_DEPLOY")})
    assert declared_phase({}, [*ops, pre]) == (None, "")
    assert declared_phase({"safe": before}, ops)[0] is Phase.PRE_DEPLOY  # the migration's own marker wins


# --- drop-column and drop-table in a declared post-deploy migration ------------------------------------------


@pytest.mark.parametrize("marker", POST)
def test_post_deploy_may_drop_a_nullable_column(tmp_path: Path, marker: str) -> None:
    assert rules(tmp_path, marker, DROP_NULLABLE) == []


def test_undeclared_drop_is_still_flagged(tmp_path: Path) -> None:
    assert rules(tmp_path, "", DROP_NULLABLE) == [("ZDM102", 12)]
    assert rules(tmp_path / "b", "safe = Safe.before_deploy()", DROP_NULLABLE, ["ZDM102"]) == [("ZDM102", 12)]
    assert rules(tmp_path / "c", "is_post_deployment = False", DROP_NULLABLE) == [("ZDM102", 12)]


@pytest.mark.parametrize("marker", POST)
def test_post_deploy_may_not_drop_a_not_null_column_without_db_default(tmp_path: Path, marker: str) -> None:
    found = lint_migrations(tmp_path, migration(marker, DROP_NOT_NULL))
    assert [(f.rule, f.line) for f in found] == [("ZDM102", 12)]
    assert "NOT NULL" in found[0].message and "declared post-deploy" in found[0].message
    assert marker.replace(": Stage", "") in found[0].message


def test_post_deploy_may_drop_a_not_null_column_with_a_db_default(tmp_path: Path) -> None:
    body = (
        '        migrations.AlterField(model_name="customer", name="nickname", '
        'field=models.CharField(max_length=50, db_default="")),\n'
    )
    pre = migration("safe = Safe.before_deploy()", body)
    post = migration("safe = Safe.after_deploy()", DROP_NOT_NULL)
    post[0] = ("0003_drop.py", post[0][1].replace('("shop", "0001_initial")', '("shop", "0002_test")'))
    found = lint_migrations(tmp_path, [*pre, *post], select=["ZDM1", "ZDM5"])
    assert [(f.migration, f.rule) for f in found] == []


def test_post_deploy_drop_after_a_state_only_removal(tmp_path: Path) -> None:
    """Release N removes the field from the state; release N+1's post-deploy migration drops the column: the
    running code no longer knows it, so even a NOT NULL column may go (ZDM104 judges the state-only removal)."""
    for name in ("legacy_code", "nickname"):
        state_only = (
            "        migrations.SeparateDatabaseAndState(\n"
            f'            state_operations=[migrations.RemoveField(model_name="customer", name="{name}")],\n'
            "        ),\n"
        )
        drop = (
            "        migrations.SeparateDatabaseAndState(\n"
            f'            database_operations=[migrations.RemoveField(model_name="customer", name="{name}")],\n'
            "        ),\n"
        )
        first = migration("", state_only)
        second = migration("safe = Safe.after_deploy()", drop)
        second[0] = ("0003_drop.py", second[0][1].replace('("shop", "0001_initial")', '("shop", "0002_test")'))
        assert lint_migrations(tmp_path / name, [*first, *second], select=["ZDM102", "ZDM5"]) == []


@pytest.mark.parametrize("marker", POST)
def test_post_deploy_may_drop_a_table(tmp_path: Path, marker: str) -> None:
    assert rules(tmp_path, marker, DROP_TABLE) == []
    assert rules(tmp_path / "b", "", DROP_TABLE, ["ZDM103"]) == [("ZDM103", 12)]


# --- ZDM502 / ZDM503 / ZDM504 --------------------------------------------------------------------------------


@pytest.mark.parametrize("marker", POST)
def test_expand_in_post_deploy_migration(tmp_path: Path, marker: str) -> None:
    found = lint_migrations(tmp_path, migration(marker, ADD))
    assert [(f.rule, f.line, f.phase) for f in found] == [("ZDM502", 12, Phase.PRE_DEPLOY)]
    assert "declared post-deploy" in found[0].message and 'AddField "shop_product.weight"' in found[0].message


@pytest.mark.parametrize("marker", PRE)
def test_contract_in_pre_deploy_migration(tmp_path: Path, marker: str) -> None:
    found = lint_migrations(tmp_path, migration(marker, DROP_NULLABLE + INDEX))
    assert [(f.rule, f.line) for f in found] == [("ZDM102", 12), ("ZDM503", 12)]
    assert "declared pre-deploy" in found[1].message


@pytest.mark.parametrize(
    ("marker", "rule", "body", "suggested"),
    [
        ("safe = Safe.before_deploy()", "ZDM503", DROP_NULLABLE, "safe = Safe.after_deploy()"),
        ("safe = True", "ZDM503", DROP_NULLABLE, "safe = False"),
        ("stage = Stage.PRE_DEPLOY", "ZDM503", DROP_NULLABLE, "stage = Stage.POST_DEPLOY"),
        ('deploy_phase = "pre-deploy"', "ZDM503", DROP_NULLABLE, 'deploy_phase = "post-deploy"'),
        ("safe = Safe.always()", "ZDM504", ADD, "safe = Safe.before_deploy()"),
        ('deploy_phase = "any"', "ZDM504", ADD, 'deploy_phase = "pre-deploy"'),
        ('deploy_phase = "any"', "ZDM504", DROP_NULLABLE, 'deploy_phase = "post-deploy"'),
    ],
)
def test_help_names_the_marker_of_the_tool_in_use(tmp_path: Path, marker: str, rule: str, body: str, suggested: str) -> None:
    (found,) = lint_migrations(tmp_path, migration(marker, body), select=[rule])
    assert suggested in found.help
    assert ("Safe." in found.help) is marker.startswith("safe = Safe")


def test_tightening_in_pre_deploy_migration(tmp_path: Path) -> None:
    assert ("ZDM503", 12) in rules(tmp_path, "stage = Stage.PRE_DEPLOY", TIGHTEN)


@pytest.mark.parametrize("marker", ["safe = Safe.always()", "safe = Safe.always"])
def test_expand_or_contract_in_always_safe_migration(tmp_path: Path, marker: str) -> None:
    found = lint_migrations(tmp_path, migration(marker, ADD + INDEX + DROP_NULLABLE), select=["ZDM5"])
    assert [(f.rule, f.line) for f in found] == [("ZDM501", 7), ("ZDM504", 12), ("ZDM504", 14)]
    assert "expand step" in found[1].message and "contract step" in found[2].message
    assert rules(tmp_path / "b", marker, INDEX) == []


def test_matching_declarations_are_clean(tmp_path: Path) -> None:
    assert rules(tmp_path, "safe = Safe.before_deploy()", ADD) == []
    assert rules(tmp_path / "b", "stage = Stage.POST_DEPLOY", DROP_NULLABLE + DROP_TABLE) == []
    assert rules(tmp_path / "c", "", ADD) == []


def test_mixed_migration_is_still_reported_when_declared(tmp_path: Path) -> None:
    assert rules(tmp_path, "safe = Safe.after_deploy()", ADD + DROP_NULLABLE, ["ZDM5"]) == [
        ("ZDM501", 7), ("ZDM502", 12)
    ]


def test_syzygy_operation_stage(tmp_path: Path) -> None:
    staged = (
        '        syzygy.operations.AlterField("customer", "legacy_code", models.CharField(max_length=20), '
        "stage=Stage.POST_DEPLOY),\n"
    )
    found = lint_migrations(tmp_path, migration("", ADD + staged), select=["ZDM5"])
    assert [(f.rule, f.line) for f in found] == [("ZDM501", 7), ("ZDM502", 12)]
    assert "stage=Stage.POST_DEPLOY on operations[1]" in found[1].message
    # Declared post-deploy by its operation, the migration may drop a nullable column.
    assert rules(tmp_path / "b", "", staged + DROP_NULLABLE, ["ZDM1", "ZDM5"]) == []


def test_markers_of_unreported_migrations_are_not_read(tmp_path: Path) -> None:
    from safemigrate.config import Config
    from safemigrate.engine import Engine
    from tests.rule_examples import write_project

    project = write_project(tmp_path, migration("safe = Safe.after_deploy()", DROP_NULLABLE))
    analysis = Engine(Config()).analyze([project / "shop" / "migrations" / "0001_initial.py"])
    by_name = {m.name: m for m in analysis.project.migrations}
    assert by_name["0002_test"].declared_phase is None
    analysis = Engine(Config()).analyze([project])
    assert {m.name: m.declared_phase for m in analysis.project.migrations}["0002_test"] is Phase.POST_DEPLOY


def test_a_misspelt_deploy_phase_is_reported_not_ignored(tmp_path: Path) -> None:
    from safemigrate.config import Config
    from safemigrate.engine import Engine
    from tests.rule_examples import write_project

    assert rules(tmp_path / "a", 'deploy_phase = "post_deploy"', DROP_NULLABLE, select=["ZDM102"]) == [("ZDM102", 12)]
    project = write_project(tmp_path / "b", migration('deploy_phase = "post_deploy"', DROP_NULLABLE))
    notes = Engine(Config()).analyze([project]).notes
    assert any("deploy_phase = 'post_deploy' declares nothing" in note for note in notes), notes
