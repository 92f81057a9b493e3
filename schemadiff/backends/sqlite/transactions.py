"""SQLite transactions that hold DDL, the write lock, and foreign keys in check.

Three things differ from the other backends:

* Python's sqlite3 driver (legacy transaction control, the default before
  3.12's ``autocommit``) opens a transaction only before INSERT/UPDATE/
  DELETE, so a CREATE TABLE would commit on its own and a failed migration
  would leave half its DDL behind.  For the length of a migration
  transaction the driver is switched to manual mode and BEGIN is explicit.
* ``BEGIN IMMEDIATE`` takes the write lock up front: it is the run lock
  (see ``begin_immediate`` below).
* ``PRAGMA foreign_keys`` cannot change inside a transaction, yet a batch
  move-and-copy must drop a table other tables refer to.  When enforcement
  is on it is switched off for the transaction and ``PRAGMA
  foreign_key_check`` runs before COMMIT, so a migration that breaks a
  reference fails and rolls back instead of committing; enforcement is
  switched back on afterwards (the procedure of the SQLite documentation,
  "Making Other Kinds Of Table Schema Changes").
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from schemadiff.errors import MigrationError
from schemadiff.redact import mask_url
from schemadiff.runtime.locking import wait_for

__all__ = [
    "begin_immediate",
    "foreign_keys_deferred_to_commit",
    "foreign_keys_enforced",
    "manual_transactions",
]

#: connection info key: enforcement was on when schemadiff switched it off
FK_SUSPENDED = "schemadiff_sqlite_fk_suspended"


@contextlib.contextmanager
def manual_transactions(conn: Connection) -> Iterator[None]:
    dbapi_conn = conn.connection.dbapi_connection
    saved = getattr(dbapi_conn, "isolation_level", None)
    if saved is None:
        yield
        return
    dbapi_conn.isolation_level = None  # type: ignore[union-attr]
    try:
        yield
    finally:
        dbapi_conn.isolation_level = saved  # type: ignore[union-attr]


def foreign_keys_enforced(conn: Connection) -> bool:
    return bool(conn.exec_driver_sql("PRAGMA foreign_keys").scalar())


@contextlib.contextmanager
def foreign_keys_deferred_to_commit(conn: Connection) -> Iterator[Callable[[], None]]:
    """Switch enforcement off around a transaction; yields the pre-commit check."""
    enforced = foreign_keys_enforced(conn)
    conn.commit()  # end SQLAlchemy's autobegun (driver-level empty) transaction

    def check() -> None:
        if not enforced:
            return
        rows = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if rows:
            shown = ", ".join(
                f"{table} row {rowid} -> {parent}" for table, rowid, parent, _ in rows[:5]
            )
            more = f" (and {len(rows) - 5} more)" if len(rows) > 5 else ""
            raise MigrationError(
                f"Foreign key check failed before COMMIT: {shown}{more}; "
                "the transaction was rolled back"
            )

    if not enforced:
        yield check
        return
    conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
    conn.commit()
    conn.info[FK_SUSPENDED] = True
    try:
        yield check
    finally:
        conn.info.pop(FK_SUSPENDED, None)
        conn.exec_driver_sql("PRAGMA foreign_keys = ON")
        if conn.in_transaction():
            conn.commit()


def begin_immediate(
    conn: Connection, timeout: float, sleep: Callable[[float], None] = time.sleep
) -> None:
    """``BEGIN IMMEDIATE`` on SQLite: take the write lock now, waiting visibly.

    A deferred ``BEGIN`` would let two runs both read the version table and
    only collide at their first write.  SQLite's own busy handler would
    wait silently, so it is switched off while we poll.
    """
    previous = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
    conn.exec_driver_sql("PRAGMA busy_timeout = 0")

    def attempt() -> bool:
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except OperationalError as exc:
            if "locked" in str(exc.orig).lower() or "busy" in str(exc.orig).lower():
                return False
            raise
        return True

    try:
        wait_for(attempt, timeout, mask_url(conn.engine.url), sleep)
    finally:
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(previous or 0)}")


@contextlib.contextmanager
def migration_transaction_scope(conn: Connection) -> Iterator[Callable[[], None]]:
    """Manual transactions and deferred foreign-key enforcement, together; yields
    the foreign-key check to run before COMMIT."""
    with manual_transactions(conn), foreign_keys_deferred_to_commit(conn) as fk_check:
        yield fk_check
