"""Writing the files safemigrate generates (reports, baselines): atomically, keeping permissions."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

from safemigrate.errors import UsageError


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see the old content or the new, never half of it.

    ``-`` and ``/dev/stdout`` mean standard output; other non-regular files (``/dev/null``, a
    pipe) are written in place. A symbolic link is followed: the file it points to is replaced
    and the link is kept. A replaced file keeps its permission bits; a new one gets the umask's.
    Any failure is a one-line usage error (exit 2).
    """
    if str(path) in ("-", "/dev/stdout"):
        write_stdout(text)
        return
    text = text if text.endswith("\n") else text + "\n"
    try:
        info: os.stat_result | None = os.stat(path)  # follows links
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise UsageError(f"cannot write {path}: it is a directory")
    if info is not None and not stat.S_ISREG(info.st_mode):
        try:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise _cannot_write(path, exc) from None
        return
    real = Path(os.path.realpath(path))  # through symbolic links: write next to the real file
    directory = real.parent
    if not directory.is_dir():
        raise UsageError(f"cannot write {path}: directory {directory} does not exist")
    mode = stat.S_IMODE(info.st_mode) if info is not None else 0o666 & ~_umask()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", dir=directory)  # created 0600
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, real)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _cannot_write(path, exc) from None
        raise


def _umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it
    os.umask(mask)
    return mask


def _cannot_write(path: Path, exc: OSError) -> UsageError:
    return UsageError(f"cannot write {path}: {exc.strerror or exc}")


def write_stdout(text: str) -> None:
    """Output on standard output. A reader that went away (``| head``) has what it wanted; any other
    failure (a full disk) is the user's to know about, in one line, not a traceback."""
    if sys.stdout is None:  # the process was started with standard output closed
        raise UsageError("cannot write the report to standard output: it is closed (use --output FILE)")
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    except OSError as exc:
        raise UsageError(f"cannot write the report to standard output: {exc.strerror or exc}") from None
