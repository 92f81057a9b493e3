"""The lexical layer of :mod:`.ddl_parser`: tokens and fast scans.

SQLite's stored DDL is tokenized the way SQLite's own tokenizer does it
(``tokenize.c``).  Besides the full tokenizer this module has the cheap
scans that let the parser skip most of a large schema's text: the
top-level structure of a column list (only quotes, comments, parentheses
and commas matter there) and the offsets of the words that can start a
constraint.  A schema of 1,000 tables is about 100,000 tokens, so tokens
and names are tuples built without ``NamedTuple.__new__``'s overhead.
"""

from __future__ import annotations

import re
from typing import NamedTuple, cast

# SQLite's tokenizer classes (tokenize.c).  Identifier characters include
# every code point >= 0x80 and ``$`` after the first character, written as
# the ASCII characters they exclude: a class spelled with the range
# \x80-\U0010FFFF is slow to compile, on every start-up (figures:
# benchmarks/README.md).  ``->`` and
# ``->>`` are operators from SQLite 3.38.  Leading whitespace is part of each
# match (one match per token instead of one failed attempt per blank), and
# the alternatives are told apart by group number.
_TOKEN_RE = re.compile(
    r"""[ \t\n\f\r]*(?:
    (--[^\n]*|/\*.*?(?:\*/|\Z))
    |([xX]'[^']*'?)
    |('(?:[^']|'')*'?)
    |("(?:[^"]|"")*"?|`(?:[^`]|``)*`?|\[[^\]]*\]?)
    |(0[xX][0-9A-Fa-f]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
    |([^\x00-\x40\x5b-\x5e\x60\x7b-\x7f][^\x00-\x23\x25-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]*)
    |([?:@$#][A-Za-z0-9_]*)
    |(\|\||->>|->|<<|>>|<=|>=|==|!=|<>|[^ \t\n\f\r])
    )""",
    re.VERBOSE | re.DOTALL,
)
#: token kind by the number of the alternative that matched
_KINDS = ("", "comment", "blob", "string", "quoted", "number", "word", "variable", "op")
_COMMENT, _WORD = 1, 6


tuple_new = tuple.__new__  # builds a Token without NamedTuple.__new__'s call overhead


class Token(NamedTuple):
    """One token; a tuple because a schema of 1,000 tables has ~100,000 of them."""

    kind: str  # word, quoted, string, blob, number, variable, op
    start: int
    end: int
    text: str
    #: upper-cased text of a bare word ('' otherwise): keywords are case-blind
    keyword: str


class Name(NamedTuple):
    """An identifier as written (``raw``) and as SQLite reads it (``value``).

    A tuple, like Token, because every column of every table has one.
    """

    value: str
    raw: str
    quote: str  # '' for a bare word, else the opening quote character
    start: int
    end: int


def tokenize(
    sql: str,
    start: int = 0,
    end: int | None = None,
    comments: list[int] | None = None,
    limit: int | None = None,
) -> list[Token]:
    """Tokens of ``sql[start:end]`` (the first ``limit`` of them), without
    whitespace; comment offsets go to ``comments``."""
    tokens: list[Token] = []
    append = tokens.append
    new = tuple_new
    kinds = _KINDS
    for m in _TOKEN_RE.finditer(sql, start, len(sql) if end is None else end):
        i = cast(int, m.lastindex)  # every branch of the pattern is a group
        if i == _WORD:
            text = m.group(i)
            append(new(Token, ("word", m.start(i), m.end(), text, text.upper())))
        elif i == _COMMENT:
            if comments is not None:
                comments.append(m.start(i))
            continue
        else:
            append(new(Token, (kinds[i], m.start(i), m.end(), m.group(i), "")))
        if limit is not None and len(tokens) >= limit:
            break
    return tokens


# Only quotes, comments, parentheses and commas decide where items of the
# column list start and end, so the scan visits only the characters that can
# start one of them (a plain character class, which the regex engine searches
# fast) and matches a quote or comment there.
_STRUCTURE_START_RE = re.compile(r"""[-/'"`\[(),]""")
_QUOTE_OR_COMMENT_RE = re.compile(
    r"""'(?:[^']|'')*'?|"(?:[^"]|"")*"?|`(?:[^`]|``)*`?|\[[^\]]*\]?"""
    r"""|(?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))""",
    re.DOTALL,
)

# An item without one of these bare words is a plain column definition (name,
# type, NULL / NOT NULL, DEFAULT, COLLATE), whose parse nobody needs.  A match
# inside a string or comment only costs a full parse.
# (The leading look-ahead only lets the engine skip to possible first letters.)
_CONSTRAINT_WORDS = ("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "REFERENCES", "FOREIGN",
                     "GENERATED", "AS")  # fmt: skip
_CONSTRAINT_WORD_RE = re.compile(
    r"(?<![\w$])(?:" + "|".join(_CONSTRAINT_WORDS) + r")(?![\w$])", re.IGNORECASE
)
_ASCII_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")


def constraint_words(sql: str, start: int, end: int) -> list[int]:
    """Sorted offsets of the bare words in ``_CONSTRAINT_WORDS`` within ``sql[start:end]``.

    For ASCII text (the usual case) eight ``str.find`` scans of the
    upper-cased text beat the regular expression threefold; other text
    goes to the expression, because upper-casing may change its length.
    """
    if not sql.isascii():
        return [m.start() for m in _CONSTRAINT_WORD_RE.finditer(sql, start, end)]
    upper, word_chars, found = sql.upper(), _ASCII_WORD_CHARS, []
    for word in _CONSTRAINT_WORDS:
        at = upper.find(word, start, end)
        while at >= 0:
            after = at + len(word)
            if (at == 0 or sql[at - 1] not in word_chars) and (
                after >= end or sql[after] not in word_chars
            ):
                found.append(at)
            at = upper.find(word, after, end)
    found.sort()
    return found


# The first token of an item when it is a bare word (whitespace first, and not
# the start of a blob literal x'..', which the tokenizer tries before words).
BARE_LEAD_RE = re.compile(
    r"[ \t\n\f\r]*(?![xX]')([^\x00-\x40\x5b-\x5e\x60\x7b-\x7f][^\x00-\x23\x25-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]*)"
)


def scan_structure(
    sql: str,
) -> tuple[tuple[int, int] | None, list[tuple[int, int]], list[int]]:
    """The first top-level parentheses, the offsets of their comma-separated items,
    and the comment offsets up to the closing parenthesis."""
    comments: list[int] = []
    items: list[tuple[int, int]] = []
    depth, opened, item_start = 0, -1, 0
    skip_to = 0  # end of the last quote or comment
    quote_or_comment = _QUOTE_OR_COMMENT_RE.match
    for m in _STRUCTURE_START_RE.finditer(sql):
        at = m.start()
        if at < skip_to:
            continue
        ch = sql[at]
        if ch == "(":
            depth += 1
            if opened < 0:
                opened, item_start = at, at + 1
        elif ch == ")":
            if opened >= 0:
                depth -= 1
                if depth == 0:
                    items.append((item_start, at))
                    return (opened, at), items, comments
        elif ch == ",":
            if depth == 1:
                items.append((item_start, at))
                item_start = at + 1
        else:  # a lone - or / starts nothing
            q = quote_or_comment(sql, at)
            if q is not None:
                if q.lastgroup == "comment":
                    comments.append(at)
                skip_to = q.end()
    return None, items, comments
