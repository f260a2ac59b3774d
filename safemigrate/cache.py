"""A cache of statically read migrations, one file per migrations package.

Reading (parsing and evaluating) is most of a run's work, and most migrations never
change. Each package's entry maps a migration file to the migration read from it,
kept while the file's size and modification time are unchanged and the reader
itself is the same (safemigrate's reader code, Django, Python, the configured user
model). The cache lives in the user's cache directory, so only the user's own runs
write what is later loaded. Any problem with it (unwritable, corrupt, old format)
just means reading the files again: the cache can never change a verdict.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import django

from safemigrate import __version__
from safemigrate.source.reader import ParsedMigration

FORMAT = 3  # 2: a header (what the entry covers) and a body (the migrations), two pickles; 3: the app label
_READER_MODULES = ("source", "context.py", "sqlfacts.py", "target.py", "findings.py")


def default_directory() -> Path | None:
    """``$SAFEMIGRATE_CACHE_DIR``, else the platform's user cache directory; None when disabled."""
    if os.environ.get("SAFEMIGRATE_NO_CACHE"):
        return None
    explicit = os.environ.get("SAFEMIGRATE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "safemigrate"


def reader_fingerprint(user_model: str) -> str:
    """What a cached reading depends on besides the file itself."""
    package = Path(__file__).resolve().parent
    # Whether a PostgreSQL driver is installed decides how django.contrib.postgres names are read.
    driver = any(importlib.util.find_spec(name) is not None for name in ("psycopg", "psycopg2"))
    parts = [str(FORMAT), __version__, django.__version__, sys.version, user_model, f"driver={driver}"]
    for name in _READER_MODULES:
        path = package / name
        files = sorted(path.glob("*.py")) if path.is_dir() else [path]
        for file in files:
            stat = file.stat()
            parts.append(f"{file.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


Stamp = tuple[int, int, int, int]  # a file's size, modification time (ns), change time (ns) and inode


def stamp(file: Path) -> Stamp:
    """What says a file is unchanged. The change time can't be set back (an mtime can: ``cp -p``,
    ``touch -r``), and the inode tells a file renamed into another's place."""
    info = file.stat()
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


class ReadCache:
    """Each entry is two pickles in one file: a small header, ``(fingerprint, app label, {file name:
    stamp})``, then the body, ``{file name: migration}``. The header alone answers ``fresh()``, so a run
    can tell which packages it must read before reading any (engine.py reads only those on two
    processes). A package read under another app label (an AppConfig.label added) is read again."""

    def __init__(self, directory: Path | None, user_model: str) -> None:
        self.directory = directory
        self.fingerprint = reader_fingerprint(user_model) if directory is not None else ""

    def _entry_path(self, directory: Path) -> Path:
        assert self.directory is not None
        return self.directory / (hashlib.sha256(os.path.abspath(directory).encode()).hexdigest() + ".pickle")

    def fresh(self, directory: Path, app_label: str, files: list[Path]) -> bool:
        """Whether every file of the package is in the cache, unchanged and read under this app label
        (reads only the entry's header)."""
        if self.directory is None:
            return False
        label, stamps = self._header(self._entry_path(directory))
        if label != app_label or len(stamps) != len(files):
            return False
        for file in files:
            try:
                if stamps.get(file.name) != stamp(file):
                    return False
            except OSError:
                return False
        return True

    def read_package(
        self, directory: Path, app_label: str, files: list[Path], read: Callable[[Path], ParsedMigration]
    ) -> list[ParsedMigration]:
        """Every file's migration, from the cache where the file is unchanged, else by ``read``."""
        if self.directory is None:
            return [read(file) for file in files]
        entry_path = self._entry_path(directory)
        stamps, cached = self._load(entry_path, app_label)
        fresh_stamps: dict[str, Stamp] = {}
        fresh: dict[str, ParsedMigration] = {}
        out: list[ParsedMigration] = []
        changed = False
        for file in files:
            try:
                current = stamp(file)
            except OSError:
                out.append(read(file))  # the reader reports the problem
                continue
            hit = cached.get(file.name)
            if hit is not None and stamps.get(file.name) == current:
                parsed = hit
            else:
                parsed = read(file)
                changed = True
            fresh_stamps[file.name], fresh[file.name] = current, parsed
            out.append(parsed)
        if changed or set(cached) != set(fresh):
            self._store(entry_path, app_label, fresh_stamps, fresh)
        return out

    def _header(self, path: Path) -> tuple[str, dict[str, Stamp]]:
        """The entry's app label and file stamps, reading only its first pickle."""
        try:
            with open(path, "rb") as handle:
                fingerprint, label, stamps = pickle.load(handle)
            if fingerprint == self.fingerprint and isinstance(label, str) and isinstance(stamps, dict):
                return label, stamps
        except Exception:  # missing, unreadable, corrupt or from another version: read again
            pass
        return "", {}

    def _load(self, path: Path, app_label: str) -> tuple[dict[str, Stamp], dict[str, ParsedMigration]]:
        try:
            with open(path, "rb") as handle:
                fingerprint, label, stamps = pickle.load(handle)
                if fingerprint != self.fingerprint or label != app_label or not isinstance(stamps, dict):
                    return {}, {}
                entries = pickle.load(handle)
        except Exception:  # missing, unreadable, corrupt or from another version: read again
            return {}, {}
        if not isinstance(entries, dict) or not all(isinstance(pm, ParsedMigration) for pm in entries.values()):
            return {}, {}
        return stamps, entries

    def _store(
        self, path: Path, app_label: str, stamps: dict[str, Stamp], entries: dict[str, ParsedMigration]
    ) -> None:
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "wb") as handle:
                pickle.dump((self.fingerprint, app_label, stamps), handle, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(entries, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except Exception:  # an unwritable cache only costs speed
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)
