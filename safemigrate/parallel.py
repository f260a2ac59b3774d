"""Run one piece of work in a forked child process and collect its (pickled) result.

Used to read a large project's migration files on two cores: reading is pure CPU work
on independent files, and what it produces is picklable (the read cache stores it).
Where ``fork`` doesn't exist, callers simply do the work themselves.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")

CAN_FORK = hasattr(os, "fork") and sys.platform != "darwin" and (os.cpu_count() or 1) > 1


class Forked(Generic[T]):
    """``work()`` running in a child process; ``result()`` returns its value or raises its exception."""

    def __init__(self, work: Callable[[], T]) -> None:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            os.close(read_end)
            try:
                payload: tuple[bool, object] = (True, work())
            except BaseException as exc:  # sent to the parent, which raises it
                payload = (False, exc)
            try:
                data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:
                data = pickle.dumps((False, RuntimeError(f"could not send a result between processes: {exc}")))
            with os.fdopen(write_end, "wb") as handle:
                handle.write(data)
            os._exit(0)
        os.close(write_end)
        self._pid = pid
        self._read_end = read_end

    def result(self) -> T:
        try:
            with os.fdopen(self._read_end, "rb") as handle:
                data = handle.read()
        finally:
            os.waitpid(self._pid, 0)
        if not data:
            raise RuntimeError("a worker process died without a result")
        ok, value = pickle.loads(data)
        if not ok:
            raise value  # type: ignore[misc]
        return value  # type: ignore[no-any-return]
