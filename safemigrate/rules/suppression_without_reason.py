from __future__ import annotations

from safemigrate.findings import Category, Severity
from safemigrate.rules.base import Rule


class SuppressionWithoutReason(Rule):
    """Reported by ``safemigrate.suppressions`` while it applies ``# safemigrate: ignore[...]`` comments."""

    id = "ZDM608"
    name = "suppression-without-reason"
    severity = Severity.ERROR
    category = Category.HYGIENE
    summary = "A '# safemigrate: ignore[...]' comment doesn't say why the finding is safe to ignore"
