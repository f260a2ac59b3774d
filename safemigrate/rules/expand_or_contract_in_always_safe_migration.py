from __future__ import annotations

from collections.abc import Iterator

from safemigrate.context import MigrationContext
from safemigrate.findings import Category, Finding, Phase, Severity
from safemigrate.markers import marker_for
from safemigrate.rules.base import Rule
from safemigrate.rules.mixed_expand_and_contract import _describe, _steps


class ExpandOrContractInAlwaysSafeMigration(Rule):
    id = "ZDM504"
    name = "expand-or-contract-in-always-safe-migration"
    severity = Severity.ERROR
    category = Category.PHASING
    summary = "A migration declared safe at any time (Safe.always) holds an expand or a contract step"

    def check_migration(self, migration: MigrationContext) -> Iterator[Finding]:
        if migration.declared_phase is not Phase.ANY:
            return
        for ctx in _steps(migration):
            if ctx.phase is Phase.PRE_DEPLOY:
                why = (
                    "an expand step: if it runs after the deploy (as it may: django-safemigrate holds such a "
                    "migration back behind any after-deploy migration it depends on), the new code fails until it "
                    "has run"
                )
                fix = (
                    f"Declare the migration {marker_for(migration.declared_by, Phase.PRE_DEPLOY)}, or move the step "
                    "to such a migration."
                )
            elif ctx.phase is Phase.POST_DEPLOY:
                why = (
                    "a contract step: run before the deploy, as it may be, it breaks the old code still serving "
                    "traffic"
                )
                fix = (
                    f"Declare the migration {marker_for(migration.declared_by, Phase.POST_DEPLOY)} (alone, in a "
                    "release after the code that stops relying on it), or move the step to such a migration."
                )
            else:
                continue
            yield self.at_operation(
                ctx,
                f"The migration is declared safe to run at any time ({migration.declared_by}), but "
                f"{_describe(ctx)} is {why}.",
                fix,
            )
