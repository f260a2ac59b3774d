"""Django's ProjectState, minus work that only matters once models are rendered.

The static engine never renders models (``state.apps``). Some of Django's ProjectState
costs time proportional to every model (or every field of every model), per operation:

- ``alter_field`` scans all fields to decide whether to *delay a re-render* that,
  in an unrendered state, never happens;
- ``rename_field`` and ``rename_model`` scan all fields for references to the
  renamed one, and ``rename_field`` then visits every model's relation entries;
- the model -> concrete model mapping is rebuilt over every model whenever a
  relational field changes or a model is added.

``ReplayState`` keeps Django's own reverse-relation index (``_relations``, which
Django maintains incrementally once it exists) and uses it to show those scans only
the models that can hold a reference, and keeps the concrete mapping until models
come or go. The state changes themselves are Django's own code; the differential
tests compare the result with Django's loader, and the hypothesis test compares the
kept indexes with those of Django's own ProjectState."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.migrations import state as django_state
from django.db.models.fields import NOT_PROVIDED


class ReplayState(django_state.ProjectState):
    def __init__(self, models: dict[Any, Any] | None = None, real_apps: Any = None) -> None:
        self._concretes: Any = None
        super().__init__(models, real_apps)
        self.models = _Models(self.models)  # type: ignore[has-type]
        self.resolve_fields_and_relations()  # start Django's incremental reverse-relation index

    # Django recomputes the model -> concrete model mapping over every model each time a
    # relational field changes or a model is added. It only changes when models come or go (proxy
    # and bases are fixed at creation, but for a hand-written AlterModelOptions: see below). A model
    # added at the end of ``models`` (add_model, or by hand: ``state.models[key] = ...``) is mapped
    # the way Django's own pass would reach it, last, seeing the proxies before it; anything else (a
    # removal, a model replaced in place) recomputes it all.
    def _get_concrete_models_mapping_and_proxy_models(self) -> Any:
        models = self.models
        cached = self._concretes
        if cached is not None:
            count, mapping, proxies = cached
            if count == len(models):
                return mapping, proxies
            key = next(reversed(models)) if count + 1 == len(models) else None
            if key is not None and key not in mapping:
                model_state = models[key]
                if model_state.options.get("proxy"):
                    proxies[key] = model_state
                    mapping[key] = self._find_concrete_model_from_proxy(proxies, model_state)
                else:
                    mapping[key] = key
                self._concretes = (count + 1, mapping, proxies)
                return mapping, proxies
        mapping, proxies = super()._get_concrete_models_mapping_and_proxy_models()
        self._concretes = (len(models), mapping, proxies)
        return mapping, proxies

    def add_model(self, model_state: Any) -> None:
        if (model_state.app_label, model_state.name_lower) in self.models:
            self._concretes = None  # replaced in place: its position, and so the mapping, is Django's to compute
        super().add_model(model_state)

    def alter_model_options(
        self, app_label: str, model_name: str, options: dict[str, Any], option_keys: Any = None
    ) -> None:
        super().alter_model_options(app_label, model_name, options, option_keys)
        if "proxy" in options:  # a hand-written AlterModelOptions can make a model a proxy, or stop it being one
            self._concretes = None

    def remove_model(self, app_label: str, model_name: str) -> None:
        super().remove_model(app_label, model_name)
        self._concretes = None

    def alter_field(self, app_label: str, model_name: str, name: str, field: Any, preserve_default: bool) -> None:
        if "apps" in self.__dict__:
            super().alter_field(app_label, model_name, name, field, preserve_default)
            return
        # Django's alter_field without the render-delay scan.
        if not preserve_default:
            field = field.clone()
            field.default = NOT_PROVIDED
        model_key = app_label, model_name
        fields = self.models[model_key].fields
        old_field = fields.pop(name)
        if old_field.is_relation:
            self.resolve_model_field_relations(model_key, name, old_field)
        fields[name] = field
        if field.is_relation:
            self.resolve_model_field_relations(model_key, name, field)

    def rename_field(self, app_label: str, model_name: str, old_name: str, new_name: str) -> None:
        model_key = (app_label, model_name)
        with self._referencing(model_key):
            relations = self._relations  # type: ignore[has-type]
            if relations is not None and "apps" not in self.__dict__:
                # Django then fixes the index with ``for to_model in self._relations.values(): if old in
                # to_model[model_key]``, which visits every model and leaves an empty entry in each: show it
                # only the models that hold the renamed model's relations (the same inner dicts).
                self._relations = {to: rel for to, rel in relations.items() if model_key in rel}
            try:
                super().rename_field(app_label, model_name, old_name, new_name)
            finally:
                self._relations = relations

    def rename_model(self, app_label: str, old_name: str, new_name: str) -> None:
        # Django repoints references in the renamed copy too (a self-referencing FK), so scan it as well.
        self._concretes = None
        with self._referencing((app_label, old_name.lower()), also=(app_label, new_name.lower())):
            super().rename_model(app_label, old_name, new_name)
        self._concretes = None

    @contextmanager
    def _referencing(self, model_key: tuple[str, str], also: tuple[str, str] | None = None) -> Iterator[None]:
        """While Django scans ``models`` for references to ``model_key``, show it only the models
        that hold one (the reverse-relation index knows them); lookups still see every model."""
        models = self.models
        model = models.get(model_key)
        if (
            not isinstance(models, _Models)
            or "apps" in self.__dict__
            or self._relations is None
            or (model is not None and model.options.get("proxy"))
        ):
            # The index files relations to a proxy under its concrete model: let Django scan everything.
            yield
            return
        referencing = [key for key, fields in self._relations.get(model_key, {}).items() if fields and key in models]
        if model_key in models and model_key not in referencing:
            referencing.append(model_key)
        if also is not None and also not in referencing:
            referencing.append(also)  # may only appear during the scan
        models.scanned = referencing
        try:
            yield
        finally:
            models.scanned = None


class _Models(dict):  # type: ignore[type-arg]
    """``ReplayState.models``: every model for lookups and updates; during one of Django's scans for
    references (``scanned`` set), only the models that can hold one for ``items()``."""

    scanned: list[Any] | None = None

    def items(self) -> Any:
        if self.scanned is None:
            return dict.items(self)
        return [(key, dict.__getitem__(self, key)) for key in self.scanned if dict.__contains__(self, key)]
