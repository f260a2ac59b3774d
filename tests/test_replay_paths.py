"""The replay has a fast path for migrations nobody asked about (no contexts built).

Both paths must leave the same state behind: Django's state, the database shadow, and which
constraints are still NOT VALID, or a pre-commit run (reporting one file) would judge it against a
different history than a full run.
"""

from __future__ import annotations

from pathlib import Path

from safemigrate.config import Config
from safemigrate.engine import Engine, LoadedProject, replay_project
from safemigrate.schema import ModelInfo
from tests.rule_examples import FIXTURES

SAMPLE = FIXTURES.parent.parent / "sample_project"

HISTORY = '''from django.db import migrations, models
from django.contrib.postgres.operations import AddConstraintNotValid


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveField("customer", "nickname")],
        ),
        migrations.RunSQL(
            "ALTER TABLE shop_product DROP COLUMN description; ALTER TABLE shop_order ALTER COLUMN note SET NOT NULL",
            migrations.RunSQL.noop,
        ),
        AddConstraintNotValid(
            "product",
            models.CheckConstraint(condition=models.Q(price__gte=0), name="price_non_negative"),
        ),
        migrations.RunSQL(
            "ALTER TABLE shop_customer ADD COLUMN extra integer NULL",
            migrations.RunSQL.noop,
            state_operations=[migrations.AddField("customer", "extra", models.IntegerField(null=True))],
        ),
    ]
'''


def described(state: object) -> dict[str, object]:
    models = state.models  # type: ignore[attr-defined]
    return {f"{a}.{m}": ModelInfo.from_state(ms).describe() for (a, m), ms in sorted(models.items())}


def replayed(loaded: LoadedProject, reported: set[tuple[str, str]]):  # type: ignore[no-untyped-def]
    loaded.reported = reported
    return replay_project(loaded).replayer


def assert_same_history(paths: list[Path]) -> None:
    loaded = Engine(Config()).load(paths)
    full = replayed(loaded, set(loaded.migrations))
    loaded = Engine(Config()).load(paths)
    fast = replayed(loaded, set())
    assert described(fast.state) == described(full.state)
    assert described(fast.db) == described(full.db)
    assert fast.unvalidated == full.unvalidated


def test_both_replay_paths_agree_on_state_only_sql_and_not_valid_history(tmp_path: Path) -> None:
    from tests.rule_examples import write_project

    project = write_project(tmp_path, [("0002_history.py", HISTORY)])
    loaded = Engine(Config()).load([project])
    replayer = replayed(loaded, set(loaded.migrations))
    # The history is not trivial: the shadow and the NOT VALID tracking both hold something.
    assert replayer.db.models and replayer.unvalidated
    assert_same_history([project])


def test_both_replay_paths_agree_on_the_sample_project() -> None:
    assert_same_history([SAMPLE])
