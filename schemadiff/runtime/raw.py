"""Statements sent on the driver's own cursor, from inside SQLAlchemy's hooks.

The version update held back and the journal row must be written from a
``before_cursor_execute`` or ``commit`` hook, where re-entering SQLAlchemy's
execution is not allowed.  SQLAlchemy's ``echo`` never sees these
statements, so they are logged here (logger ``schemadiff.runtime.raw``,
DEBUG) for whoever is reading a run's SQL.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy.engine import Connection, Dialect

log = logging.getLogger("schemadiff.runtime.raw")


def literal_sql(dialect: Dialect, statement: object) -> str:
    """A statement with its values inlined: a driver cursor takes no SQLAlchemy binds."""
    compiled = statement.compile(  # type: ignore[attr-defined]
        dialect=dialect, compile_kwargs={"literal_binds": True}
    )
    return str(compiled)


def execute_raw(conn: Connection, statements: Sequence[str]) -> int:
    """Run ``statements`` in order on one driver cursor; the last one's rowcount."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    found = -1
    try:
        for statement in statements:
            log.debug("%s", statement)
            cursor.execute(statement)
            found = cursor.rowcount
    finally:
        cursor.close()
    return int(found)
