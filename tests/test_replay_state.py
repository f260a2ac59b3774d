"""ReplayState keeps Django's indexes incrementally (safemigrate/state.py); they must match a fresh pass."""

from __future__ import annotations

from django.db import migrations, models
from django.db.migrations.state import ProjectState

from safemigrate.engine import ensure_django_settings
from safemigrate.state import ReplayState

ensure_django_settings()


def fresh_mapping(state: ReplayState) -> dict[tuple[str, str], tuple[str, str]]:
    mapping: dict[tuple[str, str], tuple[str, str]] = ProjectState._get_concrete_models_mapping_and_proxy_models(state)[0]
    return mapping


def pk() -> list[tuple[str, models.Field]]:  # type: ignore[type-arg]
    return [("id", models.AutoField(primary_key=True))]


def test_a_model_made_a_proxy_by_hand_is_mapped_to_its_concrete_model() -> None:
    state = ReplayState()
    for op in (
        migrations.CreateModel("A", pk()),
        migrations.CreateModel("B", pk(), bases=("app.a",)),
        migrations.AlterModelOptions("B", {"proxy": True}),  # Django never writes this; a person can
    ):
        op.state_forwards("app", state)
    assert state.models["app", "b"].options.get("proxy") is True
    assert state._get_concrete_models_mapping_and_proxy_models()[0] == fresh_mapping(state)
    assert fresh_mapping(state)["app", "b"] == ("app", "a")


def test_models_added_removed_and_renamed_keep_the_mapping_exact() -> None:
    state = ReplayState()
    steps = [
        migrations.CreateModel("A", pk()),
        migrations.CreateModel("P", [], options={"proxy": True}, bases=("app.a",)),
        migrations.CreateModel("Q", [], options={"proxy": True}, bases=("app.p",)),
        migrations.CreateModel("B", [*pk(), ("a", models.ForeignKey("app.q", models.CASCADE))]),
        migrations.RenameModel("A", "A2"),
        migrations.DeleteModel("Q"),
        migrations.CreateModel("C", pk()),
    ]
    for op in steps:
        op.state_forwards("app", state)
        assert state._get_concrete_models_mapping_and_proxy_models()[0] == fresh_mapping(state), op
