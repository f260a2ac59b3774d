"""Django's ProjectState, minus work that only matters once models are rendered.

The static engine never renders models (``state.apps``), so Django's bookkeeping
about *when* to re-render them is dead weight: ``alter_field`` scans every field
of every model to decide whether to delay a re-render that never happens. At a
few thousand migrations that scan dominates the run. The state changes
themselves stay Django's own; the differential tests compare the result with
Django's loader.
"""

from __future__ import annotations

from typing import Any

from django.db.migrations import state as django_state
from django.db.models.fields import NOT_PROVIDED


class ReplayState(django_state.ProjectState):
    def alter_field(self, app_label: str, model_name: str, name: str, field: Any, preserve_default: bool) -> None:
        if "apps" in self.__dict__ or self._relations is not None:
            # Rendered or relation-tracking states need Django's full path.
            super().alter_field(app_label, model_name, name, field, preserve_default)
            return
        if not preserve_default:
            field = field.clone()
            field.default = NOT_PROVIDED
        self.models[app_label, model_name].fields[name] = field

    def rename_field(self, app_label: str, model_name: str, old_name: str, new_name: str) -> None:
        # Django looks for fields pointing at the renamed one across every model; only models
        # with relational fields can, so hand it a view holding just those.
        if "apps" in self.__dict__ or self._relations is not None:
            super().rename_field(app_label, model_name, old_name, new_name)
            return
        full: dict[Any, Any] = self.__dict__["models"]
        self.models = _RelationalModels(full)  # type: ignore[assignment]
        try:
            super().rename_field(app_label, model_name, old_name, new_name)
        finally:
            self.models = full  # type: ignore[assignment]

    def clone(self) -> ReplayState:
        cloned = super().clone()
        new = ReplayState(models=cloned.models, real_apps=cloned.real_apps)
        new.is_delayed = cloned.is_delayed
        return new


class _RelationalModels(dict):  # type: ignore[type-arg]
    """``models`` as get_references iterates it: every model for lookups, relational ones for scans."""

    def __init__(self, full: dict[Any, Any]) -> None:
        super().__init__(full)
        self._relational = [
            (key, model) for key, model in full.items() if any(f.is_relation for f in model.fields.values())
        ]

    def items(self) -> Any:
        return self._relational
