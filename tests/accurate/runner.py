"""Run many ``safemigrate`` command lines for the accurate-mode tests, fast.

Accurate mode configures Django with a project's settings, once per process. This runner
imports Django and safemigrate once, then forks one child per command line; each child
changes to its job's directory, sets its environment and runs ``safemigrate.cli.main``.
Reads ``[{"args": [...], "cwd": "...", "env": {...}}, ...]`` as JSON on stdin, writes
``[{"returncode": ..., "stdout": ..., "stderr": ...}, ...]`` as JSON on stdout.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]


def _child(job: dict[str, Any], out: str, err: str) -> None:
    code = 3
    try:
        for fd, name in ((1, out), (2, err)):
            target = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(target, fd)
        os.chdir(job["cwd"])
        for key, value in job.get("env", {}).items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        from safemigrate.cli import main

        code = main(job["args"])
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def main() -> int:
    jobs: list[dict[str, Any]] = json.load(sys.stdin)
    sys.path.insert(0, str(REPO_ROOT))
    import safemigrate.accurate.run  # imported once, before forking
    import safemigrate.cli
    import safemigrate.commands.check  # noqa: F401

    results: list[dict[str, Any] | None] = [None] * len(jobs)
    pending = list(enumerate(jobs))
    running: dict[int, tuple[int, str, str]] = {}
    parallel = max(2, os.cpu_count() or 1)
    with tempfile.TemporaryDirectory() as tmp:
        while pending or running:
            while pending and len(running) < parallel:
                index, job = pending.pop(0)
                out, err = f"{tmp}/{index}.out", f"{tmp}/{index}.err"
                sys.stdout.flush()
                pid = os.fork()
                if pid == 0:
                    _child(job, out, err)
                running[pid] = (index, out, err)
            pid, status = os.wait()
            index, out, err = running.pop(pid)
            results[index] = {
                "returncode": os.waitstatus_to_exitcode(status),
                "stdout": Path(out).read_text(encoding="utf-8"),
                "stderr": Path(err).read_text(encoding="utf-8"),
            }
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
