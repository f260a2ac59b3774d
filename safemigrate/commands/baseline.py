"""``safemigrate baseline``: write today's findings to a file, so ``check`` reports only new ones."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from safemigrate import baseline
from safemigrate.commands.check import CheckOptions, resolve_config
from safemigrate.config import rule_enabled
from safemigrate.engine import Engine, display_path
from safemigrate.errors import EXIT_CLEAN, UsageError
from safemigrate.files import write_atomic, write_stdout
from safemigrate.lint import lint_project
from safemigrate.reporters._common import plural
from safemigrate.rules import REGISTRY


@dataclass
class BaselineOptions:
    paths: list[Path] = field(default_factory=list)
    output: Path | None = None  # default: `baseline` from the configuration, else .safemigrate-baseline.json
    force: bool = False  # replace an existing baseline
    config: Path | None = None


def write_baseline(options: BaselineOptions) -> int:
    config = resolve_config(CheckOptions(paths=options.paths, config=options.config))
    paths = options.paths or [Path.cwd()]
    target = options.output or baseline.default_path(config, paths)
    shown = display_path(target)
    to_stdout = str(target) in ("-", "/dev/stdout")
    if not to_stdout and target.exists() and not options.force:
        raise UsageError(f"{shown} already exists; pass --force to replace it with today's findings")
    analysis = Engine(config).analyze(paths)
    rules = [rule for rule_id, rule in sorted(REGISTRY.items()) if rule_enabled(rule_id, config.select, config.ignore)]
    findings = lint_project(analysis, rules, config).findings
    write_atomic(target, baseline.render(findings, analysis))
    if to_stdout:
        return EXIT_CLEAN
    migrations = len({(f.app, f.migration) for f in findings})
    write_stdout(
        f"Wrote {plural(len(findings), 'finding')} in {plural(migrations, 'migration')} to {shown}; "
        "`safemigrate check` now reports only new findings.\n"
    )
    return EXIT_CLEAN
