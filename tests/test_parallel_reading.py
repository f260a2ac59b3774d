"""Large projects are read on two processes; the result must be exactly the serial one."""

from __future__ import annotations

from pathlib import Path

import pytest

from safemigrate.config import Config
from safemigrate.engine import Engine
from safemigrate.errors import InputError
from safemigrate.lint import lint_project
from safemigrate.parallel import CAN_FORK
from safemigrate.rules import REGISTRY
from tests.test_engine import CREATE_A, migration, write

pytestmark = pytest.mark.skipif(not CAN_FORK, reason="this platform reads with one process")


def project(tmp_path: Path, apps: int = 6) -> Path:
    files: dict[str, str] = {}
    for n in range(apps):
        files[f"app{n}/migrations/0001_initial.py"] = migration("[]", CREATE_A)
        files[f"app{n}/migrations/0002_x.py"] = migration(
            f"[('app{n}', '0001_initial')]", f"[migrations.AddField('a', 'x{n}', models.IntegerField(default={n}))]"
        )
    return write(tmp_path, files)


def analyze(root: Path, threshold: int):  # type: ignore[no-untyped-def]
    engine = Engine(Config())
    engine.parallel_threshold = threshold
    analysis = engine.analyze([root])
    return analysis, lint_project(analysis, list(REGISTRY.values())).findings


def test_forked_reading_gives_the_serial_result(tmp_path: Path) -> None:
    root = project(tmp_path)
    serial, serial_findings = analyze(root, threshold=10**9)
    forked, forked_findings = analyze(root, threshold=1)
    assert list(forked.parsed) == list(serial.parsed)
    assert [m.key for m in forked.project.migrations] == [m.key for m in serial.project.migrations]
    assert forked_findings == serial_findings
    assert {f.rule for f in forked_findings} == {"ZDM101"}
    state = forked.replayer.state.models
    assert all(f"x{n}" in state[(f"app{n}", "a")].fields for n in range(6))


def test_an_input_error_in_the_worker_half_is_raised(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "app5" / "migrations" / "0002_x.py").write_text("class Migration(:\n")  # the worker's half
    with pytest.raises(InputError, match=r"0002_x\.py:1: syntax error"):
        analyze(root, threshold=1)


def test_a_warm_read_cache_is_read_here_without_a_second_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cached packages are only unpickled: a second process would pickle them again to send them back.
    After an edit, only the edited package is parsed again (and still gives the serial result)."""
    import safemigrate.engine as engine_module

    root = project(tmp_path / "project")
    cache = tmp_path / "cache"

    def analyze_cached() -> tuple[object, list[object]]:
        engine = Engine(Config(), cache_directory=cache)
        engine.parallel_threshold = 1
        analysis = engine.analyze([root])
        return analysis, lint_project(analysis, list(REGISTRY.values())).findings

    cold, cold_findings = analyze_cached()  # fills the cache (on two processes)
    forks: list[object] = []
    real = engine_module.ForkedStream
    monkeypatch.setattr(engine_module, "ForkedStream", lambda work: forks.append(work) or real(work))
    warm, warm_findings = analyze_cached()
    assert forks == []
    assert warm_findings == cold_findings
    assert list(warm.parsed) == list(cold.parsed)  # type: ignore[attr-defined]
    edited = root / "app5" / "migrations" / "0002_x.py"
    edited.write_text(edited.read_text().replace("default=5", "null=True"))
    after_edit, findings = analyze_cached()
    assert forks == []  # one package to parse: not worth a second process
    assert {f.rule for f in findings} == {"ZDM101"} and len(findings) == len(cold_findings) - 1
    assert list(after_edit.parsed) == list(cold.parsed)  # type: ignore[attr-defined]
