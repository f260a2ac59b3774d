from __future__ import annotations

from collections.abc import Iterator

from safemigrate.context import MigrationContext
from safemigrate.findings import Category, Finding, Phase, Severity
from safemigrate.rules.base import Rule
from safemigrate.rules.mixed_expand_and_contract import _describe, _steps


class ExpandInPostDeployMigration(Rule):
    id = "ZDM502"
    name = "expand-in-post-deploy-migration"
    severity = Severity.ERROR
    category = Category.PHASING
    summary = "A migration declared post-deploy (a peer tool's marker) holds an expand step the new code needs"

    def check_migration(self, migration: MigrationContext) -> Iterator[Finding]:
        if migration.declared_phase is not Phase.POST_DEPLOY:
            return
        for ctx in _steps(migration):
            if ctx.phase is not Phase.PRE_DEPLOY:
                continue
            yield self.at_operation(
                ctx,
                f"{_describe(ctx)} is an expand step, but the migration is declared post-deploy "
                f"({migration.declared_by}): it runs only after the new code ships, and the new code fails "
                "until it has run.",
                "Move the expand step to a pre-deploy migration shipped with the new code; keep only contract "
                "steps (drops, new constraints) in the post-deploy migration.",
            )
