"""Recognising Django operations by class name.

``django.contrib.postgres.operations`` needs a PostgreSQL driver at import time, so safemigrate
never imports it to test ``isinstance``: it recognises those operations (and third-party ones) by
class name, through the class hierarchy (a project's subclass counts), or by the dotted name of an
operation the engine could not import (``safemigrate_path``).
"""

from __future__ import annotations

_NAMES: dict[type, frozenset[str]] = {}


def class_names(cls: type) -> frozenset[str]:
    """The names of a class and all its bases (remembered: asked for every operation of a run)."""
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = frozenset(c.__name__ for c in cls.__mro__)
    return names


def is_operation(operation: object, *names: str) -> bool:
    """Whether ``operation`` is (a subclass of) one of the operation classes named ``names``."""
    if not class_names(type(operation)).isdisjoint(names):
        return True
    path = getattr(operation, "safemigrate_path", None)
    return isinstance(path, str) and path.rpartition(".")[2] in names
