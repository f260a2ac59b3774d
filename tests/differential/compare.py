"""Shared helpers for the differential tests: Django's state vs. the static replay."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from safemigrate.config import Config
from safemigrate.engine import Engine
from safemigrate.schema import ModelInfo

HERE = Path(__file__).resolve().parent
DJANGO_STATE = HERE / "django_state.py"

State = dict[str, dict[str, Any]]


def plain(value: Any) -> Any:
    """JSON round trip, so both sides hold the same kinds of values (lists, not tuples)."""
    return json.loads(json.dumps(value, sort_keys=True, default=repr))


def django_state(
    installed_apps: list[str],
    sys_path: Iterable[str | Path] = (),
    auth_user_model: str = "auth.User",
    settings: dict[str, Any] | None = None,
    settings_from: Iterable[str] = (),
) -> State:
    """Django's own ``loader.project_state()``, described, from a subprocess with real settings."""
    spec = {
        "installed_apps": installed_apps,
        "sys_path": [str(p) for p in sys_path],
        "auth_user_model": auth_user_model,
        "settings": settings or {},
        "settings_from": list(settings_from),
    }
    result = subprocess.run(
        [sys.executable, str(DJANGO_STATE)],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise AssertionError(f"django_state.py failed (exit {result.returncode}):\n{result.stderr}")
    data: State = json.loads(result.stdout)
    return data


def static_state(paths: list[Path], config: Config | None = None) -> State:
    """The static engine's replayed state, described."""
    analysis = Engine(config or Config()).analyze(paths)
    return describe_state(analysis.replayer.state)


def index_drift(state: Any, reference: Any) -> list[str]:
    """Where the replay's incrementally kept indexes (the reverse-relation index and the concrete-model
    mapping, see safemigrate/state.py) differ from those of Django's own ProjectState that kept its
    relation index through the same operations (``reference``)."""
    from django.db.migrations.state import ProjectState

    def relations(index: Any) -> dict[Any, dict[Any, list[str]]]:
        return {
            key: {ref: sorted(fields) for ref, fields in refs.items() if fields}
            for key, refs in index.items()
            if any(refs.values())
        }

    drift = []
    if relations(state.relations) != relations(reference.relations):
        drift.append(f"relations: kept {relations(state.relations)} != Django's {relations(reference.relations)}")
    kept = state._get_concrete_models_mapping_and_proxy_models()[0]
    computed = ProjectState._get_concrete_models_mapping_and_proxy_models(state)[0]
    if kept != computed:
        drift.append(f"concrete models: kept {kept} != computed now {computed}")
    return drift


def describe_state(state: Any) -> State:
    return {
        f"{app}.{name}": plain(ModelInfo.from_state(model_state).describe())
        for (app, name), model_state in sorted(state.models.items())
    }


@dataclass(frozen=True)
class Difference:
    model: str
    field: str | None  # None: a model-level difference
    attr: str | None  # None: the model/field exists on one side only
    expected: Any
    actual: Any

    def __str__(self) -> str:
        if self.field is None and self.attr is None:
            side = "django" if self.expected is not None else "static"
            return f"{self.model}: model only in {side}"
        if self.field is None:
            return f"{self.model}: {self.attr}: django={self.expected!r} static={self.actual!r}"
        if self.attr is None:
            side = "django" if self.expected is not None else "static"
            return f"{self.model}: field {self.field}: only in {side}"
        return f"{self.model}: field {self.field}.{self.attr}: django={self.expected!r} static={self.actual!r}"


@dataclass(frozen=True)
class Waiver:
    """A known, explained difference: model/field/attr are glob patterns (None matches anything)."""

    model: str
    reason: str
    field: str | None = None
    attr: str | None = None
    static_type: str | None = None  # only when the static side's field has this type

    def matches(self, diff: Difference, actual: State) -> bool:
        if not fnmatchcase(diff.model, self.model):
            return False
        if self.field is not None and (diff.field is None or not fnmatchcase(diff.field, self.field)):
            return False
        if self.attr is not None and (diff.attr is None or not fnmatchcase(diff.attr, self.attr)):
            return False
        if self.static_type is not None:
            field = actual.get(diff.model, {}).get("fields", {}).get(diff.field or "", {})
            return bool(field.get("type") == self.static_type)
        return True


def diff_states(expected: State, actual: State) -> list[Difference]:
    """Missing/extra models, then per model its options, then per field every described key."""
    out: list[Difference] = []
    for key in sorted(set(expected) - set(actual)):
        out.append(Difference(key, None, None, True, None))
    for key in sorted(set(actual) - set(expected)):
        out.append(Difference(key, None, None, None, True))
    for key in sorted(set(expected) & set(actual)):
        out.extend(diff_models(key, expected[key], actual[key]))
    return out


def diff_models(key: str, expected: dict[str, Any], actual: dict[str, Any]) -> list[Difference]:
    out: list[Difference] = []
    for option in sorted(set(expected) | set(actual)):
        if option != "fields" and expected.get(option) != actual.get(option):
            out.append(Difference(key, None, option, expected.get(option), actual.get(option)))
    fields_e, fields_a = expected.get("fields", {}), actual.get("fields", {})
    for name in sorted(set(fields_e) - set(fields_a)):
        out.append(Difference(key, name, None, True, None))
    for name in sorted(set(fields_a) - set(fields_e)):
        out.append(Difference(key, name, None, None, True))
    for name in sorted(set(fields_e) & set(fields_a)):
        fe, fa = fields_e[name], fields_a[name]
        for attr in sorted(set(fe) | set(fa)):
            if fe.get(attr) != fa.get(attr):
                out.append(Difference(key, name, attr, fe.get(attr), fa.get(attr)))
    return out


def split_waived(
    differences: list[Difference], waivers: Iterable[Waiver], actual: State
) -> tuple[list[Difference], set[Waiver]]:
    """The differences no waiver explains, and the waivers that explained something."""
    waivers = list(waivers)
    left: list[Difference] = []
    used: set[Waiver] = set()
    for diff in differences:
        waiver = next((w for w in waivers if w.matches(diff, actual)), None)
        if waiver is None:
            left.append(diff)
        else:
            used.add(waiver)
    return left, used


def format_diff(differences: Iterable[object], limit: int = 200) -> str:
    lines = [str(d) for d in differences]
    shown = lines[:limit]
    more = f"\n  ... and {len(lines) - limit} more" if len(lines) > limit else ""
    return f"{len(lines)} difference(s):\n  " + "\n  ".join(shown) + more
