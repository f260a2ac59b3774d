"""The database a project deploys to: vendor and version decide many verdicts."""

from __future__ import annotations

from dataclasses import dataclass

VENDORS = ("postgresql", "mysql", "mariadb", "sqlite")
DEFAULT_VERSIONS = {"postgresql": (15,), "mysql": (8, 0, 36), "mariadb": (10, 11), "sqlite": (3, 45)}


def default_version_text(vendor: str) -> str:
    """``"8.0.36"``: the default version of ``vendor``, as the configuration writes it."""
    return ".".join(str(part) for part in DEFAULT_VERSIONS[vendor])


def parse_version(value: object) -> tuple[int, ...]:
    """15 -> (15,); "8.0.12" -> (8, 0, 12). Floats are refused: 10.10 would read as (10, 1)."""
    if isinstance(value, (float, bool)):
        raise ValueError(f"not a version number: {value!r} (quote it)")
    text = str(value).strip()
    if not text or not all(part.isdigit() for part in text.split(".")):
        raise ValueError(f"not a version number: {value!r}")
    return tuple(int(part) for part in text.split("."))


@dataclass(frozen=True)
class Target:
    vendor: str = "postgresql"
    version: tuple[int, ...] = DEFAULT_VERSIONS["postgresql"]

    @property
    def is_postgresql(self) -> bool:
        return self.vendor == "postgresql"

    @property
    def is_mysql_family(self) -> bool:
        """MySQL and MariaDB: non-transactional DDL, online DDL with ALGORITHM/LOCK, no CONCURRENTLY."""
        return self.vendor in ("mysql", "mariadb")

    @property
    def is_sqlite(self) -> bool:
        return self.vendor == "sqlite"

    @property
    def transactional_ddl(self) -> bool:
        return self.vendor in ("postgresql", "sqlite")

    def at_least(self, *version: int) -> bool:
        return self.version >= version

    def describe(self) -> str:
        names = {"postgresql": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB", "sqlite": "SQLite"}
        return f"{names[self.vendor]} {'.'.join(str(p) for p in self.version)}"
