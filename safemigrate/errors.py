"""Errors that end a command, and the exit codes they map to (in one place)."""

from __future__ import annotations

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class FatalError(Exception):
    """A problem that stops the command with a one-line message and an exit code."""

    exit_code = EXIT_INTERNAL


class UsageError(FatalError):
    """Bad command line or configuration."""

    exit_code = EXIT_USAGE


class InputError(FatalError):
    """Unreadable input: a migration that doesn't parse, a bad config file."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = ""
        if path:
            where = f"{path}:{line}: " if line else f"{path}: "
        super().__init__(where + message)
