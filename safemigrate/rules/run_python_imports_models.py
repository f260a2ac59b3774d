from __future__ import annotations

from collections.abc import Iterator

from django.db.migrations import operations as ops

from safemigrate.context import FunctionFacts, OperationContext
from safemigrate.findings import Category, Finding, Severity
from safemigrate.rules.base import Rule


class RunPythonImportsModels(Rule):
    id = "ZDM601"
    name = "run-python-imports-models"
    severity = Severity.ERROR
    category = Category.HYGIENE
    summary = "RunPython code uses the project's real models instead of the historical ones"
    operation_types = (ops.RunPython,)

    def check_operation(self, ctx: OperationContext) -> Iterator[Finding]:
        if not isinstance(ctx.operation, ops.RunPython) or ctx.state_only:
            return
        seen: set[str] = set()
        for facts in (ctx.function, ctx.reverse_function):
            if facts is None or not facts.imported_models or facts.name in seen:
                continue
            seen.add(facts.name)
            yield self._finding(ctx, facts)

    def _finding(self, ctx: OperationContext, facts: FunctionFacts) -> Finding:
        modules = ", ".join(f'"{m}"' for m in facts.imported_models)
        where = f" (line {facts.line})" if facts.line else ""
        examples = [_get_model(m, ctx.app_label) for m in facts.imported_models]
        call = next((e for e in examples if e), 'apps.get_model("app_label", "ModelName")')
        return self.at_operation(
            ctx,
            f'RunPython function "{facts.name}"{where} uses {modules}: the real model reflects the latest code, '
            "not the schema at this migration, so the function breaks once the model changes.",
            f"Use the historical model instead: {call}, with the `apps` argument the function receives, "
            "and drop the import.",
        )


def _get_model(module: str, app_label: str) -> str | None:
    """'shop.models.Product' -> Product = apps.get_model("shop", "Product"); the model's name when known."""
    parts = module.split(".")
    if "models" not in parts:
        return None
    index = parts.index("models")
    app = parts[index - 1] if index > 0 and parts[index - 1] else app_label  # ".models" is the app itself
    if parts[-1] == "models":
        return f'Model = apps.get_model("{app}", "ModelName")'
    return f'{parts[-1]} = apps.get_model("{app}", "{parts[-1]}")'
