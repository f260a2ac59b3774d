"""Command-line parsing only: every command is a plain function returning an exit code."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

import click

from safemigrate import __version__
from safemigrate.errors import EXIT_INTERNAL, EXIT_USAGE, FatalError


def _split(values: tuple[str, ...]) -> list[str] | None:
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="safemigrate")
def cli() -> None:
    """Catch Django migrations that are unsafe during a zero-downtime deploy."""


@cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", multiple=True, help="Only these rule IDs or prefixes (comma-separated, repeatable).")
@click.option("--ignore", multiple=True, help="Skip these rule IDs or prefixes (comma-separated, repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), help="Output format.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write the report here.")
@click.option("--warnings-as-errors", is_flag=True, default=None, help="Warnings make the exit code 1 too.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are error findings.")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False), help="pyproject.toml to read.")
@click.option("--color/--no-color", default=None, help="Force colour on or off (default: on a terminal).")
def check_command(
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fmt: str | None,
    output: Path | None,
    warnings_as_errors: bool | None,
    exit_zero: bool,
    config: Path | None,
    color: bool | None,
) -> int:
    """Lint migration files (default: the current directory)."""
    from safemigrate.commands.check import CheckOptions, check

    options = CheckOptions(
        paths=list(paths),
        select=_split(select),
        ignore=_split(ignore),
        format=fmt,
        output=output,
        warnings_as_errors=warnings_as_errors,
        exit_zero=exit_zero,
        config=config,
        color=color,
    )
    return check(options)


@cli.command("rules")
def rules_command() -> int:
    """List the rule catalog."""
    from safemigrate.commands.catalog import list_rules

    return list_rules()


@cli.command("explain")
@click.argument("rule")
def explain_command(rule: str) -> int:
    """Print a rule's documentation page."""
    from safemigrate.commands.catalog import explain

    return explain(rule)


def run(func: Callable[[], int]) -> int:
    """Map errors to exit codes, in one place."""
    try:
        return func()
    except FatalError as exc:
        click.echo(f"safemigrate: error: {exc}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:  # pragma: no cover
        return 130
    except Exception:
        click.echo("safemigrate: internal error (please report it with this traceback):", err=True)
        click.echo(traceback.format_exc(), err=True)
        return EXIT_INTERNAL


def main(argv: Sequence[str] | None = None) -> int:
    def invoke() -> int:
        try:
            result = cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
        except click.exceptions.Abort:  # pragma: no cover
            return EXIT_USAGE
        except click.exceptions.ClickException as exc:
            exc.show()
            return EXIT_USAGE
        return int(result) if isinstance(result, int) else 0

    return run(invoke)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
