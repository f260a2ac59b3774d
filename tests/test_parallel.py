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
