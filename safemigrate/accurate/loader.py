"""Load the migration graph with Django's own ``MigrationLoader``: the project's modules imported for real.

The result is the same ``LoadedProject`` the static engine builds, so the same replay and the
same rules judge it. Real ``Migration`` objects carry no source positions; the reported
migrations are also read as source (never run) only to take each operation's line and what
the source shows of RunPython functions, index by index.
"""

from __future__ import annotations

import os
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db.migrations import operations as ops
from django.db.migrations.exceptions import CircularDependencyError, NodeNotFoundError
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.base import Operation

from safemigrate.accurate.setup import first_line
from safemigrate.config import Config
from safemigrate.context import AppGraphProblem
from safemigrate.discovery import Discovery, discover
from safemigrate.engine import LoadedProject, display_path, project_root
from safemigrate.errors import InputError, UsageError
from safemigrate.graph import Key, build_graph, full_plan, leaf_problems, prune_dependencies
from safemigrate.replay import function_facts
from safemigrate.source.placeholders import UnknownOperation
from safemigrate.source.reader import ParsedMigration, read_migration
from safemigrate.source.resolve import Resolver

_THIRD_PARTY_DIRS = ("site-packages", "dist-packages")


class _Loader(MigrationLoader):
    """Django's loader, importing the migration modules once (``build_graph`` would import them again)."""

    def load_disk(self) -> None:
        if not getattr(self, "_loaded_disk", False):
            super().load_disk()
            self._loaded_disk = True


@dataclass
class DjangoProject:
    """What Django's loader found, as the replay wants it, plus what the accurate checks need."""

    loaded: LoadedProject
    loader: MigrationLoader
    files: dict[Key, str]  # absolute path of each migration module
    graph_ok: bool  # Django built the graph without an error (no missing node, no cycle)
    reported_apps: set[str] = field(default_factory=set)  # apps whose model changes are checked


def load_project(paths: list[Path], config: Config) -> DjangoProject:
    """``paths`` as given on the command line; none means the project's own apps."""
    import django
    from django.apps import apps
    from django.conf import settings

    found = _discover(paths, config) if paths else None
    loader = _Loader(None, ignore_no_migrations=True, load=False)
    try:
        loader.load_disk()
    except Exception as exc:
        raise _import_error(exc) from exc
    graph_ok = True
    try:
        loader.build_graph()
    except (NodeNotFoundError, CircularDependencyError, ValueError):
        graph_ok = False  # reported below, as the static engine reports them
    disk: dict[Key, Any] = dict(loader.disk_migrations)
    files = {key: path for key, migration in disk.items() if (path := _module_file(migration))}

    excluded = [((config.root or Path.cwd()) / e).resolve() for e in config.exclude]
    django_dir = Path(django.__file__).resolve().parent
    notes: list[str] = []
    if found is not None:
        wanted = {os.path.realpath(path) for path in found.reported_files}  # the same file through a symlink
        reported = {key for key, path in files.items() if os.path.realpath(path) in wanted}
        loaded_files = {os.path.realpath(path) for path in files.values()}
        unloaded = sorted(path for path in found.reported_files if os.path.realpath(path) not in loaded_files)
        if unloaded:
            more = f" and {len(unloaded) - 1} more" if len(unloaded) > 1 else ""
            why = (
                f"{display_path(Path(unloaded[0]))}{more}: not a migration of an installed app "
                f"(Django doesn't load it with the settings {settings.SETTINGS_MODULE!r})"
            )
            if not reported:  # nothing at all to check is a wrong path or wrong settings, never a pass
                raise UsageError(f"{why}: nothing to check")
            notes.append(f"{why}, so not checked")
    else:
        own = {
            app.label for app in apps.get_app_configs()
            if not _third_party(Path(app.path).resolve(), django_dir)
        }
        reported = {key for key in files if key[0] in own}
    reported = {key for key in reported if not _excluded(files[key], excluded)}
    reported_apps = {key[0] for key in reported}
    if found is None:
        reported_apps |= {
            app.label for app in apps.get_app_configs()
            if not _third_party(Path(app.path).resolve(), django_dir) and not _excluded(app.path, excluded)
        }

    resolver = Resolver(str(getattr(settings, "AUTH_USER_MODEL", "auth.User")))
    parsed: dict[Key, ParsedMigration] = {}
    for key, migration in disk.items():
        parsed[key] = _parsed(key, migration, files.get(key), resolver, source=key[0] in reported_apps)

    shown = {key: pm.path for key, pm in parsed.items()}
    lines = {key: pm.line for key, pm in parsed.items()}
    problems: list[AppGraphProblem] = []
    if graph_ok:
        plan = full_plan(loader.graph)
        problems.extend(leaf_problems(loader.detect_conflicts(), shown, lines))
    else:
        plan = _fallback_graph(loader, disk, shown, lines, problems)
    for problem in problems:
        problem.reported = any((problem.app_label, name) in reported for name in problem.migrations)
    loaded = LoadedProject(parsed, plan, reported, problems, set(), notes)
    return DjangoProject(loaded, loader, files, graph_ok, reported_apps)


