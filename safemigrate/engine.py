"""The static engine: migration files -> graph -> replayed state -> operations in context.

    discover() -> read_migration() -> build_graph() -> Replayer -> contexts

Nothing here imports project code: migration files are read as source.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from safemigrate.cache import ReadCache
from safemigrate.config import Config
from safemigrate.context import AppGraphProblem, MigrationContext, ProjectContext
from safemigrate.cutoff import before_cutoff
from safemigrate.discovery import Discovery, InstalledApps, MigrationsPackage, ProjectApps, discover
from safemigrate.graph import Key, build_graph, leaf_problems, prune_dependencies
from safemigrate.markers import declared_phase, read_marker
from safemigrate.parallel import CAN_FORK, ForkedStream
from safemigrate.replay import Replayer
from safemigrate.source.reader import ParsedMigration, read_migration
from safemigrate.source.resolve import Resolver
from safemigrate.target import Target


def ensure_django_settings() -> None:
    """Static mode needs Django importable, not the project's settings."""
    from django.apps import apps
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_TZ=True, INSTALLED_APPS=[], DEFAULT_AUTO_FIELD="django.db.models.AutoField")
    if not apps.ready:
        # No apps to load; this only marks the registry ready (django.setup() would also set up
        # logging, which pulls in Django's template and view machinery for nothing).
        apps.populate(settings.INSTALLED_APPS)


def display_path(path: Path | str) -> str:
    """The path as shown to the user: relative to the working directory when under it."""
    text = os.path.abspath(path)
    cwd = os.getcwd()
    prefix = cwd if cwd.endswith(os.sep) else cwd + os.sep
    return text[len(prefix) :] if text.startswith(prefix) else text


PARALLEL_THRESHOLD = 400  # migration files; below this a second process costs more than it saves
PARENT_SHARE = 0.52  # of the files, read by this process when a second one helps (see _load_packages)
ROOT_MARKERS = (".git", "manage.py", "pyproject.toml", "setup.cfg", "setup.py")


def project_root(paths: list[Path], config: Config) -> Path:
    """Where to look for apps the given paths depend on: the config file's directory, else the
    nearest enclosing project (a VCS root or a Python project file), else the apps' parent directory."""
    if config.root is not None:
        return config.root
    first = (paths[0] if paths else Path.cwd()).resolve()
    start = first if first.is_dir() else first.parent
    for directory in [start, *start.parents]:
        if any((directory / marker).exists() for marker in ROOT_MARKERS):
            return directory
    # A loose tree of apps: siblings of the app that holds the first path.
    for directory in [start, *start.parents]:
        if directory.name == "migrations":
            return directory.parent.parent
    return start.parent if (start / "migrations").is_dir() else start


@dataclass
class LoadedProject:
    """Migrations read and ordered, before replay: what any loader (static or Django's) produces."""

    migrations: dict[Key, ParsedMigration]
    plan: list[Key]  # replay order
    reported: set[Key]  # findings in these are reported
    problems: list[AppGraphProblem] = field(default_factory=list)
    external_apps: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


@dataclass
class Analysis:
    project: ProjectContext
    parsed: dict[Key, ParsedMigration]
    replayer: Replayer
    notes: list[str] = field(default_factory=list)

    @property
    def migrations_loaded(self) -> int:
        return len(self.parsed)

    @property
    def migrations_reported(self) -> int:
        return sum(1 for m in self.project.migrations if m.reported)


def replay_project(loaded: LoadedProject, target: Target | None = None) -> Analysis:
    """Replay every migration in order into one state, building the contexts rules judge."""
    target = target or Target()
    replayer = Replayer()
    contexts: list[MigrationContext] = []
    for key in loaded.plan:
        pm = loaded.migrations.get(key)
        if pm is None:
            continue
        migration = pm.migration
        context = MigrationContext(
            app_label=key[0],
            name=key[1],
            path=pm.path,
            atomic=bool(migration.atomic),
            initial=bool(migration.initial),
            line=pm.line,
            column=pm.column,
            reported=key in loaded.reported,
            attributes=pm.attributes,
            problems=list(pm.problems),
            target=target,
        )
        if context.reported:
            context.declared_phase, context.declared_by = declared_phase(pm.attributes, migration.operations)
            own = pm.attributes.get("deploy_phase")
            if own is not None and read_marker("deploy_phase", own) is None:
                loaded.notes.append(
                    f'{pm.path}:{pm.line}: deploy_phase = {own!r} declares nothing (use "pre-deploy", '
                    '"post-deploy" or "any")'
                )
        replayer.replay(pm, context)
        contexts.append(context)
    project = ProjectContext(contexts, loaded.problems, loaded.external_apps, target)
    return Analysis(project, loaded.migrations, replayer, loaded.notes)


def _cutoff_notes(parsed: dict[Key, ParsedMigration], ignore_before: dict[str, str]) -> list[str]:
    """A cut-off past an app's newest migration hides every migration it will ever get: likely a typo."""
    notes = []
    for app, start in sorted(ignore_before.items()):
        names = [name for label, name in parsed if label == app]
        if names and all(before_cutoff(app, name, ignore_before) for name in names):
            notes.append(
                f"ignore_before = {{{app!r} = {start!r}}} comes after every migration of {app!r} "
                f"(the newest is {max(names)!r}): none of them is reported"
            )
    return notes


