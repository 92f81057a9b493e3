"""A small tokenizer-based parser for the CREATE TABLE / CREATE INDEX text
SQLite keeps in ``sqlite_master``.

SQLite's PRAGMAs report columns, keys and indexes but not constraint names,
CHECK bodies, generation expressions or partial-index predicates; those
exist only in the stored DDL, verbatim as the user (or SQLAlchemy) typed it.
Regular expressions over that text break on quoted names, nested
parentheses and comments, so this module tokenizes the text the way
SQLite's own tokenizer does (``tokenize.c``) and walks the grammar of
``CREATE TABLE`` and ``CREATE INDEX`` (the tokens and scans are in
:mod:`.ddl_lexer`).  Every parsed item keeps its source
offsets, so callers can take exact slices of the original text (SQLite
returns expressions as written, and so must we).

The parser is lenient: it never raises on odd input, it just reports less.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from schemadiff.backends.sqlite.ddl_lexer import (
    BARE_LEAD_RE,
    Name,
    Token,
    constraint_words,
    scan_structure,
    tokenize,
    tuple_new,
)

__all__ = [
    "ColumnDef",
    "Constraint",
    "ForeignKeyClause",
    "IndexDef",
    "Name",
    "Statement",
    "TableDef",
    "Token",
    "parse_create_index",
    "column_collation",
    "parse_create_table",
    "table_options",
    "tokenize",
]


@dataclass(slots=True)
class Statement:
    """The text of one statement and where its comments start (for gap checks)."""

    sql: str
    comment_starts: list[int]

    def has_comment(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.comment_starts, start)
        return i < len(self.comment_starts) and self.comment_starts[i] < end


@dataclass(slots=True)
class ForeignKeyClause:
    table: Name
    columns: list[Name]
    #: offsets of the referred-column list's parentheses, if written
    columns_span: tuple[int, int] | None
    #: ("ON DELETE", "SET NULL"), ("MATCH", "FULL"), ("DEFERRABLE", "NOT DEFERRABLE"),
    #: ("INITIALLY", "DEFERRED") in the order written
    clauses: list[tuple[str, str]]
    references_start: int
    end: int


@dataclass(slots=True)
class Constraint:
    #: primary_key, unique, check, foreign_key, not_null, null, default,
    #: collate, generated
    kind: str
    name: Name | None
    constraint_start: int  # offset of CONSTRAINT, or of the keyword when unnamed
    keyword: Token
    #: table constraints: offsets of the column list's parentheses
    columns_span: tuple[int, int] | None = None
    columns: list[Name] = field(default_factory=list)
    #: check / generated / parenthesized default: offsets of the parentheses
    body_span: tuple[int, int] | None = None
    references: ForeignKeyClause | None = None
    #: generated: the keywords written before AS (``GENERATED ALWAYS``), if any
    generated_keywords: list[Token] = field(default_factory=list)
    as_keyword: Token | None = None
    end: int = 0
    #: primary_key: ``AUTOINCREMENT`` follows
    autoincrement: bool = False


@dataclass(slots=True)
class ColumnDef:
    name: Name
    #: empty when the definition names no constraint keyword (see parse_create_table)
    constraints: list[Constraint]
    start: int
    end: int


@dataclass(slots=True)
class TableDef:
    statement: Statement
    name: Name | None
    columns: list[ColumnDef]
    constraints: list[Constraint]
    #: offsets of the parentheses around the column and constraint list
    body_span: tuple[int, int] | None
    virtual: bool = False
    _in_order: list[Constraint] | None = field(default=None, repr=False, compare=False)

    def all_constraints(self) -> list[Constraint]:
        """Column and table constraints together, in the order written."""
        if self._in_order is None:
            found = [c for col in self.columns for c in col.constraints] + self.constraints
            self._in_order = sorted(found, key=lambda c: c.constraint_start)
        return self._in_order

    def column(self, name: str) -> ColumnDef | None:
        for col in self.columns:
            if col.name.value == name:
                return col
        return None


@dataclass(slots=True)
class IndexDef:
    statement: Statement
    name: Name | None
    unique: bool
    #: offsets of the parentheses around the indexed columns
    columns_span: tuple[int, int] | None
    where_keyword: Token | None


def _name(tok: Token) -> Name:
    """Dequote an identifier the way SQLite does (doubled quotes escape)."""
    text = tok.text
    if tok.kind in ("quoted", "string") and len(text) >= 2:
        q = text[0]
        close = "]" if q == "[" else q
        inner = text[1:-1] if text.endswith(close) else text[1:]
        value = inner if q == "[" else inner.replace(close * 2, close)
        return tuple_new(Name, (value, text, q, tok.start, tok.end))
    return tuple_new(Name, (text, text, "", tok.start, tok.end))


def _is_name(tok: Token) -> bool:
    return tok.kind in ("word", "quoted", "string")


class _Cursor:
    """A position in a token list with the few look-ahead helpers the grammar needs."""

    def __init__(self, tokens: list[Token], pos: int = 0, stop: int | None = None) -> None:
        self.tokens = tokens
        self.pos = pos
        self.stop = len(tokens) if stop is None else stop

    def peek(self, ahead: int = 0) -> Token | None:
        i = self.pos + ahead
        return self.tokens[i] if i < self.stop else None

    def kw(self, ahead: int = 0) -> str:
        i = self.pos + ahead
        return self.tokens[i].keyword if i < self.stop else ""

    def text(self, ahead: int = 0) -> str:
        i = self.pos + ahead
        return self.tokens[i].text if i < self.stop else ""

    def take(self) -> Token | None:
        tok = self.peek()
        if tok is not None:
            self.pos += 1
        return tok

    def accept(self, *keywords: str) -> bool:
        """Consume the keywords if they come next, in order."""
        pos, n = self.pos, len(keywords)
        if pos + n > self.stop:
            return False
        for i in range(n):
            if self.tokens[pos + i].keyword != keywords[i]:
                return False
        self.pos = pos + n
        return True

    def group(self) -> tuple[int, int] | None:
        """If a ``(`` comes next, consume through its matching ``)``."""
        tok = self.peek()
        if tok is None or tok.text != "(":
            return None
        depth = 0
        for i in range(self.pos, self.stop):
            text = self.tokens[i].text
            if text == "(":
                depth += 1
            elif text == ")":
                depth -= 1
                if depth == 0:
                    self.pos = i + 1
                    return (tok.start, self.tokens[i].end - 1)
        self.pos = self.stop  # unbalanced: swallow the rest
        return (tok.start, self.tokens[self.stop - 1].end) if self.stop else None


def _column_list(cur: _Cursor) -> tuple[tuple[int, int] | None, list[Name]]:
    """``( name [COLLATE x] [ASC|DESC], ... )``: the span and each item's leading name."""
    open_index = cur.pos
    span = cur.group()
    if span is None:
        return None, []
    names: list[Name] = []
    depth, item_first = 0, True
    for tok in cur.tokens[open_index + 1 : cur.pos - 1]:
        if item_first and depth == 0 and _is_name(tok):
            names.append(_name(tok))
        item_first = False
        if tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
        elif tok.text == "," and depth == 0:
            item_first = True
    return span, names


