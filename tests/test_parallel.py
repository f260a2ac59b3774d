"""The forked worker that reads a large project's second share: results, errors, and never stalling."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from safemigrate.parallel import CAN_FORK, ForkedStream

pytestmark = pytest.mark.skipif(not CAN_FORK, reason="this platform reads with one process")


def test_items_arrive_in_order() -> None:
    stream = ForkedStream(lambda: ({"n": n, "pid": os.getpid()} for n in range(50)))
    items = list(stream.results())
    assert [item["n"] for item in items] == list(range(50))
    assert {item["pid"] for item in items} != {os.getpid()}  # made in another process


def test_the_childs_error_is_raised_after_its_earlier_items() -> None:
    def work() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("file 3 is broken")

    got: list[int] = []
    with pytest.raises(ValueError, match="file 3 is broken"):
        for item in ForkedStream(work).results():
            got.append(item)
    assert got == [1, 2]


def test_the_child_runs_ahead_of_a_busy_parent(tmp_path: Path) -> None:
    """Far more output than a pipe holds, while this process is still busy: the child finishes its work
    anyway (its messages wait in memory), instead of stalling until the parent starts reading."""
    done = tmp_path / "done"

    def work() -> Iterator[bytes]:
        for _ in range(40):
            yield b"x" * 100_000  # 4 MB in all; a pipe holds 64 KB
        done.write_text(repr(time.time()))

    stream = ForkedStream(work)
    time.sleep(1.0)  # the parent reading its own share
    started_reading = time.time()
    total = sum(len(item) for item in stream.results())
    assert total == 4_000_000
    assert float(done.read_text()) < started_reading


def test_close_stops_and_reaps_a_child_the_parent_gives_up_on() -> None:
    def work() -> Iterator[int]:
        while True:
            time.sleep(0.01)
            yield 0

    stream = ForkedStream(work)
    pid = stream._pid
    stream.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)  # already reaped: no zombie left behind
    assert list(stream.results()) == []  # nothing more to read, and no hang


def test_a_parent_that_stops_listening_does_not_wait_for_all_the_childs_work(tmp_path: Path) -> None:
    finished = tmp_path / "finished"

    def work() -> Iterator[int]:
        for n in range(100):
            time.sleep(0.05)  # 5 s in all
            yield n
        finished.write_text("yes")

    results = ForkedStream(work).results()
    start = time.monotonic()
    assert next(results) == 0
    results.close()  # e.g. the parent failed on the first package it got
    assert time.monotonic() - start < 2.5
    assert not finished.exists()


def test_giving_up_never_cuts_a_childs_file_write_in_half(tmp_path: Path) -> None:
    """The child writes files of its own (the read cache: a temporary file, then a rename). Stopping it
    waits for the item in hand, so no temporary file is left behind."""

    def work() -> Iterator[int]:
        for n in range(3):
            temporary = tmp_path / f".{n}.tmp"
            temporary.write_text("half")
            time.sleep(0.3)
            os.replace(temporary, tmp_path / f"{n}.done")
            yield n

    stream = ForkedStream(work)
    time.sleep(0.1)  # the child is between writing and renaming
    stream.close()
    assert not list(tmp_path.glob("*.tmp"))
    assert (tmp_path / "0.done").exists()


class _NeedsKeyword(Exception):
    def __init__(self, message: str, *, where: str) -> None:
        super().__init__(message)
        self.where = where


def test_an_error_the_parent_cannot_rebuild_is_still_named() -> None:
    def work() -> Iterator[int]:
        yield 1
        raise _NeedsKeyword("the real problem", where="0002_x.py")

    with pytest.raises(RuntimeError, match="_NeedsKeyword: the real problem"):
        list(ForkedStream(work).results())
