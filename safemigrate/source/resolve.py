"""Turning dotted names into objects: real ones under ``django.*``, placeholders otherwise."""

from __future__ import annotations

import builtins
import importlib
import sys
from typing import Any

from safemigrate.source.placeholders import Placeholder

# Pure value constructors from the standard library that migrations use for defaults.
SAFE_STDLIB = ("decimal.", "datetime.", "uuid.", "textwrap.dedent")
SAFE_BUILTINS = {
    name: getattr(builtins, name)
    for name in ("set", "frozenset", "tuple", "list", "dict", "str", "int", "float", "bool", "bytes", "range")
}
AUTH_USER_MODEL = "django.conf.settings.AUTH_USER_MODEL"


# ``swapper`` (swappable models of reusable apps, e.g. wagtail's Page) reads project settings.
# In static mode no model is swapped, so these pure stand-ins give the unswapped answers.
def _swapper_get_model_name(app_label: str, model: str) -> str:
    return f"{app_label}.{model}"


def _swapper_dependency(app_label: str, model: str, version: str | None = None) -> tuple[str, str]:
    return (app_label, version or "__first__")


def _swapper_swappable_setting(app_label: str, model: str) -> str:
    return f"{app_label.upper()}_{model.upper()}_MODEL"


def _swapper_is_swapped(app_label: str, model: str) -> bool:
    return False


STATIC_HELPERS: dict[str, Any] = {
    "swapper.get_model_name": _swapper_get_model_name,
    "swapper.dependency": _swapper_dependency,
    "swapper.swappable_setting": _swapper_swappable_setting,
    "swapper.is_swapped": _swapper_is_swapped,
}
PG_OPERATIONS = "django.contrib.postgres.operations"
HEAVY_PACKAGE_VALIDATORS = ("django.contrib.auth.validators.",)


class Resolver:
    """Caches name lookups across every file of a run."""

    def __init__(self, user_model: str = "auth.User") -> None:
        self.user_model = user_model
        self._cache: dict[str, Any] = {
            AUTH_USER_MODEL: user_model,
            "django.utils.module_loading.import_string": self.import_string,
            **STATIC_HELPERS,
        }

    def import_string(self, dotted_path: Any) -> Any:
        """``import_string`` under the resolver's rules: ``import_string(settings.DEFAULT_AUTO_FIELD)``
        is the class a project setting names, unknown here, so a placeholder named after the setting."""
        if isinstance(dotted_path, str):
            return self.resolve(dotted_path)
        return Placeholder(str(getattr(dotted_path, "safemigrate_path", repr(dotted_path))))

    def resolve(self, path: str) -> Any:
        try:
            return self._cache[path]
        except KeyError:
            pass
        value = self._lookup(path)
        if isinstance(value, Placeholder) and path.startswith(PG_OPERATIONS + "."):
            # No PostgreSQL driver here (pre-commit's isolated environment): same names, same state semantics.
            from safemigrate.source import postgres_operations

            value = getattr(postgres_operations, path[len(PG_OPERATIONS) + 1 :], value)
        self._cache[path] = value
        return value

    def _lookup(self, path: str) -> Any:
        allowed = path == "django" or path.startswith("django.") or path.startswith(SAFE_STDLIB)
        if path.startswith("django.conf.settings"):
            # Project settings are unknown in static mode (AUTH_USER_MODEL is configured).
            allowed = False
        if path.startswith("django.contrib.") and ".models" in path:
            # A contrib app's models module can't be imported unless the app is installed (and
            # trying costs a large import); managers like auth's UserManager are inert here anyway.
            allowed = False
        if path.startswith(HEAVY_PACKAGE_VALIDATORS) and path.partition(".validators")[0] not in sys.modules:
            # Importing auth's validators runs django.contrib.auth's __init__, which imports the
            # CSRF middleware, mail and views (a third of Django's import time). Validators never
            # change the schema: a placeholder keeps its name and arguments, like a project's own.
            allowed = False
        if not allowed:
            return Placeholder(path)
        parts = path.split(".")
        import_error: str | None = None  # why a module on the path exists but could not be imported
        # Import the longest importable module prefix, then walk attributes.
        for cut in range(len(parts), 0, -1):
            module_name = ".".join(parts[:cut])
            try:
                obj: Any = importlib.import_module(module_name)
            except ImportError as exc:
                missing = isinstance(exc, ModuleNotFoundError) and exc.name == module_name
                if import_error is None and not missing:
                    import_error = str(exc)  # e.g. django.contrib.postgres without a PostgreSQL driver
                continue
            except Exception as exc:
                return Placeholder(path, f"could not be imported: {type(exc).__name__}: {exc}", path)
            try:
                for attr in parts[cut:]:
                    obj = getattr(obj, attr)
            except Exception:
                if import_error is not None:
                    return Placeholder(path, f"could not be imported: {import_error}", path)
                return Placeholder(path, f"does not exist: {module_name} has no {'.'.join(parts[cut:])}")
            return obj
        return Placeholder(path)
