"""Run migration operations against a scratch database in a subprocess and read the report.

See ``run_operation.py`` for what the report holds. Tests mark the rules they prove with
``@proves("ZDM202")``; ``test_rules_are_proven.py`` checks every locking or rewrite rule
has at least one such proof.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

RUNNER = Path(__file__).with_name("run_operation.py")
TIMEOUT = 120

F = TypeVar("F", bound=Callable[..., Any])


def proves(*rule_ids: str) -> Callable[[F], F]:
    """Mark a test as the database proof of the facts the given rules rest on."""

    def mark(func: F) -> F:
        func.proves = (*getattr(func, "proves", ()), *rule_ids)  # type: ignore[attr-defined]
        return func

    return mark


def proofs(namespace: Mapping[str, object]) -> dict[str, list[str]]:
    """Test name -> rule IDs, for every test in a module's namespace marked with ``proves``."""
    return {
        name: list(obj.proves)  # type: ignore[attr-defined]
        for name, obj in namespace.items()
        if name.startswith("test_") and callable(obj) and getattr(obj, "proves", None)
    }


class Report(dict[str, Any]):
    """The runner's JSON report, with readers for the facts the tests assert."""

    def strongest(self, table: str) -> str | None:
        return self["locks"]["strongest"].get(table)

    def modes(self, table: str) -> list[str]:
        return list(self["locks"]["modes"].get(table, []))

    def rewritten(self, table: str = "shop_product") -> bool:
        return bool(self["tables"][table]["rewritten"])

    def index_changes(self) -> dict[str, str]:
        return {name: change for name, change in self["indexes"].items() if change != "kept"}

    def built_again(self) -> set[str]:
        """Indexes that existed before and were built again (with new storage)."""
        return {name for name, change in self["indexes"].items() if change in ("rebuilt", "recreated")}

    def notice(self, text: str) -> bool:
        return any(text in message for message in self.get("notices", []))

    def old_after(self, action: str) -> str:
        return str(self["old_code_after"][action])

    def old_during(self, action: str) -> str:
        return str(self["old_code_during"][action])

    def accepted(self, start: str = "") -> list[str | None]:
        """MySQL/MariaDB (``algorithms=True``): the cheapest ALGORITHM/LOCK clause accepted for each
        ALTER TABLE / CREATE INDEX / DROP INDEX whose SQL starts with ``start``, in order."""
        return [entry["accepted"] for entry in self.get("algorithms", []) if entry["sql"].startswith(start)]

    def explain(self) -> str:
        """A compact dump for assertion messages."""
        keep = ("error", "sql", "algorithms", "locks", "tables", "indexes", "notices", "old_code_during", "old_code_after")
        return json.dumps({k: self[k] for k in keep if k in self}, indent=1, default=str)


def _run(spec: dict[str, Any]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(RUNNER)],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    if proc.returncode != 0:
        raise AssertionError(f"runner failed ({proc.returncode}) for {spec.get('operations')}:\n{proc.stderr}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def prepare_database(url: str) -> None:
    """Create and fill the base schema (shop_customer, shop_product) in an empty database."""
    _run({"url": url, "prepare_only": True})


def run_operation(
    url: str,
    operations: Iterable[str],
    *,
    setup: Iterable[str] = (),
    atomic: bool = True,
    during: bool = False,
    reader: bool = False,
    notices: bool = True,
    algorithms: bool = False,
) -> Report:
    spec = {
        "url": url,
        "setup": list(setup),
        "operations": list(operations),
        "atomic": atomic,
        "during": during,
        "reader": reader,
        "notices": notices,
        "algorithms": algorithms,
    }
    return Report(_run(spec))


def ok(outcome: str) -> bool:
    return outcome == "ok"