def _discover(paths: list[Path], config: Config) -> Discovery:
    """The files to report on, chosen exactly as static mode chooses them (nothing imported)."""
    root = project_root(paths, config)
    exclude = [(config.root or Path.cwd()) / e for e in config.exclude]
    return discover(paths, config.app_labels, exclude, root)


def _module_file(migration: Any) -> str | None:
    module = sys.modules.get(type(migration).__module__)
    path = getattr(module, "__file__", None)
    return os.path.abspath(path) if path else None


def _third_party(path: Path, django_dir: Path) -> bool:
    return any(part in _THIRD_PARTY_DIRS for part in path.parts) or path == django_dir or django_dir in path.parents


def _excluded(path: str, excluded: list[Path]) -> bool:
    resolved = Path(path).resolve()
    return any(resolved == e or e in resolved.parents for e in excluded)


def _parsed(key: Key, migration: Any, file: str | None, resolver: Resolver, source: bool) -> ParsedMigration:
    shown = display_path(Path(file)) if file else f"{key[0]}/migrations/{key[1]}.py"
    pm = ParsedMigration(key[0], key[1], shown, migration, 1, 1, file=file or "")
    if not (source and file and file.endswith(".py")):
        return pm
    try:
        static = read_migration(Path(file), key[0], resolver, shown)
    except InputError:
        return pm  # Django imported it, so this is rare (an encoding the reader refuses): no positions
    pm.line, pm.column, pm.attributes = static.line, static.column, static.attributes
    copy_source_facts(migration.operations, static.migration.operations)
    return pm


def _same_kind(real: Operation, static: Operation) -> bool:
    name = type(real).__name__
    if isinstance(static, UnknownOperation):
        return static.safemigrate_path.rpartition(".")[2] == name
    return type(static).__name__ == name


def copy_source_facts(real: list[Operation], static: list[Operation]) -> None:
    """Give each real operation the source position (and RunPython facts) of its static twin, pairing
    them by index while their classes agree."""
    for real_op, static_op in zip(real, static, strict=False):
        if not _same_kind(real_op, static_op):
            return
        # Where the operation is, and where each of its SQL strings starts (safemigrate_sql_locations, ...).
        positions = {
            name: value for name, value in vars(static_op).items()
            if name.startswith("safemigrate_") and name.endswith(("_location", "_locations"))
        }
        try:
            for name, value in positions.items():
                setattr(real_op, name, value)
            if isinstance(static_op, ops.RunPython) and isinstance(real_op, ops.RunPython):
                real_op.safemigrate_function_facts = (  # type: ignore[attr-defined]
                    function_facts(static_op.code),
                    function_facts(static_op.reverse_code),
                )
        except AttributeError:  # pragma: no cover - an operation class with __slots__
            continue
        for attribute in ("database_operations", "state_operations"):
            children = getattr(real_op, attribute, None)
            static_children = getattr(static_op, attribute, None)
            if isinstance(children, (list, tuple)) and isinstance(static_children, (list, tuple)):
                copy_source_facts(list(children), list(static_children))


def _fallback_graph(
    loader: MigrationLoader, disk: dict[Key, Any], shown: dict[Key, str], lines: dict[Key, int],
    problems: list[AppGraphProblem],
) -> list[Key]:
    """Django refused the graph (a missing node, a cycle): rebuild it with the static engine's graph
    code over the same real migrations, so the problems are reported and the rest is still checked."""
    known = set(loader.migrated_apps) | set(loader.unmigrated_apps)
    unknown_apps: set[str] = set()
    for key, migration in disk.items():
        for dep in migration.dependencies:
            if dep[0] not in known:
                unknown_apps.add(dep[0])
                problems.append(
                    AppGraphProblem(
                        "missing-dependency", key[0], (key[1],), f"{dep[0]}.{dep[1]}", shown[key], lines[key]
                    )
                )
    external = set(loader.unmigrated_apps) | unknown_apps
    problems.extend(prune_dependencies(disk, external, shown, lines))
    result = build_graph(disk, set(loader.migrated_apps), external, shown, lines)
    problems.extend(result.problems)
    problems.extend(leaf_problems(result.conflicts, shown, lines))
    return result.plan


def _import_error(exc: Exception) -> UsageError:
    """Importing a migration module failed: one line naming the file and line in the project."""
    where = ""
    if isinstance(exc, SyntaxError) and exc.filename:
        where = f"{display_path(Path(exc.filename))}:{exc.lineno or 1}: "
    else:
        frames = [
            f for f in traceback.extract_tb(exc.__traceback__)
            if not f.filename.startswith("<") and "django" not in Path(f.filename).parts
        ]
        if frames:
            where = f"{display_path(Path(frames[-1].filename))}:{frames[-1].lineno}: "
    return UsageError(f"{where}cannot load the migrations: {type(exc).__name__}: {first_line(exc)}")