_ACTIONS = (("SET", "NULL"), ("SET", "DEFAULT"), ("CASCADE",), ("RESTRICT",), ("NO", "ACTION"))


def _references(cur: _Cursor, keyword: Token) -> ForeignKeyClause | None:
    """The foreign-key clause starting at REFERENCES (SQLite ``foreign-key-clause``)."""
    cur.take()
    tok = cur.take()
    if tok is None or not _is_name(tok):
        return None
    table = _name(tok)
    span, columns = _column_list(cur)
    clauses: list[tuple[str, str]] = []
    while True:
        if cur.kw() == "ON" and cur.kw(1) in ("DELETE", "UPDATE"):
            event = f"ON {cur.kw(1)}"
            cur.pos += 2
            for action in _ACTIONS:
                if cur.accept(*action):
                    clauses.append((event, " ".join(action)))
                    break
            else:
                break
        elif cur.kw() == "MATCH" and cur.peek(1) is not None:
            clauses.append(("MATCH", cur.tokens[cur.pos + 1].text))
            cur.pos += 2
        elif cur.accept("NOT", "DEFERRABLE"):
            clauses.append(("DEFERRABLE", "NOT DEFERRABLE"))
        elif cur.accept("DEFERRABLE"):
            clauses.append(("DEFERRABLE", "DEFERRABLE"))
        elif cur.kw() == "INITIALLY" and cur.kw(1) in ("DEFERRED", "IMMEDIATE"):
            clauses.append(("INITIALLY", cur.kw(1)))
            cur.pos += 2
        else:
            break
    end = cur.tokens[cur.pos - 1].end
    return ForeignKeyClause(table, columns, span, clauses, keyword.start, end)


