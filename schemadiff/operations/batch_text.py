"""Column names inside SQL text (CHECK bodies, index expressions, SQLite's
CREATE INDEX): whether a text names a column, and renaming it there.

A rebuilt table keeps such text as the database returned it; a batch that
drops or renames a column must find the column in it, outside string
literals, in any of the quotings the backends accept.
"""

from __future__ import annotations

import re

__all__ = ["mentions", "rename_identifier", "split_on"]

_STRING = re.compile(r"('(?:[^']|'')*')")


def _ident_pattern(name: str) -> re.Pattern[str]:
    n = re.escape(name)
    return re.compile(rf'(?<![\w$])(?:"{n}"|`{n}`|\[{n}\]|{n})(?![\w$])', re.IGNORECASE)


def mentions(sql: str, name: str) -> bool:
    """Whether SQL text names the identifier outside string literals."""
    pattern = _ident_pattern(name)
    return any(pattern.search(part) for part in _STRING.split(sql)[::2])


def rename_identifier(sql: str, old: str, new: str) -> str:
    """Rename an identifier in SQL text, keeping its quoting, never inside literals."""
    pattern = _ident_pattern(old)

    def sub(match: re.Match[str]) -> str:
        found = match.group(0)
        if found[0] in '"`[':
            return found[0] + new + found[-1]
        return new

    parts = _STRING.split(sql)
    for i in range(0, len(parts), 2):
        parts[i] = pattern.sub(sub, parts[i])
    return "".join(parts)


_ON = re.compile(r"\sON\s", re.IGNORECASE)


def split_on(sql: str) -> tuple[str, str]:
    """``CREATE INDEX name`` and ``ON table (...)``: the part naming columns is the second."""
    match = _ON.search(sql)
    return (sql[: match.start()], sql[match.start() :]) if match else (sql, "")
