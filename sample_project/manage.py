#!/usr/bin/env python
"""Django's command-line utility for the safemigrate sample project."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> None:
    # Make `python sample_project/manage.py ...` work from any directory.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError(
            "Couldn't import Django. Are you sure it's installed and available on your PYTHONPATH environment variable?"
        ) from exc
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
