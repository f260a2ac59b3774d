"""``safemigrate rules`` and ``safemigrate explain``: the rule catalog."""

from __future__ import annotations

from pathlib import Path

from safemigrate.errors import EXIT_CLEAN, UsageError
from safemigrate.files import write_stdout
from safemigrate.rules import REGISTRY, get_rule
from safemigrate.rules.base import Rule

PAGES_DIR = Path(__file__).resolve().parent.parent / "rule_pages"


def page_text(rule: Rule) -> str:
    """A rule's documentation page: shipped inside the package, mirrored from the repo's rules/."""
    for directory in (PAGES_DIR, Path(__file__).resolve().parents[2] / "rules"):
        candidate = directory / f"{rule.name}.md"
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    raise UsageError(f"rule {rule.id} has no documentation page ({rule.page})")


def list_rules() -> int:
    width = max(len(r.name) for r in REGISTRY.values())
    write_stdout(
        "".join(
            f"{rule_id}  {rule.name:<{width}}  {rule.severity.value:<7}  {rule.category.value:<21}  {rule.summary}\n"
            for rule_id, rule in sorted(REGISTRY.items())
        )
    )
    return EXIT_CLEAN


def explain(rule_id: str) -> int:
    rule = get_rule(rule_id)
    if rule is None:
        by_name = {r.name: r for r in REGISTRY.values()}
        rule = by_name.get(rule_id)
    if rule is None:
        raise UsageError(f"unknown rule {rule_id!r} (see `safemigrate rules`)")
    text = page_text(rule)
    write_stdout(text if text.endswith("\n") else text + "\n")
    return EXIT_CLEAN
