"""``[tool.safemigrate]`` in pyproject.toml: finding it, validating it, merging the CLI over it."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from safemigrate.errors import InputError, UsageError
from safemigrate.target import DEFAULT_VERSIONS, VENDORS, Target, default_version_text, parse_version

FORMATS = ("text", "json", "sarif", "github")


@dataclass
class Config:
    select: list[str] = field(default_factory=list)  # rule IDs or prefixes; empty means all
    ignore: list[str] = field(default_factory=list)
    warnings_as_errors: bool = False
    format: str = "text"
    exclude: list[str] = field(default_factory=list)  # paths, relative to the config file
    user_model: str = "auth.User"  # what settings.AUTH_USER_MODEL means in static mode
    app_labels: dict[str, str] = field(default_factory=dict)  # app directory -> label
    database: str = "postgresql"  # postgresql | mysql | mariadb | sqlite
    postgresql_version: int | str = DEFAULT_VERSIONS["postgresql"][0]
    mysql_version: str = default_version_text("mysql")
    mariadb_version: str = default_version_text("mariadb")
    sqlite_version: str = default_version_text("sqlite")
    # "app" or "app.migration" (a name or its number prefix) -> rule IDs/prefixes/ALL suppressed there
    per_migration_ignores: dict[str, list[str]] = field(default_factory=dict)
    ignore_before: dict[str, str] = field(default_factory=dict)  # app -> first migration reported on
    baseline: str = ""  # baseline file, relative to the config file (default .safemigrate-baseline.json)
    path: Path | None = None  # the pyproject.toml it came from
    explicit: set[str] = field(default_factory=set)  # keys the file sets (the rest are defaults)
    root: Path | None = None  # the project root (the config file's directory)

    def version_for(self, vendor: str) -> tuple[int, ...]:
        """The configured version of ``vendor`` (its ``<vendor>_version`` key), else its default."""
        value = getattr(self, f"{vendor}_version", None) if vendor in VENDORS else None
        try:
            return parse_version(value)
        except ValueError:  # validated when the config is read; a Config built in code may hold anything
            return DEFAULT_VERSIONS.get(vendor, DEFAULT_VERSIONS["postgresql"])

    @property
    def target(self) -> Target:
        return Target(self.database, self.version_for(self.database))


CONFIG_KEYS = {f.name for f in fields(Config)} - {"path", "root", "explicit"}


def find_config(start_paths: list[Path]) -> Path | None:
    """The nearest pyproject.toml with a [tool.safemigrate] table, walking up from the paths."""
    seen: set[Path] = set()
    for start in start_paths or [Path.cwd()]:
        current = start.resolve()
        if not current.is_dir():
            current = current.parent
        for directory in [current, *current.parents]:
            if directory in seen:
                break
            seen.add(directory)
            candidate = directory / "pyproject.toml"
            if candidate.is_file() and _has_section(candidate):
                return candidate
    return None


def _has_section(path: Path) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return b"[tool.safemigrate" in data  # bytes: a file that isn't UTF-8 is reported by load_config


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read config: {exc.strerror}", str(path)) from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read config: not UTF-8 text (byte {exc.start})", str(path)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"invalid TOML: {exc}", str(path)) from exc
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise InputError("`tool` must be a table", str(path))
    section = tool.get("safemigrate", {})
    if not isinstance(section, dict):
        raise InputError("[tool.safemigrate] must be a table", str(path))
    config = Config(path=path, root=path.parent)
    for key, value in section.items():
        if key not in CONFIG_KEYS:
            known = ", ".join(sorted(CONFIG_KEYS))
            raise InputError(f"unknown key {key!r} in [tool.safemigrate] (known keys: {known})", str(path))
        setattr(config, key, _check_type(key, value, path))
        config.explicit.add(key)
    return config


_KEY_TYPES: dict[str, type | tuple[type, ...]] = {
    "select": list, "ignore": list, "exclude": list, "warnings_as_errors": bool,
    "format": str, "user_model": str, "app_labels": dict,
    "database": str, "postgresql_version": (int, str), "mysql_version": str,
    "mariadb_version": str, "sqlite_version": str,
    "per_migration_ignores": dict, "ignore_before": dict, "baseline": str,
}


def _check_type(key: str, value: Any, path: Path) -> Any:
    expected = _KEY_TYPES[key]
    if key.endswith("_version") and isinstance(value, float):
        # TOML reads mariadb_version = 10.10 as the number 10.1: a version must be quoted.
        example = default_version_text(key.removesuffix("_version"))
        raise InputError(
            f'[tool.safemigrate] {key} = {value!r} is a number, which loses digits (10.10 reads as 10.1): '
            f'quote the version, e.g. {key} = "{example}"',
            str(path),
        )
    if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
        names = " or ".join(t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,)))
        raise InputError(f"[tool.safemigrate] {key} must be a {names}", str(path))
    if key == "database" and value not in VENDORS:
        raise InputError(f"[tool.safemigrate] database must be one of {', '.join(VENDORS)}", str(path))
    if key.endswith("_version"):
        try:
            parse_version(value)
        except ValueError:
            message = f'[tool.safemigrate] {key} must be a version such as 15 or "8.0.12"'
            raise InputError(message, str(path)) from None
        return value
    if isinstance(value, list) and not all(isinstance(v, str) for v in value):
        raise InputError(f"[tool.safemigrate] {key} must be a list of strings", str(path))
    if key == "format" and value not in FORMATS:
        raise InputError(f"[tool.safemigrate] format must be one of {', '.join(FORMATS)}", str(path))
    if key == "user_model" and str(value).count(".") != 1:
        raise InputError("[tool.safemigrate] user_model must look like 'app_label.ModelName'", str(path))
    if key == "per_migration_ignores" and isinstance(value, dict):
        return _check_per_migration_ignores(value, path)
    if key == "ignore_before" and isinstance(value, dict) and not all(isinstance(v, str) and v for v in value.values()):
        raise InputError(
            '[tool.safemigrate] ignore_before maps app labels to a migration name or prefix, e.g. {"shop" = "0042"}',
            str(path),
        )
    if key == "baseline" and isinstance(value, str) and not value.strip():
        raise InputError("[tool.safemigrate] baseline must be a file name", str(path))
    if isinstance(value, dict) and not all(isinstance(v, str) for v in value.values()):
        raise InputError("[tool.safemigrate] app_labels maps app directories to label strings", str(path))
    return value


def _check_per_migration_ignores(value: dict[str, Any], path: Path) -> dict[str, list[str]]:
    """``{"app" | "app.migration": [rule IDs, prefixes or "ALL"]}``; the IDs are checked with the rules."""
    for key, selectors in value.items():
        app, dot, name = key.partition(".")
        if not app or (dot and not name) or "." in name:
            raise InputError(
                f'[tool.safemigrate] per_migration_ignores: key {key!r} must be an app label or "app.migration"',
                str(path),
            )
        if not isinstance(selectors, list) or not selectors or not all(isinstance(s, str) for s in selectors):
            raise InputError(
                f"[tool.safemigrate] per_migration_ignores[{key!r}] must be a non-empty list of rule IDs",
                str(path),
            )
    return value


def validate_rule_selectors(selectors: list[str], known_ids: list[str], origin: str) -> list[str]:
    """Upper-case the selectors and reject any that match no rule (an ID or an ID prefix)."""
    out = []
    for selector in selectors:
        wanted = selector.strip().upper()
        if wanted == "ALL":
            out.append("")  # the prefix of every rule ID
            continue
        if not wanted:
            raise UsageError(f"{origin}: an empty rule ID (write the ID, a prefix such as ZDM1, or ALL)")
        if not any(rule_id.startswith(wanted) for rule_id in known_ids):
            raise UsageError(f"{origin}: unknown rule ID or prefix {selector!r} (see `safemigrate rules`)")
        out.append(wanted)
    return out


def rule_enabled(rule_id: str, select: list[str], ignore: list[str]) -> bool:
    if select and not any(rule_id.startswith(s) for s in select):
        return False
    return not any(rule_id.startswith(i) for i in ignore)  # "" (ALL) ignores every rule