def _conflict_clause(cur: _Cursor) -> None:
    if cur.accept("ON", "CONFLICT"):
        cur.take()


_COLUMN_CONSTRAINT_STARTS = frozenset(
    {"CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT", "COLLATE",
     "REFERENCES", "GENERATED", "AS"}
)  # fmt: skip


def _constraint(cur: _Cursor, name: Name | None, start: int) -> Constraint | None:
    """One column or table constraint starting at the cursor (after any CONSTRAINT name)."""
    keyword = cur.peek()
    if keyword is None:
        return None
    kw = keyword.keyword
    c = Constraint(kind="", name=name, constraint_start=start, keyword=keyword)
    # the first keyword picks the branch; accept() then checks the rest
    if kw == "PRIMARY" and cur.accept("PRIMARY", "KEY"):
        c.kind = "primary_key"
        c.columns_span, c.columns = _column_list(cur)
        cur.accept("ASC") or cur.accept("DESC")
        _conflict_clause(cur)
        c.autoincrement = cur.accept("AUTOINCREMENT")
    elif kw == "UNIQUE" and cur.accept("UNIQUE"):
        c.kind = "unique"
        c.columns_span, c.columns = _column_list(cur)
        _conflict_clause(cur)
    elif kw in ("NOT", "NULL") and (cur.accept("NOT", "NULL") or cur.accept("NULL")):
        c.kind = "not_null" if kw == "NOT" else "null"
        _conflict_clause(cur)
    elif kw == "CHECK" and cur.accept("CHECK"):
        c.kind = "check"
        c.body_span = cur.group()
    elif kw == "DEFAULT" and cur.accept("DEFAULT"):
        c.kind = "default"
        c.body_span = cur.group()
        if c.body_span is None:
            if cur.text() in ("+", "-"):
                cur.take()
            cur.take()
    elif kw == "COLLATE" and cur.accept("COLLATE"):
        c.kind = "collate"
        cur.take()
    elif kw == "FOREIGN" and cur.accept("FOREIGN", "KEY"):
        c.kind = "foreign_key"
        c.columns_span, c.columns = _column_list(cur)
        if cur.kw() == "REFERENCES":
            c.references = _references(cur, cur.tokens[cur.pos])
    elif kw == "REFERENCES":
        c.kind = "foreign_key"
        c.references = _references(cur, keyword)
    elif kw in ("GENERATED", "AS"):  # generated columns: SQLite >= 3.31
        c.kind = "generated"
        if cur.kw() == "GENERATED" and cur.kw(1) == "ALWAYS":
            c.generated_keywords = [cur.tokens[cur.pos], cur.tokens[cur.pos + 1]]
            cur.pos += 2
        if cur.kw() != "AS":
            return None
        c.as_keyword = cur.take()
        c.body_span = cur.group()
        cur.accept("STORED") or cur.accept("VIRTUAL")
    else:
        return None
    c.end = cur.tokens[cur.pos - 1].end
    return c


def _constraints(cur: _Cursor) -> list[Constraint]:
    """A run of constraints; SQLite allows them without separating commas."""
    found: list[Constraint] = []
    while cur.peek() is not None:
        start = cur.tokens[cur.pos].start
        name = None
        if cur.kw() == "CONSTRAINT":
            cur.take()
            tok = cur.take()
            name = _name(tok) if tok is not None and _is_name(tok) else None
        before = cur.pos
        c = _constraint(cur, name, start)
        if c is None:
            cur.pos = max(before + 1, cur.pos)  # skip what we do not understand
            continue
        found.append(c)
    return found


