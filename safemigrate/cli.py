"""Command-line parsing only: every command is a plain function returning an exit code."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

import click

from safemigrate import __version__
from safemigrate.errors import EXIT_INTERNAL, EXIT_USAGE, FatalError
from safemigrate.process import finish, take_over


def _split(values: tuple[str, ...]) -> list[str] | None:
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
@click.version_option(__version__, prog_name="safemigrate")
@click.pass_context
def cli(ctx: click.Context) -> int:
    """Catch Django migrations that are unsafe during a zero-downtime deploy."""
    if ctx.invoked_subcommand is None:  # bare `safemigrate`: the help, as --help shows it (exit 0)
        click.echo(ctx.get_help())
    return 0


@cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", multiple=True, help="Only these rule IDs or prefixes (comma-separated, repeatable).")
@click.option("--ignore", multiple=True, help="Skip these rule IDs or prefixes (comma-separated, repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), help="Output format.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write the report here.")
@click.option(
    "--warnings-as-errors/--no-warnings-as-errors",
    default=None,
    help="Warnings make the exit code 1 too (default: `warnings_as_errors` from the config, else off).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are error findings.")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False), help="pyproject.toml to read.")
@click.option("--color/--no-color", default=None, help="Force colour on or off (default: on a terminal).")
@click.option(
    "--since",
    metavar="REV",
    help="Report only migrations added or changed since this git revision (e.g. origin/main); "
    "flags edited and deleted migrations.",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Hide the findings listed in this baseline file "
    "(default: .safemigrate-baseline.json in the project root, when it exists).",
)
@click.option("--no-baseline", is_flag=True, help="Report every finding, even those the baseline lists.")
@click.option("--no-cache", is_flag=True, help="Read every migration file again instead of using the read cache.")
@click.option("--django", is_flag=True, help="Accurate mode: load the project with Django and its settings.")
@click.option("--static", is_flag=True, help="Never import the project, even with DJANGO_SETTINGS_MODULE set.")
@click.option("--settings", metavar="MODULE", help="The project's settings module (implies --django).")
@click.option(
    "--database",
    metavar="ALIAS",
    help="Show each finding's SQL, collected from this database alias as sqlmigrate does (implies --django).",
)
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
    since: str | None,
    baseline_file: Path | None,
    no_baseline: bool,
    no_cache: bool,
    django: bool,
    static: bool,
    settings: str | None,
    database: str | None,
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
        since=since,
        baseline=baseline_file,
        no_baseline=no_baseline,
        no_cache=no_cache,
        django=django,
        static=static,
        settings=settings,
        database=database,
    )
    return check(options)


@cli.command("baseline")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Baseline file to write (default: `baseline` from the config, else .safemigrate-baseline.json "
    "in the project root).",
)
@click.option("--force", is_flag=True, help="Replace an existing baseline file.")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False), help="pyproject.toml to read.")
def baseline_command(paths: tuple[Path, ...], output: Path | None, force: bool, config: Path | None) -> int:
    """Write today's findings to a baseline file; `check` then reports only new ones."""
    from safemigrate.commands.baseline import BaselineOptions, write_baseline

    return write_baseline(BaselineOptions(paths=list(paths), output=output, force=force, config=config))


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


def main(argv: Sequence[str] | None = None, prog_name: str | None = None) -> int:
    """Run the command line in this process; leaves the process's settings (GC...) alone: the Django
    management command calls it inside the project's own process."""

    def invoke() -> int:
        try:
            result = cli.main(
                args=list(argv) if argv is not None else None, prog_name=prog_name, standalone_mode=False
            )
        except click.exceptions.Abort:  # pragma: no cover
            return EXIT_USAGE
        except click.exceptions.ClickException as exc:
            exc.show()
            return EXIT_USAGE
        return int(result) if isinstance(result, int) else 0

    return run(invoke)


def entry() -> NoReturn:
    """The ``safemigrate`` console script and ``python -m safemigrate``: a process of our own (process.py)."""
    take_over()
    finish(main())


if __name__ == "__main__":  # pragma: no cover
    entry()
