"""Suppressions: findings a team has reviewed and accepted, and where they were accepted.

- Inline: ``# safemigrate: ignore[ZDM102] -- reason`` on an operation's first line, or on its own
  line directly above it (further comment lines may come between; a blank line may not), or at the
  end of the line that closes it (``),  # safemigrate: ...``, where formatters move a trailing comment).
- Whole file: ``# safemigrate: ignore-file[ZDM102] -- reason`` anywhere in the migration file.
- Configuration: ``per_migration_ignores = {"shop" = ["ZDM605"], "shop.0003" = ["ZDM102"]}``.
- django-migration-linter's ``IgnoreMigration()`` operation: the whole migration.

Rule selectors are IDs, ID prefixes or ``ALL``, as in ``select``/``ignore``; an unknown one is a
usage error (exit 2). A comment without a reason still suppresses, and is reported (ZDM608). A
suppression that suppresses nothing is reported (ZDM609), but only for rules that ran.

Comments aren't in the syntax tree, so they are read with ``tokenize``, only from the files
being reported on, and only from those that mention ``safemigrate`` at all.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from safemigrate.config import Config, validate_rule_selectors
from safemigrate.context import MigrationContext
from safemigrate.engine import Analysis
from safemigrate.errors import InputError, UsageError
from safemigrate.findings import Finding, Phase
from safemigrate.locate import Locator
from safemigrate.operations import is_operation
from safemigrate.rules import REGISTRY

WITHOUT_REASON = "ZDM608"
UNUSED = "ZDM609"
_SELF = {WITHOUT_REASON, UNUSED}
_DIRECTIVE = re.compile(r"#\s*safemigrate\s*:\s*(?P<kind>ignore-file|ignore)(?![\w-])(?P<rest>.*)$")
_SELECTORS = re.compile(r"\s*\[(?P<ids>[^\]]*)\](?P<tail>.*)$")
_SYNTAX = "# safemigrate: ignore[ZDM102] -- why it is safe"
_NOT_CODE = {
    tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
    tokenize.ENCODING, tokenize.ENDMARKER,
}


@dataclass
class Suppression:
    """One suppression: a comment, or an entry of ``per_migration_ignores``."""

    kind: str  # "line" | "file" | "config"
    selectors: list[str]  # as written, e.g. ["ZDM102", "ZDM2"]
    prefixes: list[str]  # the same, upper-cased; "" for ALL
    reason: str = ""
    line: int = 0  # where the comment is
    column: int = 0
    attached_to: int | None = None  # "line": the code line it applies to (None: nothing follows it)
    key: str = ""  # "config": the per_migration_ignores key
    used: set[int] = field(default_factory=set)  # indexes of the selectors that suppressed something

    def matching(self, rule_id: str) -> list[int]:
        return [i for i, prefix in enumerate(self.prefixes) if rule_id.startswith(prefix)]


@dataclass
class LintResult:
    findings: list[Finding]
    suppressed: int = 0  # findings hidden by suppressions
    hidden: list[Finding] = field(default_factory=list)  # those findings (accurate mode counts them across vendors)
    # What each suppression suppressed, and which rules judged its migration (accurate mode merges them across
    # the databases' runs before reporting ZDM609).
    uses: list[SuppressionUse] = field(default_factory=list)


@dataclass
class SuppressionUse:
    """A suppression of one migration after one run of the rules."""

    migration: MigrationContext
    suppression: Suppression  # its ``used``: the selectors that suppressed something
    checked: frozenset[str]  # the rules that judged the migration (Rule.vendors: not every rule runs everywhere)

    @property
    def identity(self) -> tuple[object, ...]:
        s = self.suppression
        return (self.migration.key, s.kind, s.line, s.column, s.key)


def read_comment_suppressions(file: str, shown: str) -> list[Suppression]:
    """The ``# safemigrate:`` comments of one migration file."""
    try:
        data = Path(file).read_bytes()
    except OSError:
        return []
    if b"safemigrate" not in data:
        return []
    found: list[Suppression] = []
    pending: list[Suppression] = []  # own-line comments waiting for the code line they sit above
    code_row = 0  # the last row holding code
    opened: list[int] = []  # the rows of the brackets still open
    # Rows whose code starts by closing brackets (`),`), with the row where the outermost of them opened: a
    # trailing comment there belongs to that line (Black and ruff format move a trailing comment there when
    # they split `migrations.RemoveField(...),  # safemigrate: ...` over several lines).
    closes: dict[int, int] = {}
    closing = False  # the code of the current row so far only closes brackets
    try:
        for tok in tokenize.tokenize(io.BytesIO(data).readline):
            if tok.type == tokenize.COMMENT:
                suppression = parse_comment(tok.string, shown, tok.start[0], tok.start[1] + 1)
                if suppression is None:
                    continue
                found.append(suppression)
                if suppression.kind == "line":
                    if tok.start[0] == code_row:  # a trailing comment: its own line, or the line it closes
                        suppression.attached_to = closes.get(code_row, code_row)
                    else:
                        pending.append(suppression)
            elif tok.type == tokenize.NL and not tok.line.strip():
                pending = []  # a blank line ends what a comment above may apply to
            elif tok.type not in _NOT_CODE:
                if tok.start[0] != code_row:
                    closing = True  # the row's first code
                if tok.type == tokenize.OP and tok.string in ")]}":
                    row = opened.pop() if opened else tok.start[0]
                    if closing:
                        closes[tok.start[0]] = row
                else:
                    closing = False
                    if tok.type == tokenize.OP and tok.string in "([{":
                        opened.append(tok.start[0])
                code_row = tok.end[0]
                for suppression in pending:
                    suppression.attached_to = tok.start[0]
                pending = []
    except (tokenize.TokenError, SyntaxError):  # pragma: no cover - the file already parsed with ast
        return found
    return found


