"""SQLAlchemy parity for the SQLite catalog reader (:mod:`.catalog`).

SQLAlchemy 2.x's SQLite dialect recovers names, options and expressions
from the stored DDL with regular expressions.  The helpers here take an
exact parse (:mod:`.ddl_parser`) and keep only what those
expressions would also have found, so that the two readers agree; each
says which spellings SQLAlchemy reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from schemadiff.backends.sqlite import ddl_parser as ddl
from schemadiff.snapshot.model import CheckSnapshot, UniqueSnapshot

_SA_BARE_NAME = re.compile(r"\w+")
_SA_BARE_COLUMN = re.compile(r"[0-9a-z_]+", re.IGNORECASE)
# a referred-column list SQLAlchemy accepts: bare or double-quoted names
_SA_REFERRED_COLUMNS = re.compile(
    r'\s*(?:"[^"]+"|[0-9a-z_]+)(?:(?:\s*,\s*|\s+)(?:"[^"]+"|[0-9a-z_]+))*\s*', re.IGNORECASE
)
# SQLAlchemy finds inline UNIQUEs by scanning the whole statement, and its
# double-quoted alternative runs lazily from *any* double quote to a later one
# on the same line (so in one-line DDL an earlier quoted name swallows the
# column's); only the same scan reproduces that, so here it is, in our words.
_SA_INLINE_UNIQUE_SCAN = re.compile(
    r'(?:("[^\n]+?")|[\[`]?([0-9a-z_]+)[\]`]?)[\t ]+[0-9a-z_]+(?:[\t ]+[0-9a-z_]+)*?[\t ]+UNIQUE',
    re.IGNORECASE,
)
_SA_LIST_ITEM = re.compile(r'"([^\n]+?)"|([0-9a-z_]+)', re.IGNORECASE)


def _gap(sql: str, start: int, end: int, *, required: bool) -> bool:
    """``sql[start:end]`` is whitespace only (and not empty, if ``required``)."""
    text = sql[start:end]
    return (not text or text.isspace()) and (bool(text) or not required)


def _sa_words(text: str) -> tuple[str, ...]:
    """A column list read as SQLAlchemy reads it: double-quoted names and bare words."""
    return tuple(m.group(1) or m.group(2) for m in _SA_LIST_ITEM.finditer(text))


def sa_name(
    parsed: ddl.TableDef, c: ddl.Constraint, *, any_quote: bool, scan_from: int = 0
) -> str | None:
    """The constraint name SQLAlchemy reports: quotes removed but never unescaped.

    For PRIMARY KEY, UNIQUE and FOREIGN KEY it reads only a double-quoted
    or ``\\w+`` name, with only whitespace around it; its double-quoted
    form matches lazily from the first ``CONSTRAINT "`` of the line not yet
    scanned (``scan_from``), so on one line it can swallow an earlier
    constraint.  For CHECK it reads any quoting.
    """
    name, sql = c.name, parsed.statement.sql
    if name is None:
        return None
    if not (
        _gap(sql, c.constraint_start + len("CONSTRAINT"), name.start, required=True)
        and _gap(sql, name.end, c.keyword.start, required=True)
    ):
        return None
    if name.quote == "":
        return name.raw if any_quote or _SA_BARE_NAME.fullmatch(name.raw) else None
    if len(name.raw) <= 2 or not (any_quote or name.quote == '"'):
        return None
    if any_quote:
        return name.raw[1:-1]
    line_start = max(sql.rfind("\n", 0, name.start) + 1, scan_from)
    for other in parsed.all_constraints():
        first = other.name
        if (
            first is not None
            and first.quote == '"'
            and line_start <= other.constraint_start
            and first.start <= name.start
            and _gap(sql, other.constraint_start + len("CONSTRAINT"), first.start, required=True)
        ):
            return sql[first.start + 1 : name.end - 1]
    return name.raw[1:-1]


def sa_readable_foreign_keys(
    parsed: ddl.TableDef | None,
) -> Iterable[tuple[tuple[tuple[str, ...], str, tuple[str, ...]], str | None, dict[str, Any]]]:
    """``(signature, name, options)`` of each FOREIGN KEY table constraint SQLAlchemy reads.

    It reads table constraints only (never a column's inline REFERENCES),
    needs the referred columns written out, the referred table bare
    (``[0-9a-z_]+``) or double-quoted, and takes options only from ON
    clauses that directly follow, then DEFERRABLE, then INITIALLY.
    """
    if parsed is None:
        return
    sql = parsed.statement.sql
    scanned = 0  # SQLAlchemy's scan resumes after each key it matched
    for c in parsed.constraints:
        ref = c.references
        if c.kind != "foreign_key" or ref is None or c.columns_span is None:
            continue
        if ref.columns_span is None or parsed.statement.has_comment(c.keyword.start, ref.end):
            continue
        table = ref.table
        if table.quote == '"':
            referred = table.raw[1:-1]
        elif table.quote == "" and _SA_BARE_COLUMN.fullmatch(table.raw):
            referred = table.raw
        else:
            continue
        local = sql[c.columns_span[0] + 1 : c.columns_span[1]]
        remote = sql[ref.columns_span[0] + 1 : ref.columns_span[1]]
        if (
            not local.strip()
            or "\n" in local.strip()
            or not _SA_REFERRED_COLUMNS.fullmatch(remote)
            or not _gap(sql, c.columns_span[1] + 1, ref.references_start, required=True)
            or not _gap(sql, ref.references_start + len("REFERENCES"), table.start, required=True)
        ):
            continue
        options: dict[str, Any] = {}
        clauses = list(ref.clauses)
        while clauses and clauses[0][0].startswith("ON "):
            event, action = clauses.pop(0)
            if action != "NO ACTION":
                options["ondelete" if event == "ON DELETE" else "onupdate"] = action
        if clauses and clauses[0][0] == "DEFERRABLE":
            options["deferrable"] = clauses.pop(0)[1] == "DEFERRABLE"
            if clauses and clauses[0][0] == "INITIALLY":
                options["initially"] = clauses[0][1]
        signature = (_sa_words(local), referred, _sa_words(remote))
        yield signature, sa_name(parsed, c, any_quote=False, scan_from=scanned), options
        scanned = ref.end


def sa_uniques(
    parsed: ddl.TableDef | None, autoindexes: set[tuple[str, ...]]
) -> list[UniqueSnapshot]:
    """UNIQUE constraints: those in the DDL that have an automatic index.

    SQLAlchemy parity: table constraints come first, with their names, the
    column list read up to its first ``)`` and on one line; then inline
    UNIQUEs, always unnamed, as its line scan finds them.
    """
    if parsed is None or not autoindexes:
        return []
    sql = parsed.statement.sql
    candidates: list[tuple[str | None, tuple[str, ...]]] = []
    scanned = 0  # SQLAlchemy's scan resumes after each constraint it matched
    for c in parsed.constraints:
        if c.kind == "unique" and c.columns_span is not None:
            open_at = c.columns_span[0]
            close_at = sql.find(")", open_at)
            inner = sql[open_at + 1 : close_at]
            if inner and "\n" not in inner and _gap(sql, c.keyword.end, open_at, required=False):
                name = sa_name(parsed, c, any_quote=False, scan_from=scanned)
                candidates.append((name, _sa_words(inner)))
                scanned = close_at + 1
    # The scan cannot cross a line, so only lines holding a column's UNIQUE matter.
    lines = {
        sql.rfind("\n", 0, c.keyword.start) + 1
        for col in parsed.columns
        for c in col.constraints
        if c.kind == "unique"
    }
    for line_start in sorted(lines):
        line_end = sql.find("\n", line_start)
        line_end = len(sql) if line_end < 0 else line_end
        for match in _SA_INLINE_UNIQUE_SCAN.finditer(sql, line_start, line_end):
            candidates.append((None, _sa_words(match.group(1) or match.group(2))))
    found: list[UniqueSnapshot] = []
    for uq_name, columns in candidates:
        if columns in autoindexes:
            autoindexes.discard(columns)
            found.append(UniqueSnapshot(uq_name, columns))
    return found


def sa_checks(parsed: ddl.TableDef | None) -> list[CheckSnapshot]:
    """Every CHECK, column or table level, with its body as written (stripped).

    SQLAlchemy parity: only whitespace may stand between CHECK and ``(``;
    the name may use any quoting.
    """
    if parsed is None:
        return []
    sql = parsed.statement.sql
    found: list[CheckSnapshot] = []
    for c in parsed.all_constraints():
        if c.kind == "check" and c.body_span is not None:
            if _gap(sql, c.keyword.end, c.body_span[0], required=False):
                body = sql[c.body_span[0] + 1 : c.body_span[1]].strip()
                found.append(CheckSnapshot(sa_name(parsed, c, any_quote=True), body))
    return found


def sa_generation_expression(parsed: ddl.TableDef | None, column: str) -> str:
    """The expression of a generated column (SQLite >= 3.31), as written.

    SQLAlchemy parity: it finds the expression only when spelled ``GENERATED
    ALWAYS AS (`` with whitespace between the words and the column's name
    (anywhere) after the last comma before GENERATED, and it takes the text
    up to the last ``)`` on that line of the column list; otherwise it
    reports an empty string.
    """
    col = parsed.column(column) if parsed is not None else None
    gen = next((c for c in col.constraints if c.kind == "generated"), None) if col else None
    if parsed is None or col is None or gen is None or gen.body_span is None:
        return ""
    sql, opened = parsed.statement.sql, gen.body_span[0]
    if gen.as_keyword is None or len(gen.generated_keywords) != 2:
        return ""
    generated, always = gen.generated_keywords
    body_start, body_end = parsed.body_span or (0, len(sql))
    since_comma = max(sql.rfind(",", 0, generated.start), body_start) + 1
    if (
        column not in sql[since_comma : generated.start - 1]
        or not sql[generated.start - 1].isspace()
        or not _gap(sql, generated.end, always.start, required=True)
        or not _gap(sql, always.end, gen.as_keyword.start, required=True)
        or not _gap(sql, gen.as_keyword.end, opened, required=True)
    ):
        return ""
    line_end = sql.find("\n", opened)
    line = sql[opened + 1 : body_end if line_end < 0 else min(line_end, body_end)]
    close = line.rfind(")")
    return line[:close] if close >= 0 else ""


def sa_partial_predicate(sql: str | None) -> str | None:
    """A partial index's WHERE text (SQLite >= 3.8.0).

    SQLAlchemy parity: it needs whitespace on both sides of WHERE and keeps
    the predicate's first line only; the text goes through ``text()`` as
    SQLAlchemy's does.
    """
    if not sql:
        return None
    index = ddl.parse_create_index(sql)
    where, span = index.where_keyword, index.columns_span
    if where is None or span is None or not _gap(sql, span[1] + 1, where.start, required=True):
        return None
    rest = sql[where.end :]
    predicate = rest.lstrip().split("\n", 1)[0]
    if not rest[:1].isspace() or not predicate:
        return None
    return str(sa.text(predicate))
