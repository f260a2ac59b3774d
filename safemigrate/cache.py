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

FORMAT = 1
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


class ReadCache:
    def __init__(self, directory: Path | None, user_model: str) -> None:
        self.directory = directory
        self.fingerprint = reader_fingerprint(user_model) if directory is not None else ""

    def read_package(
        self, directory: Path, files: list[Path], read: Callable[[Path], ParsedMigration]
    ) -> list[ParsedMigration]:
        """Every file's migration, from the cache where the file is unchanged, else by ``read``."""
        if self.directory is None:
            return [read(file) for file in files]
        entry_path = self.directory / (hashlib.sha256(os.path.abspath(directory).encode()).hexdigest() + ".pickle")
        cached = self._load(entry_path)
        fresh: dict[str, tuple[int, int, ParsedMigration]] = {}
        out: list[ParsedMigration] = []
        changed = False
        for file in files:
            try:
                stat = file.stat()
            except OSError:
                out.append(read(file))  # the reader reports the problem
                continue
            hit = cached.get(file.name)
            if hit is not None and hit[0] == stat.st_size and hit[1] == stat.st_mtime_ns:
                parsed = hit[2]
            else:
                parsed = read(file)
                changed = True
            fresh[file.name] = (stat.st_size, stat.st_mtime_ns, parsed)
            out.append(parsed)
        if changed or set(cached) != set(fresh):
            self._store(entry_path, fresh)
        return out

    def _load(self, path: Path) -> dict[str, tuple[int, int, ParsedMigration]]:
        try:
            with open(path, "rb") as handle:
                fingerprint, entries = pickle.load(handle)
        except Exception:  # missing, unreadable, corrupt or from another version: read again
            return {}
        return entries if fingerprint == self.fingerprint and isinstance(entries, dict) else {}

    def _store(self, path: Path, entries: dict[str, tuple[int, int, ParsedMigration]]) -> None:
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "wb") as handle:
                pickle.dump((self.fingerprint, entries), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except Exception:  # an unwritable cache only costs speed
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)