def parse_comment(comment: str, shown: str, line: int, column: int) -> Suppression | None:
    match = _DIRECTIVE.search(comment)
    if match is None:
        return None
    kind = "file" if match.group("kind") == "ignore-file" else "line"
    selectors = _SELECTORS.match(match.group("rest"))
    if selectors is None:
        raise InputError(f"a suppression names the rules it ignores: {_SYNTAX}", shown, line)
    written = [s.strip() for s in selectors.group("ids").split(",") if s.strip()]
    if not written:
        raise InputError(f"a suppression names the rules it ignores: {_SYNTAX}", shown, line)
    try:
        prefixes = validate_rule_selectors(written, sorted(REGISTRY), "suppression")
    except UsageError as exc:
        raise InputError(str(exc), shown, line) from None
    tail = selectors.group("tail").strip()
    reason = tail[2:].strip() if tail.startswith("--") else ""
    return Suppression(kind, [s.upper() for s in written], prefixes, reason, line, column)


def config_suppressions(config: Config | None) -> list[Suppression]:
    out: list[Suppression] = []
    if config is None:
        return out
    origin = str(config.path) if config.path else "config"
    for key, selectors in config.per_migration_ignores.items():
        prefixes = validate_rule_selectors(selectors, sorted(REGISTRY), f"{origin}: per_migration_ignores[{key!r}]")
        out.append(Suppression("config", [s.upper() for s in selectors], prefixes, key=key))
    return out


def _config_applies(suppression: Suppression, key: tuple[str, str]) -> bool:
    app, _, name = suppression.key.partition(".")
    if app != key[0]:
        return False
    return not name or key[1] == name or key[1].startswith(name + "_")


def ignored_by_linter(migration: MigrationContext) -> bool:
    """django-migration-linter's ``IgnoreMigration()`` is among the operations (read statically, it is an
    unknown operation named ``...IgnoreMigration``; loaded by Django, the real class)."""
    return any(is_operation(ctx.operation, "IgnoreMigration") for ctx in migration.operations if ctx.parent is None)


