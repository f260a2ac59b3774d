"""Finding migration packages on disk and naming their apps, without importing anything."""

from __future__ import annotations

import ast
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from safemigrate.errors import InputError

SKIP_DIRS = {
    ".git", ".hg", ".svn", "__pycache__", "node_modules", ".tox", ".nox", ".venv", "venv", "env",
    ".mypy_cache", ".ruff_cache", ".pytest_cache", "site-packages", "dist", "build", ".eggs",
}


@dataclass
class MigrationsPackage:
    """One app's ``migrations`` directory."""

    app_label: str
    directory: Path
    source: str = "project"  # "project" | "installed"
    _files: list[Path] | None = field(default=None, repr=False, compare=False)

    def files(self) -> list[Path]:
        """Migration modules as Django's loader sees them (no ``_``/``~`` prefixes, no packages)."""
        if self._files is not None:
            return self._files
        out = []
        try:
            entries = os.scandir(self.directory)
        except OSError as exc:
            raise InputError(f"cannot list migrations: {exc.strerror}", str(self.directory)) from exc
        with entries:
            for entry in entries:
                name = entry.name
                if name.endswith(".py") and name[0] not in "_~" and entry.is_file():
                    out.append(Path(entry.path))
        self._files = sorted(out)
        return self._files


@dataclass
class Discovery:
    packages: dict[str, MigrationsPackage] = field(default_factory=dict)  # by app label
    reported_files: set[str] = field(default_factory=set)  # absolute paths to report on
    duplicates: list[tuple[str, Path, Path]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the walk couldn't read or skipped, one line each


def is_migrations_dir(path: Path) -> bool:
    return path.name == "migrations" and (path / "__init__.py").is_file()


def app_label_for(migrations_dir: Path, overrides: dict[str, str] | None = None, root: Path | None = None) -> str:
    """The app label: a configured override, a literal ``AppConfig.label``, or the folder name."""
    app_dir = migrations_dir.parent
    if overrides:
        for key, label in overrides.items():
            candidate = Path(key)
            if not candidate.is_absolute() and root is not None:
                candidate = root / candidate
            try:
                if candidate.resolve() in (app_dir.resolve(), migrations_dir.resolve()):
                    return label
            except OSError:
                continue
    literal = _literal_app_config_label(app_dir / "apps.py")
    return literal or app_dir.name


def _literal_app_config_label(apps_py: Path) -> str | None:
    try:
        tree = ast.parse(apps_py.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    labels: list[str] = []
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        is_default = False
        label: str | None = None
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                target = stmt.targets[0].id
                value = stmt.value
                if target == "label" and isinstance(value, ast.Constant) and isinstance(value.value, str):
                    label = value.value
                if target == "default" and isinstance(value, ast.Constant) and value.value is True:
                    is_default = True
        if label:
            if is_default:
                return label
            labels.append(label)
    return labels[0] if len(labels) == 1 else None


def walk_migrations_dirs(root: Path, notes: list[str] | None = None) -> Iterable[Path]:
    """The migrations packages under ``root``, following symbolic links (each directory once).

    With ``notes``, directories that couldn't be read and ``migrations`` directories that
    aren't packages (no ``__init__.py``: Django doesn't load them) are noted there.
    """

    def unreadable(exc: OSError) -> None:
        if notes is not None:
            where = os.path.normpath(exc.filename) if exc.filename else "a directory"
            notes.append(f"cannot read {where}: {exc.strerror}; migrations under it were not checked")

    visited: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable, followlinks=True):
        current = Path(dirpath)
        try:
            info = os.stat(dirpath)
        except OSError as exc:  # pragma: no cover - removed while walking
            unreadable(exc)
            dirnames[:] = []
            continue
        if (info.st_dev, info.st_ino) in visited:  # a link back into the tree: a loop, or seen already
            dirnames[:] = []
            continue
        visited.add((info.st_dev, info.st_ino))
        dirnames[:] = sorted(
            d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".") and not d.endswith(".egg-info")
        )
        if "pyvenv.cfg" in filenames:
            dirnames[:] = []
            continue
        if current.name == "migrations" and "__init__.py" in filenames:
            dirnames[:] = []
            if looks_like_app_migrations(current, filenames):
                yield current
        elif current.name == "migrations" and notes is not None and any(_is_migration_name(f) for f in filenames):
            notes.append(f"{current} has no __init__.py, so it is not a migrations package (Django doesn't load it)")


def _is_migration_name(name: str) -> bool:
    return name.endswith(".py") and name[0].isdigit()


def looks_like_app_migrations(directory: Path, filenames: Iterable[str]) -> bool:
    """Whether a ``migrations`` package found by walking belongs to a Django app.

    Some libraries ship a ``migrations`` package of helpers (``wagtail.blocks.migrations``)
    that Django never loads: not in an app (no ``apps.py``, ``models.py`` or ``models/``)
    and no module named like a migration (``0001_...``). Named explicitly, any package is read.
    """
    modules = [f for f in filenames if f.endswith(".py") and f[0] not in "_~"]
    if not modules or any(f[0].isdigit() for f in modules):
        return True
    app = directory.parent
    return (app / "apps.py").is_file() or (app / "models.py").is_file() or (app / "models").is_dir()


