"""``safemigrate check``: lint migrations and report findings."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from safemigrate.baseline import find_baseline
from safemigrate.cache import default_directory
from safemigrate.config import FORMATS, Config, find_config, load_config, rule_enabled, validate_rule_selectors
from safemigrate.engine import Engine
from safemigrate.errors import EXIT_CLEAN, EXIT_FINDINGS, UsageError
from safemigrate.files import write_atomic, write_stdout
from safemigrate.findings import Report
from safemigrate.lint import lint_project
from safemigrate.process import collect_cycles
from safemigrate.reporters import render
from safemigrate.rules import REGISTRY
from safemigrate.suppressions import config_suppressions


@dataclass
class CheckOptions:
    paths: list[Path] = field(default_factory=list)
    select: list[str] | None = None
    ignore: list[str] | None = None
    format: str | None = None
    output: Path | None = None
    warnings_as_errors: bool | None = None
    exit_zero: bool = False
    config: Path | None = None
    color: bool | None = None
    since: str | None = None  # git revision: report only migrations added or changed since (vcs.py)
    baseline: Path | None = None  # hide the findings this baseline file lists (commands/baseline.py)
    no_baseline: bool = False  # don't use the baseline file, even the default one
    no_cache: bool = False  # don't use the read cache (safemigrate/cache.py)
    django: bool = False  # accurate mode: load the project with Django (safemigrate/accurate/)
    static: bool = False  # static mode even when DJANGO_SETTINGS_MODULE is set
    settings: str | None = None  # the project's settings module (accurate mode)
    database: str | None = None  # database alias to collect SQL evidence from (accurate mode)


def resolve_config(options: CheckOptions) -> Config:
    paths = options.paths or [Path.cwd()]
    if options.config is not None:
        if not options.config.is_file():
            raise UsageError(f"--config: no such file: {options.config}")
        config = load_config(options.config)
        if config.path is not None:
            config.root = config.path.parent.resolve()
    else:
        config = load_config(find_config(paths))
    known = sorted(REGISTRY)
    origin = str(config.path) if config.path else "config"
    config.select = validate_rule_selectors(config.select, known, f"{origin}: select")
    config.ignore = validate_rule_selectors(config.ignore, known, f"{origin}: ignore")
    if options.select is not None:
        config.select = validate_rule_selectors(options.select, known, "--select")
    if options.ignore is not None:
        config.ignore = config.ignore + validate_rule_selectors(options.ignore, known, "--ignore")
    if options.format is not None:
        if options.format not in FORMATS:
            raise UsageError(f"--format must be one of {', '.join(FORMATS)}")
        config.format = options.format
    if options.warnings_as_errors is not None:
        config.warnings_as_errors = options.warnings_as_errors
    config_suppressions(config)  # unknown rule IDs in per_migration_ignores: exit 2 before any work
    return config


def accurate_mode(options: CheckOptions) -> bool:
    """Whether to load the project with Django (see README: static or accurate mode)."""
    from safemigrate.accurate.setup import wants_django

    explicit = options.django or bool(options.settings) or bool(options.database)
    if options.since is not None and not options.static:
        if explicit:
            raise UsageError("--since works in static mode only; it can't be combined with --django")
        return False  # --since reads history from git: static, even when DJANGO_SETTINGS_MODULE is set
    return wants_django(options.django, options.static, options.settings, options.database)


def check(options: CheckOptions) -> int:
    config = resolve_config(options)
    paths = options.paths or [Path.cwd()]
    rules = [rule for rule_id, rule in sorted(REGISTRY.items()) if rule_enabled(rule_id, config.select, config.ignore)]
    if accurate_mode(options):
        from safemigrate.accurate.run import check_accurately

        collect_cycles()  # rendered model classes reference each other

        accurate = check_accurately(config, options.paths, rules, options.settings, options.database)
        analysis, result = accurate.analysis, accurate.result
    else:
        engine = Engine(config, cache_directory=None if options.no_cache else default_directory())
        if options.since is not None:
            from safemigrate.vcs import analyze_since

            analysis = analyze_since(engine, paths, options.since)
        else:
            analysis = engine.analyze(paths)
        result = lint_project(analysis, rules, config)
    baseline = find_baseline(config, paths, options.baseline, options.no_baseline)
    findings, baselined, notes = result.findings, 0, []
    if baseline is not None:
        applied = baseline.apply(findings, analysis, {rule.id for rule in rules})
        findings, baselined, notes = applied.findings, applied.hidden, applied.notes(baseline)
    report = Report(
        findings=findings,
        migrations_checked=analysis.migrations_reported,
        migrations_loaded=analysis.migrations_loaded,
        notes=[*analysis.notes, *notes],
        warnings_as_errors=config.warnings_as_errors,
        suppressed=result.suppressed,
        baselined=baselined,
    )
    to_terminal = options.output is None and sys.stdout is not None and sys.stdout.isatty()
    color = options.color if options.color is not None else (to_terminal and "NO_COLOR" not in os.environ)
    text = render(config.format, report, color)
    if options.output is not None:
        write_atomic(options.output, text)
    else:
        write_stdout(text if text.endswith("\n") or not text else text + "\n")
    if options.exit_zero:
        return EXIT_CLEAN
    return EXIT_FINDINGS if report.error_count else EXIT_CLEAN
