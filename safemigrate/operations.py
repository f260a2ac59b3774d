"""Recognising Django operations by class name.

``django.contrib.postgres.operations`` needs a PostgreSQL driver at import time, so safemigrate
never imports it to test ``isinstance``: it recognises those operations (and third-party ones) by
class name, through the class hierarchy (a project's subclass counts), or by the dotted name of an
operation the engine could not import (``safemigrate_path``).
"""

from __future__ import annotations


def is_operation(operation: object, *names: str) -> bool:
    """Whether ``operation`` is (a subclass of) one of the operation classes named ``names``."""
    if any(cls.__name__ in names for cls in type(operation).__mro__):
        return True
    path = getattr(operation, "safemigrate_path", None)
    return isinstance(path, str) and path.rpartition(".")[2] in names