def discover(
    paths: list[Path],
    overrides: dict[str, str] | None = None,
    exclude: Iterable[Path] = (),
    root: Path | None = None,
) -> Discovery:
    """Find the migration packages named by ``paths`` and the files to report on."""
    found = Discovery()
    excluded = [e.resolve() for e in exclude]

    def add(directory: Path) -> MigrationsPackage:
        label = app_label_for(directory, overrides, root)
        existing = found.packages.get(label)
        if existing is not None:
            if existing.directory.resolve() != directory.resolve():
                found.duplicates.append((label, existing.directory, directory))
                return MigrationsPackage(label, directory)  # reported on, but not loaded
            return existing
        package = found.packages[label] = MigrationsPackage(label, directory)
        return package

    def is_excluded(path: Path) -> bool:
        resolved = path.resolve()
        return any(resolved == e or e in resolved.parents for e in excluded)

    skipped_files = 0  # files passed that Django wouldn't load as migrations, or excluded: silently skipped
    excluded_dirs = 0
    for path in paths:
        if not path.exists():
            raise InputError("no such file or directory", str(path))
        if path.is_dir():
            dirs = [path] if is_migrations_dir(path) else list(walk_migrations_dirs(path, found.notes))
            for directory in dirs:
                if is_excluded(directory):
                    excluded_dirs += 1
                    continue
                found.reported_files.update(os.path.abspath(p) for p in add(directory).files())
        else:
            if path.suffix != ".py":
                raise InputError("not a Python file (pass migration files or directories)", str(path))
            if path.name.startswith(("_", "~")):
                skipped_files += 1  # pre-commit may pass __init__.py and friends
                continue
            directory = path.parent
            if not is_migrations_dir(directory):
                raise InputError("not inside a migrations package (no migrations/__init__.py)", str(path))
            if is_excluded(path):
                skipped_files += 1  # pre-commit passes excluded files too
                continue
            add(directory)
            found.reported_files.add(os.path.abspath(path))
    if not found.packages and not skipped_files:
        # Nothing to check is a wrong path (or a wrong exclude), not a pass.
        where = ", ".join(str(p) for p in paths)
        why = list(found.notes)
        if excluded_dirs:
            why.append(f"{excluded_dirs} migrations package{'s' if excluded_dirs > 1 else ''} excluded by `exclude`")
        if len(why) > 3:
            why[3:] = [f"and {len(why) - 3} more"]
        detail = f" ({'; '.join(why)})" if why else ""
        raise InputError(f"no Django migrations found in {where}{detail}")
    return found


class ProjectApps:
    """Apps of the surrounding project tree that the given paths didn't name, found on demand."""

    def __init__(self, root: Path | None, overrides: dict[str, str] | None = None) -> None:
        self.root = root
        self.overrides = overrides
        self._index: dict[str, Path] | None = None

    def find(self, app_label: str) -> MigrationsPackage | None:
        if self.root is None:
            return None
        if self._index is None:
            self._index = {}
            for directory in walk_migrations_dirs(self.root):
                self._index.setdefault(app_label_for(directory, self.overrides, self.root), directory)
        found = self._index.get(app_label)
        return MigrationsPackage(app_label, found) if found else None


class InstalledApps:
    """Migration packages of installed third-party apps (and Django's contrib), read as source."""

    def __init__(self, search_path: list[str] | None = None) -> None:
        self.search_path = [p for p in (search_path if search_path is not None else sys.path) if p]
        self._index: dict[str, Path] | None = None

    def find(self, app_label: str) -> MigrationsPackage | None:
        # Fast paths: Django's contrib apps, then a top-level package of that name.
        import django

        contrib = Path(django.__file__).parent / "contrib" / app_label / "migrations"
        if is_migrations_dir(contrib):
            return MigrationsPackage(app_label, contrib, "installed")
        for entry in self.search_path:
            candidate = Path(entry) / app_label / "migrations"
            if is_migrations_dir(candidate) and app_label_for(candidate) == app_label:
                return MigrationsPackage(app_label, candidate, "installed")
        directory = self._full_index().get(app_label)
        return MigrationsPackage(app_label, directory, "installed") if directory else None

    def _full_index(self) -> dict[str, Path]:
        if self._index is None:
            index: dict[str, Path] = {}
            for entry in self.search_path:
                base = Path(entry)
                if not base.is_dir() or not (base.name in ("site-packages", "dist-packages") or entry == "."):
                    continue
                for directory in _shallow_migrations_dirs(base, max_depth=4):
                    index.setdefault(app_label_for(directory), directory)
            self._index = index
        return self._index


def _shallow_migrations_dirs(base: Path, max_depth: int) -> Iterable[Path]:
    base_depth = len(base.parts)
    for dirpath, dirnames, filenames in os.walk(base):
        current = Path(dirpath)
        depth = len(current.parts) - base_depth
        if current.name == "migrations" and "__init__.py" in filenames:
            dirnames[:] = []
            if looks_like_app_migrations(current, filenames):
                yield current
            continue
        if depth >= max_depth:
            dirnames[:] = []
            continue
        dirnames[:] = [
            d for d in dirnames
            if d not in SKIP_DIRS and not d.startswith((".", "_")) and not d.endswith((".dist-info", ".egg-info"))
            and d not in ("tests", "test", "locale", "static", "templates")
        ]
