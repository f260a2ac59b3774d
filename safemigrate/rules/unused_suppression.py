from __future__ import annotations

from safemigrate.findings import Category, Severity
from safemigrate.rules.base import Rule


class UnusedSuppression(Rule):
    """Reported by ``safemigrate.suppressions`` after it has applied every suppression."""

    id = "ZDM609"
    name = "unused-suppression"
    severity = Severity.WARNING
    category = Category.HYGIENE
    summary = "A suppression (a comment or per_migration_ignores) suppresses nothing"
