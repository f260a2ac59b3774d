"""What only a process of our own may do: the ``safemigrate`` command, never a host's process.

``cli.entry`` (the console script, ``python -m safemigrate``) takes the process over; ``cli.main``,
which ``manage.py safemigrate`` calls inside the project's own process, leaves it alone.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from typing import NoReturn

from safemigrate.errors import EXIT_USAGE

_owned = False


def take_over() -> None:
    """Turn the cyclic garbage collector off. A static run allocates many long-lived objects (syntax
    trees, Django fields, model states) and almost no cyclic garbage: the collector's passes freed
    next to nothing (a 2,000-migration run: 13 passes, ~5% of its time, the same peak memory without
    them). Reference counting frees the rest, and ``finish`` skips the teardown."""
    global _owned
    _owned = True
    gc.disable()


def collect_cycles() -> None:
    """Turn the collector back on (rarely run), for work that does make cyclic garbage: accurate mode
    renders model classes, which reference each other (with ``--database``, one set per operation)."""
    if _owned and not gc.isenabled():
        gc.set_threshold(100_000, 50, 100)
        gc.enable()


def finish(code: int) -> NoReturn:
    """End the process without the interpreter's teardown, which frees every object one by one: on a
    large project (a million objects) that took longer than replaying it. Everything the run writes is
    already complete (output files are written and closed, the read cache replaced atomically); what's
    left is to flush the standard streams and close any database connection politely."""
    if "django.db" in sys.modules:  # accurate mode may have connected (--database)
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
    try:
        if sys.stdout is not None:  # None when the process was started with stdout closed
            sys.stdout.flush()
    except BrokenPipeError:  # a reader that went away (| head) has what it wanted
        pass
    except (OSError, ValueError) as exc:  # the report was not written whole (a full disk): say so
        with contextlib.suppress(Exception):
            sys.stderr.write(f"safemigrate: error: cannot write the report to standard output: {exc}\n")
        code = EXIT_USAGE
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    os._exit(code)
