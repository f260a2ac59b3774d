"""Run work in a forked child process and receive its (pickled) results as they are produced.

Used to read a large project's migration files on two cores: reading is pure CPU work
on independent files, and what it produces is picklable (the read cache stores it).
The child sends each result as soon as it has it, so a parent that finishes its own
share first spends the wait unpickling instead of idling. Where ``fork`` doesn't exist,
callers simply do the work themselves.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Generic, TypeVar

T = TypeVar("T")

CAN_FORK = hasattr(os, "fork") and sys.platform != "darwin" and (os.cpu_count() or 1) > 1

_HEADER = 8  # bytes of length before each message


def _message(kind: str, value: object) -> bytes:
    try:
        data = pickle.dumps((kind, value), protocol=pickle.HIGHEST_PROTOCOL)
        if kind == "error":
            pickle.loads(data)  # one the parent can't rebuild (keyword-only arguments) would hide the real error
    except Exception as exc:
        reason = f"{type(value).__name__}: {value}" if kind == "error" else f"{exc}"
        error = RuntimeError(f"could not send a result between processes: {reason}")
        data = pickle.dumps(("error", error), protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(_HEADER, "little") + data


def _write_all(outbox: queue.SimpleQueue[bytes | None], out: IO[bytes], stopped: threading.Event) -> None:
    """Write messages until the None that ends them, or until the parent stops listening (a broken
    pipe: it gave up, on its own error), which stops the work at its next item."""
    try:
        while (data := outbox.get()) is not None:
            out.write(data)
            out.flush()
    except OSError:
        stopped.set()


class ForkedStream(Generic[T]):
    """``work()``'s items, produced in a child process; ``results()`` yields them here in order and
    raises the child's exception, if it had one, where its items stopped."""

    def __init__(self, work: Callable[[], Iterable[T]]) -> None:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            code = 0
            try:
                os.close(read_end)
                with os.fdopen(write_end, "wb") as out:
                    # A thread writes, so a full pipe (the parent still busy with its own share) never
                    # stops the work: the messages wait in memory instead.
                    outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
                    stopped = threading.Event()
                    writer = threading.Thread(target=_write_all, args=(outbox, out, stopped), daemon=True)
                    writer.start()
                    try:
                        for item in work():
                            if stopped.is_set():
                                break  # between items, so what an item writes (the read cache) is whole
                            outbox.put(_message("item", item))
                        else:
                            outbox.put(_message("done", None))
                    except BaseException as exc:  # sent to the parent, which raises it
                        outbox.put(_message("error", exc))
                    outbox.put(None)
                    writer.join()
            except BaseException:
                code = 1
            finally:
                os._exit(code)  # never return into the parent's code
        os.close(write_end)
        self._pid = pid
        self._read_end = read_end
        self._done = False  # results() started, or close() called

    def results(self) -> Iterator[T]:
        if self._done:
            return
        self._done = True
        try:
            with os.fdopen(self._read_end, "rb") as handle:
                while True:
                    header = handle.read(_HEADER)
                    size = int.from_bytes(header, "little")
                    data = handle.read(size) if len(header) == _HEADER else b""
                    if len(data) < size or not data:
                        raise RuntimeError("a worker process died without a result")
                    kind, value = pickle.loads(data)
                    if kind == "done":
                        return
                    if kind == "error":
                        raise value
                    yield value
        finally:
            # The read end is closed: a child still working stops at its next item (its writer meets a
            # broken pipe), finishing the one in hand, so no file it writes is left half-written.
            os.waitpid(self._pid, 0)

    def close(self) -> None:
        """Give up on the child before reading its results (the parent's own error): stop and reap it."""
        if self._done:
            return
        self._done = True
        os.close(self._read_end)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self._pid, 0)
