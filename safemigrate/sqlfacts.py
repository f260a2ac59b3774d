"""Raw SQL split into statements and classified (RunSQL, later generated SQL too).

Splitting is a small scanner that knows SQL's quoting (strings, quoted identifiers,
PostgreSQL dollar quotes) and comments, so it is exact on what Django migrations
hold and much faster than a full parse. Deeper analysis of one statement can use
sqlparse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

DML = {"INSERT", "UPDATE", "DELETE", "MERGE", "COPY"}
DDL = {"CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "COMMENT", "GRANT", "REVOKE", "REINDEX", "CLUSTER", "VACUUM"}

_DOLLAR = re.compile(r"\$[A-Za-z_][A-Za-z_0-9]*\$|\$\$")
_WORD = re.compile(r"[A-Za-z_]+")


@dataclass(frozen=True)
class Statement:
    text: str  # the statement without comments and the trailing semicolon
    kind: str  # the leading keyword, upper-case ("ALTER", "UPDATE", ...), or "" if unknown
    line_offset: int = 0  # lines from the start of the SQL string to the statement's first keyword
    part: int = 0  # which of the RunSQL argument's SQL texts holds it (see sql_texts)

    def short(self, width: int = 60) -> str:
        """The statement on one line, shortened: how findings name it."""
        text = " ".join(self.text.split())
        return text if len(text) <= width else text[: width - 3] + "..."

    @property
    def is_dml(self) -> bool:
        return self.kind in DML

    @property
    def is_ddl(self) -> bool:
        return self.kind in DDL


def sql_texts(sql: Any) -> list[str]:
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


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _escaped(text: str, index: int) -> bool:
    """Whether the character at ``index`` follows an odd number of backslashes."""
    count = 0
    while index - count - 1 >= 0 and text[index - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def _scan(text: str) -> list[tuple[str, int]]:
    """Split one SQL text at top-level semicolons, dropping comments. Returns (statement, start offset)."""
    out: list[tuple[str, int]] = []
    buf: list[str] = []
    start = -1
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "-" and text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if ch == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            buf.append(" ")
            continue
        if ch == ";":
            statement = "".join(buf).strip()
            if statement:
                out.append((statement, start))
            buf, start = [], -1
            i += 1
            continue
        if start < 0 and not ch.isspace():
            start = i
        if ch in ("'", '"'):
            # PostgreSQL's E'...' strings also escape with a backslash: E'O\'Brien; x'.
            backslash = ch == "'" and i > 0 and text[i - 1] in "eE" and (i < 2 or not _is_word(text[i - 2]))
            end = i + 1
            while True:
                end = text.find(ch, end)
                if end < 0:
                    end = n
                    break
                if backslash and _escaped(text, end):
                    end += 1
                    continue
                if text.startswith(ch * 2, end):  # doubled quote: escaped
                    end += 2
                    continue
                end += 1
                break
            buf.append(text[i:end])
            i = end
            continue
        if ch == "$":
            match = _DOLLAR.match(text, i)
            if match:
                tag = match.group(0)
                end = text.find(tag, match.end())
                end = n if end < 0 else end + len(tag)
                buf.append(text[i:end])
                i = end
                continue
        buf.append(ch)
        i += 1
    statement = "".join(buf).strip()
    if statement:
        out.append((statement, start))
    return out


def split_statements(sql: Any) -> list[Statement]:
    statements: list[Statement] = []
    for part, text in enumerate(sql_texts(sql)):
        for statement, start in _scan(text):
            match = _WORD.match(statement)
            kind = match.group(0).upper() if match else ""
            if kind == "WITH":
                upper = statement.upper()
                kind = next((k for k in ("INSERT", "UPDATE", "DELETE") if re.search(rf"\b{k}\b", upper)), "SELECT")
            statements.append(Statement(statement, kind, text.count("\n", 0, max(start, 0)), part))
    return statements
