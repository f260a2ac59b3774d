"""Raw SQL split into statements and classified (RunSQL, later generated SQL too)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlparse

DML = {"INSERT", "UPDATE", "DELETE", "MERGE", "COPY"}
DDL = {"CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "COMMENT", "GRANT", "REVOKE"}


@dataclass(frozen=True)
class Statement:
    text: str
    kind: str  # the leading keyword, upper-case ("ALTER", "UPDATE", ...), or "" if unknown
    line_offset: int = 0  # lines from the start of the SQL string

    @property
    def is_dml(self) -> bool:
        return self.kind in DML

    @property
    def is_ddl(self) -> bool:
        return self.kind in DDL


def _texts(sql: Any) -> list[str]:
    """Every SQL text a RunSQL argument holds: a string, a list, or (sql, params) tuples."""
    if sql is None:
        return []
    if isinstance(sql, str):
        return [sql]
    if isinstance(sql, (list, tuple)):
        out: list[str] = []
        for item in sql:
            if isinstance(item, (list, tuple)) and item and isinstance(item[0], str):
                out.append(item[0])
            elif isinstance(item, str):
                out.append(item)
        return out
    return []


def split_statements(sql: Any) -> list[Statement]:
    statements: list[Statement] = []
    for text in _texts(sql):
        offset = 0
        for raw in sqlparse.split(text):
            stripped = sqlparse.format(raw, strip_comments=True).strip()
            start = text.find(raw, offset)
            line_offset = text.count("\n", 0, start) if start >= 0 else 0
            if start >= 0:
                offset = start + len(raw)
            if not stripped:
                continue
            first = stripped.split(None, 1)[0].upper().rstrip(";")
            if first == "WITH":
                upper = stripped.upper()
                first = next((k for k in ("INSERT", "UPDATE", "DELETE") if k in upper), "SELECT")
            statements.append(Statement(stripped, first, line_offset))
    return statements