def apply_suppressions(
    analysis: Analysis,
    findings: list[Finding],
    enabled: Iterable[str],
    config: Config | None = None,
    ran: Mapping[tuple[str, str], frozenset[str]] | None = None,
) -> LintResult:
    """Remove suppressed findings; add the findings about the suppressions themselves.

    ``ran``: the rules that judged each migration (default: every enabled one); a suppression of a rule that
    didn't judge its migration is not reported unused.
    """
    enabled = set(enabled)
    locator = Locator(analysis)
    from_config = config_suppressions(config)
    comments: dict[tuple[str, str], list[Suppression]] = {}
    ignored: set[tuple[str, str]] = set()
    for key, migration in locator.migrations.items():
        if ignored_by_linter(migration):
            ignored.add(key)
            continue
        parsed = analysis.parsed.get(key)
        if parsed is not None and parsed.file and parsed.mentions_safemigrate:
            found = read_comment_suppressions(parsed.file, migration.path)
            if found:
                comments[key] = found
    if not comments and not from_config and not ignored:
        return LintResult(findings)

    kept: list[Finding] = []
    hidden: list[Finding] = []
    for finding in findings:
        key = (finding.app, finding.migration)
        if key in ignored:
            hidden.append(finding)
            continue
        hit = False
        anchors: set[int] | None = None
        for suppression in comments.get(key, ()):
            if suppression.kind == "line":
                if anchors is None:
                    anchors = locator.anchor_lines(finding)
                if suppression.attached_to not in anchors:
                    continue
            matched = suppression.matching(finding.rule)
            suppression.used.update(matched)
            hit = hit or bool(matched)
        for suppression in from_config:
            if _config_applies(suppression, key):
                matched = suppression.matching(finding.rule)
                suppression.used.update(matched)
                hit = hit or bool(matched)
        if hit:
            hidden.append(finding)
        else:
            kept.append(finding)

    everything = frozenset(enabled - _SELF)
    ran = ran if ran is not None else {}
    uses: list[SuppressionUse] = []
    for key, suppressions in comments.items():
        migration = locator.migrations[key]
        for suppression in suppressions:
            if WITHOUT_REASON in enabled and not suppression.reason:
                kept.append(_without_reason(migration, suppression))
            if UNUSED in enabled:
                uses.append(SuppressionUse(migration, suppression, ran.get(key, everything)))
    if UNUSED in enabled:
        for suppression in from_config:
            if "." not in suppression.key:
                continue  # a whole app: checking a few of its files says nothing about the rest
            for key, migration in locator.migrations.items():
                if key not in ignored and _config_applies(suppression, key):
                    uses.append(SuppressionUse(migration, suppression, ran.get(key, everything)))
    kept.extend(unused_suppressions(uses, config))
    kept.sort(key=Finding.sort_key)
    return LintResult(kept, len(hidden), hidden, uses)


def unused_suppressions(uses: Iterable[SuppressionUse], config: Config | None) -> list[Finding]:
    """ZDM609 for each selector that suppressed nothing although a rule it names judged the migration. The
    uses of one suppression in several runs (accurate mode: one per database) count together: a selector is
    used if any run used it."""
    merged: dict[tuple[object, ...], tuple[SuppressionUse, set[int], set[str]]] = {}
    for use in uses:
        _, used, checked = merged.setdefault(use.identity, (use, set(), set()))
        used.update(use.suppression.used)
        checked.update(use.checked)
    out: list[Finding] = []
    for use, used, checked in merged.values():
        suppression = use.suppression
        unused = [
            suppression.selectors[i]
            for i, prefix in enumerate(suppression.prefixes)
            if i not in used and any(rule_id.startswith(prefix) for rule_id in checked)
        ]
        if not unused:
            continue
        if suppression.kind == "config":
            out.append(_unused_config(use.migration, suppression, unused, config))
        else:
            out.append(_unused_comment(use.migration, suppression, unused))
    return out


def _written(suppression: Suppression) -> str:
    word = "ignore-file" if suppression.kind == "file" else "ignore"
    return f"# safemigrate: {word}[{', '.join(suppression.selectors)}]"


def _without_reason(migration: MigrationContext, suppression: Suppression) -> Finding:
    return REGISTRY[WITHOUT_REASON].at_migration(
        migration,
        f'The suppression "{_written(suppression)}" gives no reason: whoever reads this migration next can\'t '
        "tell why the finding is safe to ignore here.",
        f'Say why after " -- ": "{_written(suppression)} -- the table is empty in every environment".',
        Phase.ANY,
        suppression.line,
        suppression.column,
    )


def _unused_comment(migration: MigrationContext, suppression: Suppression, unused: list[str]) -> Finding:
    names = ", ".join(unused)
    if suppression.kind == "file":
        where = "anywhere in this file"
    elif suppression.attached_to is None:
        where = "where it stands (it is followed by a blank line or by no code, so it applies to no line)"
    else:
        where = f"on line {suppression.attached_to}, the line it applies to"
    return REGISTRY[UNUSED].at_migration(
        migration,
        f'"{_written(suppression)}" suppresses nothing for {names}: no finding of it is {where}.',
        "Remove it (or the rules that no longer apply from it); if the finding moved, put the comment on the "
        "operation's first line or the line directly above it.",
        Phase.ANY,
        suppression.line,
        suppression.column,
    )


def _unused_config(
    migration: MigrationContext, suppression: Suppression, unused: list[str], config: Config | None
) -> Finding:
    origin = config.path.name if config is not None and config.path is not None else "the configuration"
    return REGISTRY[UNUSED].at_migration(
        migration,
        f'per_migration_ignores["{suppression.key}"] in {origin} suppresses {", ".join(unused)} in migration '
        f'"{migration.name}", but it has no such finding.',
        "Remove the entry (or the rules that no longer apply from it) from per_migration_ignores.",
        Phase.ANY,
    )
