"""The rule modules and the rule pages match one to one, and every page's examples are true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from safemigrate.findings import Category, Severity
from safemigrate.rules import REGISTRY
from safemigrate.rules.base import RULE_PREFIX
from tests.rule_examples import PAGES, Page, lint_migrations

RULES = sorted(REGISTRY.values(), key=lambda r: r.id)
SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")
# Rules about the graph, or about history (--since: tests/test_since.py checks their pages), have no
# single-migration example.
NON_MIGRATION_EXAMPLES = {
    "multiple-leaf-migrations", "dependency-cycle", "missing-dependency", "edited-migration", "deleted-migration",
    # Accurate mode only: tests/test_accurate_mode.py checks their pages with the project loaded by Django.
    "missing-migration", "migration-routed-nowhere",
}


def test_every_rule_has_a_page_and_every_page_a_rule() -> None:
    pages = {p.stem for p in PAGES.glob("*.md") if p.name != "README.md"}
    names = {r.name for r in RULES}
    assert pages - names == set(), f"pages without a rule: {sorted(pages - names)}"
    assert names - pages == set(), f"rules without a page: {sorted(names - pages)}"


def test_one_module_per_rule() -> None:
    modules = {type(r).__module__ for r in RULES}
    assert len(modules) == len(RULES)
    for rule in RULES:
        assert type(rule).__module__.endswith("." + rule.name.replace("-", "_")), rule.id


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_metadata(rule) -> None:  # type: ignore[no-untyped-def]
    assert re.fullmatch(rf"{RULE_PREFIX}\d{{3}}", rule.id)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", rule.name)
    assert isinstance(rule.severity, Severity)
    assert isinstance(rule.category, Category)
    assert rule.summary and not rule.summary.endswith(".")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_page_structure(rule) -> None:  # type: ignore[no-untyped-def]
    page = Page(PAGES / f"{rule.name}.md", (PAGES / f"{rule.name}.md").read_text(encoding="utf-8"))
    assert page.text.startswith(f"# {rule.name} ({rule.id})\n")
    assert f"| {rule.severity.value} | {rule.category.value} |" in page.text
    for title in SECTIONS:
        assert page.section(title).strip(), f"{page.path.name}: missing or empty section {title!r}"


@pytest.mark.parametrize("rule", [r for r in RULES if r.name not in NON_MIGRATION_EXAMPLES], ids=lambda r: r.id)
def test_page_example_is_flagged_and_use_instead_is_clean(rule, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = Page(PAGES / f"{rule.name}.md", (PAGES / f"{rule.name}.md").read_text(encoding="utf-8"))
    bad = page.migrations("Example")
    good = page.migrations("Use instead")
    assert bad, f"{page.path.name}: no python example"
    assert good, f"{page.path.name}: no python 'use instead'"
    config = page.config()  # a page about one database says which ("checked with `database = ...`")
    assert rule.runs_on(config.target), f"{page.path.name}: its examples are checked with a database the rule skips"
    flagged = lint_migrations(tmp_path / "bad", bad, config=config)
    assert rule.id in {f.rule for f in flagged}, f"{rule.id} example not flagged: {flagged}"
    clean = lint_migrations(tmp_path / "good", good, config=config)
    assert clean == [], f"{rule.id} 'use instead' is not clean: {[(f.rule, f.message) for f in clean]}"
