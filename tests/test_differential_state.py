"""The static replay's state equals Django's own ``loader.project_state()``, model by model.

Django's side runs in a subprocess with real settings (tests/differential/django_state.py);
the static side is ``Engine(...).analyze(paths)``. Both are described with the same code,
``ModelInfo.from_state(...).describe()``.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

import django
import pytest

from safemigrate.config import Config
from tests.differential.compare import diff_states, django_state, format_diff, static_state

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_PROJECT = REPO_ROOT / "sample_project"
DJANGO_CONTRIB = Path(django.__file__).parent / "contrib"


def package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


@dataclass
class Target:
    name: str
    installed_apps: list[str]
    paths: list[Path]
    sys_path: list[Path] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    settings: dict[str, object] = field(default_factory=dict)
    settings_from: list[str] = field(default_factory=list)


def wagtail_apps(root: Path) -> list[str]:
    """Every wagtail app with a migrations package (the test apps and project template aside)."""
    apps = []
    for migrations in sorted(root.rglob("migrations/__init__.py")):
        app_dir = migrations.parent.parent
        rel = app_dir.relative_to(root.parent)
        if not (app_dir / "apps.py").is_file() or rel.parts[1:2] in (("test",), ("project_template",)):
            continue
        apps.append(".".join(rel.parts))
    return apps


CONTRIB_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.redirects",
]


def targets() -> list[object]:
    out: list[object] = [
        Target(
            "sample_project",
            ["django.contrib.auth", "django.contrib.contenttypes", "shop", "unsafe_examples"],
            [SAMPLE_PROJECT / "shop" / "migrations", SAMPLE_PROJECT / "unsafe_examples" / "migrations"],
            sys_path=[SAMPLE_PROJECT],
        ),
        Target("django_contrib", CONTRIB_APPS, [DJANGO_CONTRIB]),
    ]
    wagtail = package_dir("wagtail")
    if wagtail is not None:
        apps = wagtail_apps(wagtail)
        out.append(Target(
            "wagtail",
            [*apps, "taggit", "modelcluster", *CONTRIB_APPS],
            [wagtail],
            exclude=[str(wagtail / "test"), str(wagtail / "project_template"), str(wagtail / "blocks" / "migrations")],
        ))
    else:
        out.append(pytest.param(None, marks=pytest.mark.skip(reason="wagtail is not installed"), id="wagtail"))
    oscar = package_dir("oscar")
    if oscar is not None:
        import oscar as oscar_package

        out.append(Target(
            "oscar",
            list(oscar_package.INSTALLED_APPS),
            [oscar / "apps"],
            settings_from=["oscar.defaults"],
            settings={"HAYSTACK_CONNECTIONS": {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}},
        ))
    else:
        out.append(pytest.param(None, marks=pytest.mark.skip(reason="django-oscar is not installed"), id="oscar"))
    return out


@pytest.mark.parametrize("target", targets(), ids=lambda t: getattr(t, "name", None))
def test_static_state_matches_django(target: Target) -> None:
    expected = django_state(
        target.installed_apps, target.sys_path, settings=target.settings, settings_from=target.settings_from
    )
    # Django loads every installed app; the engine loads what the given migrations depend on.
    # Name the installed contrib apps too, so both sides hold the same apps.
    contrib = [
        DJANGO_CONTRIB / app.rpartition(".")[2] / "migrations"
        for app in target.installed_apps
        if app.startswith("django.contrib.") and (DJANGO_CONTRIB / app.rpartition(".")[2] / "migrations").is_dir()
    ]
    actual = static_state([*target.paths, *contrib], Config(exclude=target.exclude))
    assert expected, "Django's loader found no models"
    differences = diff_states(expected, actual)
    assert not differences, format_diff(differences)
