"""``python manage.py safemigrate check|plan ...``: the CLI, run with the project's settings already loaded.

Every argument after ``safemigrate`` goes to the ``safemigrate`` command line unchanged, so the
options are the CLI's. Under manage.py, ``check`` runs in accurate mode unless ``--static`` is given.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from safemigrate.errors import EXIT_USAGE

SUBCOMMANDS = ("check", "plan")


def run_cli(args: list[str]) -> int:
    """The CLI's exit code for ``safemigrate ARGS``; ``plan`` says plainly when it isn't there yet."""
    from safemigrate.cli import cli, main

    if args and args[0] == "plan" and "plan" not in cli.commands:
        sys.stderr.write("safemigrate: error: `safemigrate plan` is not available yet; use `safemigrate check`\n")
        return EXIT_USAGE
    known = sorted({*SUBCOMMANDS, *cli.commands})
    if args and not args[0].startswith("-") and args[0] not in known:
        sys.stderr.write(f"safemigrate: error: unknown command {args[0]!r}; use one of: {', '.join(known)}\n")
        return EXIT_USAGE
    return main(args, prog_name="manage.py safemigrate")


class Command(BaseCommand):
    help = "Check migrations for zero-downtime deploys (safemigrate check|plan ...; see `safemigrate check --help`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("args", nargs=argparse.REMAINDER, help="safemigrate's own command line.")

    def run_from_argv(self, argv: list[str]) -> None:
        # Django's parser would reject safemigrate's options: hand the command line over as it is.
        from django.db import connections

        try:
            code = run_cli(argv[2:])
        finally:
            connections.close_all()
        sys.exit(code)

    def handle(self, *args: Any, **options: Any) -> None:  # call_command("safemigrate", "check", ...)
        code = run_cli(list(args))
        if code:
            raise CommandError(f"safemigrate exited with status {code}", returncode=code)
