from __future__ import annotations

from collections.abc import Iterator

from safemigrate.context import MigrationContext
from safemigrate.findings import Category, Finding, Phase, Severity
from safemigrate.markers import marker_for
from safemigrate.rules.base import Rule
from safemigrate.rules.mixed_expand_and_contract import _describe, _steps


class ContractInPreDeployMigration(Rule):
    id = "ZDM503"
    name = "contract-in-pre-deploy-migration"
    severity = Severity.ERROR
    category = Category.PHASING
    summary = "A migration declared pre-deploy (a peer tool's marker) holds a contract step the old code breaks on"

    def check_migration(self, migration: MigrationContext) -> Iterator[Finding]:
        if migration.declared_phase is not Phase.PRE_DEPLOY:
            return
        for ctx in _steps(migration):
            if ctx.phase is not Phase.POST_DEPLOY:
                continue
            yield self.at_operation(
                ctx,
                f"{_describe(ctx)} is a contract step, but the migration is declared pre-deploy "
                f"({migration.declared_by}): it runs while the old code still serves traffic, and narrows "
                "what that code reads and writes.",
                f"Move the contract step to a post-deploy migration "
                f"({marker_for(migration.declared_by, Phase.POST_DEPLOY)}) in a release after the code that stops "
                "relying on it.",
            )
