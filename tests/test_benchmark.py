"""The benchmark stays runnable: a tiny run of benchmarks/run.py prints every figure it promises."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def test_a_tiny_benchmark_run_prints_every_figure(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    sys.modules.pop("run", None)
    import run  # benchmarks/run.py

    monkeypatch.setattr(run, "SMALL", (2, 3))
    monkeypatch.setattr(run, "LARGE", (2, 6))
    assert run.main(["--repeat", "2", "--skip-peers"]) == 0
    out = capsys.readouterr().out
    assert "2 rounds, each running every project cold and warm once (interleaved)" in out
    for count in ("1 migration ", "6 migrations", "12 migrations"):
        assert re.search(rf"{count} cold \(--no-cache\): median +\d+\.\d+ s +best +\d+\.\d+ s +\(2 runs\)", out), out
        assert re.search(rf"{count} warm read cache: +median +\d+\.\d+ s", out), out
    assert re.search(r"machine reference loop: \d+\.\d+ s before, \d+\.\d+-\d+\.\d+ s during our rounds", out), out
    assert re.search(r"cold: 6 migrations \d+\.\d+ s \(target < 1\.0 s: (yes|NO)\); 12 migrations", out), out
    assert "targets met, cold and warm:" in out
    sys.modules.pop("run", None)
