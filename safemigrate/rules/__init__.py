"""The rule catalog. Each rule lives in its own module and registers itself.

Importing this package imports every rule module, so ``REGISTRY`` is complete.
"""

from __future__ import annotations

import importlib
import pkgutil

from safemigrate.rules.base import REGISTRY, Rule, get_rule

__all__ = ["REGISTRY", "Rule", "get_rule", "load_all"]


def load_all() -> dict[str, Rule]:
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base" and not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
    return REGISTRY


load_all()
