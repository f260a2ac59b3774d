"""The static replay's state equals Django's own ``loader.project_state()``, model by model.

Django's side runs in a subprocess with real settings (tests/differential/django_state.py);
the static side is ``Engine(...).analyze(paths)``. Both are described with the same code,
``ModelInfo.from_state(...).describe()``. The few differences the static reader cannot avoid
are listed as waivers, each with its reason; a waiver that no longer matches anything fails too.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import django
import pytest

from safemigrate.config import Config
from tests.differential.compare import Waiver, diff_states, django_state, format_diff, split_waived, static_state

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_PROJECT = REPO_ROOT / "sample_project"
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

VENDOR = "operations chosen by `if connection.vendor == ...` in the class body: unknown statically (reported)"


@dataclass
class Target:
    name: str
    installed_apps: list[str]
    paths: list[Path]
    sys_path: list[Path] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    settings: dict[str, object] = field(default_factory=dict)
    settings_from: list[str] = field(default_factory=list)
    waivers: list[Waiver] = field(default_factory=list)
    generate: Callable[[Path, Target], None] | None = None  # writes the project into a scratch directory


def package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def wagtail_apps(root: Path) -> list[str]:
    """Every wagtail app with a migrations package (its test apps and project template aside)."""
    apps = []
    for init in sorted(root.rglob("migrations/__init__.py")):
        app_dir = init.parent.parent
        rel = app_dir.relative_to(root.parent)
        if (app_dir / "apps.py").is_file() and rel.parts[1:2] not in (("test",), ("project_template",)):
            apps.append(".".join(rel.parts))
    return apps


def wagtail_target() -> object:
    wagtail = package_dir("wagtail")
    if wagtail is None:
        return pytest.param(None, marks=pytest.mark.skip(reason="wagtail is not installed"), id="wagtail")
    return Target(
        "wagtail",
        [*wagtail_apps(wagtail), "taggit", "modelcluster", *CONTRIB_APPS],
        [wagtail],
        # Not apps of a wagtail site: its own test apps and the startproject template. (Discovery
        # skips wagtail.blocks.migrations, StreamField helpers rather than a migrations package.)
        exclude=[str(wagtail / "test"), str(wagtail / "project_template")],
        waivers=[
            # wagtailsearch 0006 adds these only under `if connection.vendor == ...`.
            Waiver("wagtailsearch.sqliteftsindexentry", VENDOR),
            Waiver("wagtailsearch.indexentry", VENDOR, field="autocomplete"),
            Waiver("wagtailsearch.indexentry", VENDOR, field="body"),
            Waiver("wagtailsearch.indexentry", VENDOR, field="title"),
        ],
    )


def oscar_target() -> object:
    oscar = package_dir("oscar")
    if oscar is None:
        return pytest.param(None, marks=pytest.mark.skip(reason="django-oscar is not installed"), id="oscar")
    import oscar as oscar_package  # its INSTALLED_APPS list, the one its docs tell projects to use

    return Target(
        "oscar",
        list(oscar_package.INSTALLED_APPS),
        [oscar / "apps"],
        settings_from=["oscar.defaults"],
        settings={"HAYSTACK_CONNECTIONS": {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}},
        waivers=[
            # `import_string(settings.DEFAULT_AUTO_FIELD)(primary_key=True, ...)`: the class is a project setting.
            Waiver("*", "primary key class named by settings.DEFAULT_AUTO_FIELD", field="id",
                   static_type="DEFAULT_AUTO_FIELD"),
            # PhoneNumberField.deconstruct() spells out its class default max_length=128, which
            # the (older) migration file doesn't write.
            Waiver("*", "PhoneNumberField's own max_length default", field="phone_number", attr="max_length"),
        ],
    )


def generate_benchmark_project(out: Path, target: Target) -> None:
    """The benchmark generator's synthetic project (makemigrations-style files, swappable user FKs)."""
    script = REPO_ROOT / "benchmarks" / "generate.py"
    command = [sys.executable, str(script), str(out), "--apps", "8", "--migrations", "15", "--seed", "3"]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    apps = sorted(p.parent.parent.name for p in out.glob("*/migrations/__init__.py"))
    target.installed_apps = ["django.contrib.auth", "django.contrib.contenttypes", *apps]
    target.paths = [out]
    target.sys_path = [out]


def targets() -> list[object]:
    return [
        Target(
            "sample_project",
            ["django.contrib.auth", "django.contrib.contenttypes", "shop", "unsafe_examples"],
            [SAMPLE_PROJECT / "shop" / "migrations", SAMPLE_PROJECT / "unsafe_examples" / "migrations"],
            sys_path=[SAMPLE_PROJECT],
        ),
        Target("django_contrib", CONTRIB_APPS, [DJANGO_CONTRIB]),
        wagtail_target(),
        oscar_target(),
        Target("generated_project", [], [], generate=generate_benchmark_project),
    ]


def contrib_migrations(installed_apps: list[str]) -> list[Path]:
    """Django loads every installed app; the engine only what the given migrations depend on.
    Naming the installed contrib apps too makes both sides hold the same apps."""
    out = []
    for app in installed_apps:
        directory = DJANGO_CONTRIB / app.rpartition(".")[2] / "migrations"
        if app.startswith("django.contrib.") and directory.is_dir():
            out.append(directory)
    return out


@pytest.mark.parametrize("target", targets(), ids=lambda t: getattr(t, "name", None))
def test_static_state_matches_django(target: Target, tmp_path: Path) -> None:
    if target.generate is not None:
        target.generate(tmp_path / "project", target)
    expected = django_state(
        target.installed_apps, target.sys_path, settings=target.settings, settings_from=target.settings_from
    )
    actual = static_state([*target.paths, *contrib_migrations(target.installed_apps)], Config(exclude=target.exclude))
    assert len(expected) > 3, f"Django's loader found too few models: {sorted(expected)}"
    differences, used = split_waived(diff_states(expected, actual), target.waivers, actual)
    assert not differences, format_diff(differences)
    stale = [w for w in target.waivers if w not in used]
    assert not stale, "waivers that explain nothing any more:\n  " + "\n  ".join(map(repr, stale))
