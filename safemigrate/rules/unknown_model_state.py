from __future__ import annotations

from collections.abc import Iterator

from safemigrate.context import OperationContext, ProjectContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules.base import Rule


class UnknownModelState(Rule):
    id = "ZDM606"
    name = "unknown-model-state"
    severity = Severity.WARNING
    category = Category.HYGIENE
    summary = "An operation's model history couldn't be read, so the rules that need it couldn't judge it"

    def check_project(self, project: ProjectContext) -> Iterator[Finding]:
        # A project hook, not an operation hook: the reason depends on which apps weren't found.
        for migration in project.migrations:
            if not migration.reported:
                continue
            for ctx in migration.operations:
                if not ctx.model_known:
                    yield self._finding(ctx, project.external_apps)

    def _finding(self, ctx: OperationContext, external_apps: set[str]) -> Finding:
        key = ctx.model_key or "?"
        app = key.partition(".")[0]
        if app in external_apps:
            why = f'its app "{app}" was not found in the project or the installed packages'
        elif ctx.before is None and ctx.after is None:
            why = (
                f'no migration safemigrate read creates "{key}" before it (a misspelt model_name, a deleted '
                "migration, or a model created by an operation safemigrate can't interpret)"
            )
        else:
            why = (
                f'it doesn\'t apply to the replayed state of "{key}" '
                "(the field, index or constraint it names isn't there)"
            )
        return self.at_operation(
            ctx,
            f'The state of model "{key}" before this {ctx.kind} is unknown, because {why}: the rules that need '
            "its columns and tables could not judge this operation.",
            "Check that model_name and the names it uses match the models created by earlier migrations, and that "
            "every app it depends on is in the project or installed; then the operation can be checked.",
        )