class Engine:
    """The static loader: reads migration files as source, never importing the project."""

    def __init__(
        self, config: Config, installed: InstalledApps | None = None, cache_directory: Path | None = None
    ) -> None:
        self.config = config
        self.resolver = Resolver(config.user_model)
        self.installed = installed if installed is not None else InstalledApps()
        self.cache = ReadCache(cache_directory, config.user_model)
        self.parallel_threshold = PARALLEL_THRESHOLD

    def analyze(self, paths: list[Path]) -> Analysis:
        return replay_project(self.load(paths), self.config.target)

    def load(self, paths: list[Path]) -> LoadedProject:
        ensure_django_settings()
        root = project_root(paths, self.config)
        self.project_apps = ProjectApps(root, self.config.app_labels)
        exclude = [(self.config.root or Path.cwd()) / e for e in self.config.exclude]
        found = discover(paths, self.config.app_labels, exclude, root)
        notes = [*found.notes] + [
            f"app label {label!r} is used by two migrations packages ({first} and {second}); the second was skipped"
            for label, first, second in found.duplicates
        ]
        parsed: dict[Key, ParsedMigration] = {}
        self._load_packages(list(found.packages.values()), parsed)
        external = self._load_dependencies(found, parsed, notes)

        migrations = {key: pm.migration for key, pm in parsed.items()}
        paths_by_key = {key: pm.path for key, pm in parsed.items()}
        lines = {key: pm.line for key, pm in parsed.items()}
        problems: list[AppGraphProblem] = prune_dependencies(migrations, external, paths_by_key, lines)
        migrated = {label for label in found.packages} | {key[0] for key in parsed}
        result = build_graph(migrations, migrated, external, paths_by_key, lines)
        problems.extend(result.problems)
        problems.extend(leaf_problems(result.conflicts, paths_by_key, lines))
        reported = {key for key, pm in parsed.items() if pm.file in found.reported_files}
        if self.config.ignore_before:  # legacy migrations: replayed for the state, never reported
            reported = {key for key in reported if not before_cutoff(*key, self.config.ignore_before)}
            notes.extend(_cutoff_notes(parsed, self.config.ignore_before))
        for problem in problems:
            problem.reported = any((problem.app_label, name) in reported for name in problem.migrations)
        return LoadedProject(parsed, result.plan, reported, problems, external, notes)

    def _load_packages(self, packages: list[MigrationsPackage], parsed: dict[Key, ParsedMigration]) -> None:
        """Read every package; when many files need parsing, a forked process on another core parses the
        last of them (``_child_share``)."""
        theirs = self._child_share(packages)
        if not theirs:
            for package in packages:
                self._load_package(package, parsed)
            return

        def read_theirs() -> Iterator[tuple[int, dict[Key, ParsedMigration]]]:
            for index in sorted(theirs):
                out: dict[Key, ParsedMigration] = {}
                self._load_package(packages[index], out)
                yield index, out

        worker = ForkedStream(read_theirs)
        by_package: dict[int, dict[Key, ParsedMigration]] = {}
        try:
            for index, package in enumerate(packages):
                if index not in theirs:
                    self._load_package(package, by_package.setdefault(index, {}))
        except BaseException:
            worker.close()  # this process's error is the one to show
            raise
        for index, out in worker.results():  # raises the worker's error, if it had one
            by_package[index] = out
        for index in range(len(packages)):  # in package order, as a serial read would be
            parsed.update(by_package[index])

    def _child_share(self, packages: list[MigrationsPackage]) -> set[int]:
        """The packages (by position) a second process should parse; none when it wouldn't pay.

        Packages the read cache holds unchanged are only unpickled, here: in a second process they
        would be pickled again to be sent back. Of the rest, the child pickles what it parses and this
        process unpickles it, so this process parses a little more than half (PARENT_SHARE)."""
        if not CAN_FORK:
            return set()
        stale = [i for i, p in enumerate(packages) if not self.cache.fresh(p.directory, p.app_label, p.files())]
        to_parse = sum(len(packages[i].files()) for i in stale)
        if to_parse < self.parallel_threshold:
            return set()
        seen = 0
        for position, index in enumerate(stale):
            if seen >= to_parse * PARENT_SHARE:
                return set(stale[position:])
            seen += len(packages[index].files())
        return set()

    def _load_package(self, package: MigrationsPackage, parsed: dict[Key, ParsedMigration]) -> None:
        def read(file: Path) -> ParsedMigration:
            return read_migration(file, package.app_label, self.resolver, display_path(file))

        for pm in self.cache.read_package(package.directory, package.app_label, package.files(), read):
            pm.path = display_path(pm.file)  # cached under another working directory, maybe
            parsed[pm.key] = pm

    def _load_dependencies(
        self, found: Discovery, parsed: dict[Key, ParsedMigration], notes: list[str]
    ) -> set[str]:
        """Load apps that the given migrations depend on: the project tree first, then installed packages."""
        external: set[str] = set()
        loaded = set(found.packages)
        pending = list(parsed.values())
        while pending:
            wanted: set[str] = set()
            for pm in pending:
                for dep in [*pm.migration.dependencies, *pm.migration.run_before]:
                    if dep[0] not in loaded and dep[0] not in external:
                        wanted.add(dep[0])
            pending = []
            for label in sorted(wanted):
                package = self.project_apps.find(label) or self.installed.find(label)
                if package is None:
                    external.add(label)
                    notes.append(
                        f"app {label!r} was not found in the project or installed packages; "
                        "its state is unknown, and rules that need it say they couldn't judge"
                    )
                    continue
                loaded.add(label)
                before = set(parsed)
                self._load_package(package, parsed)
                pending.extend(parsed[k] for k in set(parsed) - before)
        return external
