"""Choosing accurate mode, and starting Django with the project's settings."""

from __future__ import annotations

import os
import sys
import sysconfig
import traceback
from pathlib import Path

from safemigrate.config import Config
from safemigrate.errors import UsageError


def wants_django(django: bool, static: bool, settings: str | None, database: str | None) -> bool:
    """``--django``, ``--settings`` or ``--database`` ask for accurate mode; so does DJANGO_SETTINGS_MODULE,
    unless ``--static`` is given."""
    if static:
        for given, option in ((django, "--django"), (settings, "--settings"), (database, "--database")):
            if given:
                raise UsageError(f"{option} loads the project with Django; it can't be combined with --static")
        return False
    return django or bool(settings) or bool(database) or bool(os.environ.get("DJANGO_SETTINGS_MODULE"))


def project_dirs(paths: list[Path], config: Config) -> list[Path]:
    """Directories the project's modules are imported from: the one holding manage.py above each
    checked path, the config file's directory, and the current directory."""
    out: list[Path] = []
    for path in paths or [Path.cwd()]:
        start = path.resolve()
        start = start if start.is_dir() else start.parent
        for directory in [start, *start.parents]:
            if (directory / "manage.py").is_file():
                out.append(directory)
                break
    if config.root is not None:
        out.append(config.root.resolve())
    out.append(Path.cwd().resolve())
    return list(dict.fromkeys(out))


def setup_django(settings_module: str | None, dirs: list[Path]) -> str:
    """Start Django with the project's settings (or use the ones it already runs with, under manage.py).
    Returns the settings module's name."""
    import django
    from django.apps import apps
    from django.conf import settings

    if settings.configured:
        current = getattr(settings, "SETTINGS_MODULE", None)
        if not current:
            raise UsageError(
                "accurate mode: Django is already configured in this process by settings.configure(), "
                "not by the project's settings module; run safemigrate in its own process"
            )
        if settings_module and settings_module != current:
            raise UsageError(f"--settings {settings_module}: Django already runs with the settings {current}")
        if not apps.ready:
            django.setup()
        return str(current)
    module = settings_module or os.environ.get("DJANGO_SETTINGS_MODULE")
    if not module:
        raise UsageError(
            "--django needs the project's settings: pass --settings MODULE or set DJANGO_SETTINGS_MODULE"
        )
    for directory in reversed(dirs):
        if str(directory) not in sys.path:
            sys.path.insert(0, str(directory))
    os.environ["DJANGO_SETTINGS_MODULE"] = module
    try:
        settings.INSTALLED_APPS  # noqa: B018 - imports the settings module
    except Exception as exc:
        hint = ""
        if isinstance(exc, ModuleNotFoundError) and exc.name and module.startswith(exc.name):
            hint = " (run from the project's directory, or check the paths given, so its modules can be imported)"
        raise UsageError(
            f"{where(exc)}cannot load the settings {module!r}: {type(exc).__name__}: {first_line(exc)}{hint}"
        ) from exc
    try:
        django.setup()
    except Exception as exc:  # an app, its models or the database backend (not the settings module)
        raise UsageError(
            f"{where(exc)}cannot load the apps of the settings {module!r}: {type(exc).__name__}: {first_line(exc)}"
        ) from exc
    return module


def where(exc: BaseException) -> str:
    """``path:line: `` of the project's code that raised ``exc`` (the innermost frame outside Django, the
    standard library and safemigrate); empty when there is none."""
    import django

    if isinstance(exc, SyntaxError) and exc.filename and not exc.filename.startswith("<"):
        return f"{_shown(exc.filename)}:{exc.lineno or 1}: "
    skip = tuple(
        str(Path(d).resolve()) + os.sep
        for d in (Path(django.__file__).parent, Path(__file__).parents[1], sysconfig.get_paths()["stdlib"])
    )
    frames = [
        frame for frame in traceback.extract_tb(exc.__traceback__)
        if not frame.filename.startswith("<") and not str(Path(frame.filename).resolve()).startswith(skip)
    ]
    return f"{_shown(frames[-1].filename)}:{frames[-1].lineno}: " if frames else ""


def _shown(path: str) -> str:
    from safemigrate.engine import display_path

    return display_path(path)


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
