"""The baseline: today's findings, written down so that ``check`` reports only new ones.

A finding's fingerprint is (app, migration, rule, operation): the operation is its position in
the migration's operations list, its kind and the names it works on (``2:RemoveField(customer,
legacy_code)``), never a line number, so reformatting a file keeps its fingerprints. Findings
about a whole migration or the graph have ``-`` for the operation. The file keeps a count per
fingerprint, so two findings of one rule on one operation need two to be hidden.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safemigrate.config import Config
from safemigrate.engine import Analysis, display_path, project_root
from safemigrate.errors import InputError, UsageError
from safemigrate.findings import Finding
from safemigrate.locate import Locator, operation_identity

BASELINE_NAME = ".safemigrate-baseline.json"
VERSION = 1
ABOUT = (
    "safemigrate baseline: findings accepted when this file was written. `safemigrate check` reports only "
    "findings not listed here. Rewrite it with `safemigrate baseline --force`."
)

Fingerprint = tuple[str, str, str, str]  # (app, migration, rule, operation)


def default_path(config: Config, paths: list[Path]) -> Path:
    """The baseline file: ``baseline`` from the configuration, else ``.safemigrate-baseline.json``, in the
    project root (the configuration file's directory)."""
    root = config.root if config.root is not None else project_root(paths, config)
    return root / (config.baseline or BASELINE_NAME)


def fingerprints(findings: list[Finding], analysis: Analysis) -> list[Fingerprint]:
    locator = Locator(analysis)
    return [(f.app, f.migration, f.rule, operation_identity(locator.operation(f))) for f in findings]


def render(findings: list[Finding], analysis: Analysis) -> str:
    """The baseline file's text for these findings: sorted, one entry per fingerprint, so diffs are readable."""
    counts: Counter[Fingerprint] = Counter()
    messages: dict[Fingerprint, str] = {}
    for finding, print_ in zip(findings, fingerprints(findings, analysis), strict=True):
        counts[print_] += 1
        messages.setdefault(print_, finding.message)
    entries = [
        {**dict(zip(_KEYS, key, strict=True)), "count": counts[key], "message": messages[key]} for key in sorted(counts)
    ]
    return json.dumps({"version": VERSION, "about": ABOUT, "findings": entries}, indent=2) + "\n"


def find_baseline(config: Config, paths: list[Path], explicit: Path | None, disabled: bool) -> Baseline | None:
    """The baseline ``check`` uses: ``--baseline FILE`` (which must exist), else the configured ``baseline``
    (which must exist), else ``.safemigrate-baseline.json`` in the project root when it exists."""
    if disabled:
        return None
    if explicit is not None:
        if not explicit.is_file():
            raise UsageError(f"--baseline: no such file: {explicit} (write one with `safemigrate baseline`)")
        return Baseline.load(explicit)
    path = default_path(config, paths)
    if config.baseline and not path.is_file():
        origin = display_path(config.path) if config.path else "config"
        raise UsageError(
            f"{origin}: baseline: no such file: {display_path(path)} (write one with `safemigrate baseline`)"
        )
    return Baseline.load(path) if path.is_file() else None


@dataclass
class Applied:
    findings: list[Finding]  # the findings the baseline doesn't list: new ones
    hidden: int = 0  # findings the baseline listed
    stale: int = 0  # baseline entries (counted) of checked migrations and rules that no longer occur

    def notes(self, baseline: Baseline) -> list[str]:
        if not self.stale:
            return []
        entries = "entry" if self.stale == 1 else "entries"
        return [
            f"{self.stale} baseline {entries} in {display_path(baseline.path)} no longer match a finding (fixed, "
            "the operation changed, or the migration is gone); `safemigrate baseline --force` rewrites it without them"
        ]


@dataclass
class Baseline:
    path: Path
    counts: Counter[Fingerprint] = field(default_factory=Counter)

    @classmethod
    def load(cls, path: Path) -> Baseline:
        shown = display_path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputError(f"cannot read baseline: {exc.strerror}", shown) from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"not a safemigrate baseline (invalid JSON: {exc})", shown) from exc
        if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("findings"), list):
            raise InputError(
                f'not a safemigrate baseline (expected {{"version": {VERSION}, "findings": [...]}}); '
                "write one with `safemigrate baseline`",
                shown,
            )
        counts: Counter[Fingerprint] = Counter()
        for number, entry in enumerate(data["findings"]):
            counts[_entry(entry, number, shown)] += entry.get("count", 1)
        return cls(path, counts)

    def apply(self, findings: list[Finding], analysis: Analysis, rules_run: set[str]) -> Applied:
        left = Counter(self.counts)
        kept: list[Finding] = []
        hidden = 0
        for finding, print_ in zip(findings, fingerprints(findings, analysis), strict=True):
            if left[print_] > 0:
                left[print_] -= 1
                hidden += 1
            else:
                kept.append(finding)
        checked = {m.key for m in analysis.project.migrations if m.reported}
        # An app's whole history is read whatever the paths: an entry of a migration it no longer has (renamed,
        # deleted) is stale too.
        read = {key[0] for key in analysis.parsed}
        stale = sum(
            count for (app, migration, rule, _), count in left.items()
            if count > 0 and rule in rules_run
            and ((app, migration) in checked or (app in read and (app, migration) not in analysis.parsed))
        )
        return Applied(kept, hidden, stale)


_KEYS = ("app", "migration", "rule", "operation")


def _entry(entry: Any, number: int, shown: str) -> Fingerprint:
    keys = _KEYS
    count = entry.get("count", 1) if isinstance(entry, dict) else None
    if (
        not isinstance(entry, dict)
        or not all(isinstance(entry.get(k), str) for k in keys)
        or not isinstance(count, int)
        or isinstance(count, bool)
        or count < 1
    ):
        raise InputError(
            f"findings[{number}] must have string app, migration, rule and operation (and a positive count)", shown
        )
    return (entry["app"], entry["migration"], entry["rule"], entry["operation"])
