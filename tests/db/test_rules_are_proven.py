"""Every rule that claims a lock or a rewrite (or old-code breakage) has a database proof.

A new locking or rewrite rule without a test in ``tests/db`` marked ``@proves("ZDMxxx")``
fails here. The direction is registry -> proofs: a proof may name a rule not written yet.
"""

from __future__ import annotations

import re

from safemigrate.findings import Category
from safemigrate.rules import REGISTRY
from safemigrate.rules.base import RULE_PREFIX
from tests.db import test_mariadb_facts, test_postgres_facts, test_raw_sql_facts, test_vendor_facts

PROOF_MODULES = (test_postgres_facts, test_mariadb_facts, test_vendor_facts, test_raw_sql_facts)
# Backward-incompatible rules whose claim is about what the database does to old code.
OLD_CODE_RULES = {"ZDM101", "ZDM102", "ZDM103", "ZDM105", "ZDM106"}
PROVEN_CATEGORIES = {Category.LOCKING, Category.REWRITE}


def proven_rules() -> dict[str, list[str]]:
    """Rule ID -> the proofs (module::test) naming it."""
    out: dict[str, list[str]] = {}
    for module in PROOF_MODULES:
        for test, rule_ids in module.PROVES.items():
            for rule_id in rule_ids:
                out.setdefault(rule_id, []).append(f"{module.__name__}::{test}")
    return out


def rules_needing_proof() -> set[str]:
    return {rule.id for rule in REGISTRY.values() if rule.category in PROVEN_CATEGORIES} | (
        OLD_CODE_RULES & REGISTRY.keys()
    )


def test_every_locking_and_rewrite_rule_has_a_database_proof() -> None:
    proven = proven_rules()
    missing = sorted(rules_needing_proof() - proven.keys())
    assert not missing, (
        f"rules without a database proof: {missing}. Add a test to tests/db/test_postgres_facts.py "
        'that runs the operation against the real server and mark it @proves("ZDMxxx").'
    )


def test_proofs_name_well_formed_rule_ids() -> None:
    for rule_id in proven_rules():
        assert re.fullmatch(rf"{RULE_PREFIX}\d{{3}}", rule_id), rule_id


def test_proof_mappings_are_collected() -> None:
    # Guards against the decorator silently marking nothing (e.g. applied to a non-test).
    assert len(test_postgres_facts.PROVES) >= 20
    assert all(name.startswith("test_") for module in PROOF_MODULES for name in module.PROVES)
