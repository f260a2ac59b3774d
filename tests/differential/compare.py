"""Shared helpers for the differential tests: Django's state vs. the static replay."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
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


def describe_state(state: Any) -> State:
    return {
        f"{app}.{name}": plain(ModelInfo.from_state(model_state).describe())
        for (app, name), model_state in sorted(state.models.items())
    }


def diff_states(expected: State, actual: State, expected_name: str = "django", actual_name: str = "static") -> list[str]:
    """Readable differences, one line each: missing/extra models, then per-model, per-field keys."""
    lines: list[str] = []
    for key in sorted(set(expected) - set(actual)):
        lines.append(f"{key}: model only in {expected_name}")
    for key in sorted(set(actual) - set(expected)):
        lines.append(f"{key}: model only in {actual_name}")
    for key in sorted(set(expected) & set(actual)):
        lines.extend(f"{key}: {line}" for line in diff_models(expected[key], actual[key], expected_name, actual_name))
    return lines


def diff_models(expected: dict[str, Any], actual: dict[str, Any], en: str, an: str) -> list[str]:
    lines: list[str] = []
    for option in sorted(set(expected) | set(actual)):
        if option == "fields":
            continue
        if expected.get(option) != actual.get(option):
            lines.append(f"{option}: {en}={expected.get(option)!r} {an}={actual.get(option)!r}")
    fields_e, fields_a = expected.get("fields", {}), actual.get("fields", {})
    if list(fields_e) != list(fields_a) and set(fields_e) == set(fields_a):
        pass  # field order is not compared: JSON keys are sorted on Django's side
    for name in sorted(set(fields_e) - set(fields_a)):
        lines.append(f"field {name}: only in {en}")
    for name in sorted(set(fields_a) - set(fields_e)):
        lines.append(f"field {name}: only in {an}")
    for name in sorted(set(fields_e) & set(fields_a)):
        fe, fa = fields_e[name], fields_a[name]
        for attr in sorted(set(fe) | set(fa)):
            if fe.get(attr) != fa.get(attr):
                lines.append(f"field {name}.{attr}: {en}={fe.get(attr)!r} {an}={fa.get(attr)!r}")
    return lines


def format_diff(lines: list[str], limit: int = 200) -> str:
    shown = lines[:limit]
    more = f"\n... and {len(lines) - limit} more" if len(lines) > limit else ""
    return f"{len(lines)} difference(s):\n  " + "\n  ".join(shown) + more
