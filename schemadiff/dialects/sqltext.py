"""One escaping path for SQL text that reaches a driver or a script.

SQL text exists in two forms, and mixing them is what corrupts a ``%``:

* **plain SQL**, what a DBA's client (psql, mariadb, sqlite3) reads and what
  offline ``--sql`` writes: ``COMMENT ON TABLE t IS '50% off'``;
* **driver text**, what a DB-API driver with ``format``/``pyformat``
  parameters (psycopg, pymysql) expects when it is handed parameters: every
  literal ``%`` doubled, because the driver reads ``%`` as a placeholder.

SQLAlchemy compiles for the driver: with such a dialect every ``%`` in a
literal, identifier or ``text()`` comes out doubled.  Right when SQLAlchemy
executes its own construct online; wrong in a script, and wrong again when
that text is handed to the driver a second time.

So schemadiff keeps one rule.  Every piece of SQL it builds itself is
**plain**: compiled with :func:`plain_dialect`, a copy of the connection's
dialect that never doubles ``%``.  Offline, plain text is written as is.
Online, a plain string is sent with :data:`PLAIN_TEXT_OPTIONS`, which tells
SQLAlchemy to call the driver without parameters, so the driver does no
``%`` processing at all; a SQLAlchemy construct is executed by SQLAlchemy,
which escapes for its driver itself.
"""

from __future__ import annotations

import copy
import re
import weakref
from typing import Any

from sqlalchemy.engine import Dialect

#: execution options for plain SQL strings: no parameters, so no ``%`` parsing
PLAIN_TEXT_OPTIONS: dict[str, Any] = {"no_parameters": True}

_plain: weakref.WeakKeyDictionary[Dialect, Dialect] = weakref.WeakKeyDictionary()


def doubles_percents(dialect: Dialect) -> bool:
    """Whether SQLAlchemy escapes ``%`` for this dialect's driver."""
    return bool(getattr(dialect.identifier_preparer, "_double_percents", False))


def plain_dialect(dialect: Dialect) -> Dialect:
    """``dialect`` as it compiles plain SQL: same class, options and server
    version, but with ``%`` left alone.

    The copy gets its own identifier preparer (which caches quoted names),
    type compiler and type memo (which caches literal renderers), since each
    of those holds the dialect it escapes for.  Built once per dialect.
    """
    if not doubles_percents(dialect):
        return dialect
    found = _plain.get(dialect)
    if found is not None:
        return found
    clone = copy.copy(dialect)
    clone.paramstyle = "named"
    clone.positional = False
    clone._type_memos = weakref.WeakKeyDictionary()
    preparer = copy.copy(dialect.identifier_preparer)
    preparer.dialect = clone
    preparer._strings = {}
    preparer._double_percents = False
    clone.identifier_preparer = preparer
    type_compiler = type(dialect.type_compiler_instance)(clone)
    clone.type_compiler_instance = type_compiler
    clone.type_compiler = type_compiler
    _plain[dialect] = clone
    return clone


def plain_sql(statement: Any, dialect: Dialect, *, literal_binds: bool = True) -> str:
    """The plain SQL of a string or a SQLAlchemy construct, values inlined
    (or, with ``literal_binds=False``, left as ``:name`` placeholders)."""
    if isinstance(statement, str):
        return statement
    compiled = statement.compile(
        dialect=plain_dialect(dialect), compile_kwargs={"literal_binds": literal_binds}
    )
    return str(compiled)


# a quoted literal or identifier, its quote doubled inside
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|`(?:[^`]|``)*`")
_TRAILING_BLANKS = re.compile(r"[ \t]+(?=\n)")


def tidy_script_text(text: str) -> str:
    """A statement for a script: trailing blanks of its lines removed, but only
    outside quotes, so a literal or name spanning lines (``'a  \\r\\nb'``)
    reaches the database exactly as written."""
    out: list[str] = []
    pos = 0
    for match in _QUOTED.finditer(text):
        out.append(_TRAILING_BLANKS.sub("", text[pos : match.start()]))
        out.append(match.group())
        pos = match.end()
    out.append(_TRAILING_BLANKS.sub("", text[pos:]))
    return "".join(out).strip()
