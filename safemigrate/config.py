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
from safemigrate.target import DEFAULT_VERSIONS, VENDORS, Target, parse_version

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
    mysql_version: str = "8.0.36"
    mariadb_version: str = "10.11"
    sqlite_version: str = "3.45"
    # "app" or "app.migration" (a name or its number prefix) -> rule IDs/prefixes/ALL suppressed there
    per_migration_ignores: dict[str, list[str]] = field(default_factory=dict)
    ignore_before: dict[str, str] = field(default_factory=dict)  # app -> first migration reported on
    baseline: str = ""  # baseline file, relative to the config file (default .safemigrate-baseline.json)
    path: Path | None = None  # the pyproject.toml it came from
    root: Path | None = None  # the project root (the config file's directory)


    @property
    def target(self) -> Target:
        version = {
            "postgresql": self.postgresql_version,
            "mysql": self.mysql_version,
            "mariadb": self.mariadb_version,
            "sqlite": self.sqlite_version,
        }[self.database]
        return Target(self.database, parse_version(version))


CONFIG_KEYS = {f.name for f in fields(Config)} - {"path", "root"}


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
        text = path.read_text(encoding="utf-8")
    except OSError:
        return False
    return "[tool.safemigrate" in text


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read config: {exc.strerror}", str(path)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"invalid TOML: {exc}", str(path)) from exc
    section = data.get("tool", {}).get("safemigrate", {})
    if not isinstance(section, dict):
        raise InputError("[tool.safemigrate] must be a table", str(path))
    config = Config(path=path, root=path.parent)
    for key, value in section.items():
        if key not in CONFIG_KEYS:
            known = ", ".join(sorted(CONFIG_KEYS))
            raise InputError(f"unknown key {key!r} in [tool.safemigrate] (known keys: {known})", str(path))
        setattr(config, key, _check_type(key, value, path))
    return config


_KEY_TYPES: dict[str, type | tuple[type, ...]] = {
    "select": list, "ignore": list, "exclude": list, "warnings_as_errors": bool,
    "format": str, "user_model": str, "app_labels": dict,
    "database": str, "postgresql_version": (int, str), "mysql_version": (str, float),
    "mariadb_version": (str, float), "sqlite_version": (str, float),
    "per_migration_ignores": dict, "ignore_before": dict, "baseline": str,
}


def _check_type(key: str, value: Any, path: Path) -> Any:
    expected = _KEY_TYPES[key]
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
        return str(value) if isinstance(value, float) else value
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
            out.append("")
            continue
        if not any(rule_id.startswith(wanted) for rule_id in known_ids):
            raise UsageError(f"{origin}: unknown rule ID or prefix {selector!r} (see `safemigrate rules`)")
        out.append(wanted)
    return out


def rule_enabled(rule_id: str, select: list[str], ignore: list[str]) -> bool:
    if select and not any(rule_id.startswith(s) for s in select):
        return False
    return not any(rule_id.startswith(i) for i in ignore if i)