def parse_create_table(sql: str) -> TableDef:
    """Parse ``CREATE [TEMP] [VIRTUAL] TABLE [IF NOT EXISTS] [schema.]name (...) ...``.

    Table options after the list (``WITHOUT ROWID``, SQLite 3.8.2; ``STRICT``,
    SQLite 3.37) are read by :func:`table_options`, on demand: a comparison
    does not need them, a table rebuild does.

    Items of the column list that name no constraint keyword are read for
    their column name only: a schema's DDL is mostly such plain columns, and
    skipping their token-by-token parse halves the time for large schemas.
    """
    body, items, comments = scan_structure(sql)
    cur = _Cursor(tokenize(sql, 0, body[0] if body else None))
    cur.accept("CREATE")
    cur.accept("TEMP") or cur.accept("TEMPORARY")
    virtual = cur.accept("VIRTUAL")
    cur.accept("TABLE")
    cur.accept("IF", "NOT", "EXISTS")
    tok = cur.take()
    if cur.text() == ".":
        cur.take()
        tok = cur.take()
    name = _name(tok) if tok is not None and _is_name(tok) else None
    table = TableDef(Statement(sql, comments), name, [], [], None, virtual)
    if virtual or body is None or cur.peek() is not None:
        return table
    table.body_span = body
    keywords = constraint_words(sql, body[0], body[1])
    for start, end in items:
        i = bisect.bisect_left(keywords, start)
        if i == len(keywords) or keywords[i] >= end:
            bare = BARE_LEAD_RE.match(sql, start, end)
            if bare is not None:  # what tokenize would return, without its overhead
                word, (lead_at, lead_end) = bare.group(1), bare.span(1)
                name = tuple_new(Name, (word, word, "", lead_at, lead_end))
                table.columns.append(ColumnDef(name, [], lead_at, end))
                continue
            for lead in tokenize(sql, start, end, limit=1):
                if _is_name(lead):
                    table.columns.append(ColumnDef(_name(lead), [], lead.start, end))
            continue
        item = _Cursor(tokenize(sql, start, end))
        if item.kw() in ("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"):
            table.constraints.extend(_constraints(item))
            continue
        first = item.take()
        if first is None or not _is_name(first):
            continue
        while item.peek() is not None and item.kw() not in _COLUMN_CONSTRAINT_STARTS:
            if item.group() is None:  # the type name, with its arguments
                item.take()
        table.columns.append(ColumnDef(_name(first), _constraints(item), first.start, end))
    return table


def table_options(table: TableDef) -> frozenset[str]:
    """The options written after the column list: ``WITHOUT ROWID``, ``STRICT``."""
    if table.body_span is None:
        return frozenset()
    sql = table.statement.sql
    words = [t.keyword for t in tokenize(sql, table.body_span[1] + 1, len(sql)) if t.keyword]
    found = {"STRICT"} if "STRICT" in words else set()
    for i, word in enumerate(words[:-1]):
        if word == "WITHOUT" and words[i + 1] == "ROWID":
            found.add("WITHOUT ROWID")
    return frozenset(found)


def column_collation(column: ColumnDef, sql: str) -> str | None:
    """The ``COLLATE`` name of a column definition, also where the parse skipped it."""
    tokens = tokenize(sql, column.start, column.end)
    for i, tok in enumerate(tokens[:-1]):
        if tok.keyword == "COLLATE" and _is_name(tokens[i + 1]):
            return _name(tokens[i + 1]).value
    return None


def parse_create_index(sql: str) -> IndexDef:
    """Parse ``CREATE [UNIQUE] INDEX [IF NOT EXISTS] [schema.]name ON t (...) [WHERE ...]``."""
    comments: list[int] = []
    cur = _Cursor(tokenize(sql, comments=comments))
    cur.accept("CREATE")
    unique = cur.accept("UNIQUE")
    cur.accept("INDEX")
    cur.accept("IF", "NOT", "EXISTS")
    tok = cur.take()
    if cur.text() == ".":
        cur.take()
        tok = cur.take()
    name = _name(tok) if tok is not None and _is_name(tok) else None
    if cur.accept("ON"):
        cur.take()
    span = cur.group()
    where = cur.take() if cur.kw() == "WHERE" else None
    return IndexDef(Statement(sql, comments), name, unique, span, where)
