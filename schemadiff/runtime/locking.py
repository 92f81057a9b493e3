"""The run lock: two ``upgrade`` runs against one database never interleave.

Each backend offers a lock that lives outside the migration's own
transaction, so it can be held for a whole run (several migrations, each in
its own transaction if ``transaction_per_migration`` is on) and is dropped
by the server if the client dies:

* PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``)
  keyed on database, schema and version table;
* MySQL/MariaDB: a named lock (``GET_LOCK``) keyed the same way;
* SQLite: the database's own write lock, taken by ``BEGIN IMMEDIATE`` when
  the migration transaction starts (SQLite has no lock that outlives a
  transaction; see ``begin_immediate``).

Waiting polls with a zero timeout so the user is told *that* the run waits,
and gives up with a ``MigrationError`` after ``timeout`` seconds.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from schemadiff.errors import MigrationError
from schemadiff.redact import mask_url

log = logging.getLogger("schemadiff.runtime.migration")

#: seconds between two attempts while another run holds the lock
POLL_INTERVAL = 0.1


def _wait(
    attempt: Callable[[], bool], timeout: float, where: str, sleep: Callable[[float], None]
) -> None:
    deadline = time.monotonic() + timeout
    told = False
    while not attempt():
        if not told:
            log.warning(
                "Waiting for the migration lock on %s: another schemadiff run holds it "
                "(giving up after %ss)",
                where,
                _seconds(timeout),
            )
            told = True
        if time.monotonic() >= deadline:
            raise MigrationError(
                f"Timed out after {_seconds(timeout)}s waiting for the migration lock on {where}; "
                "another schemadiff run is still migrating this database "
                "(raise context.configure(lock_timeout=...) to wait longer)"
            )
        sleep(POLL_INTERVAL)
    if told:
        log.info("Acquired the migration lock on %s.", where)


def _seconds(value: float) -> str:
    return f"{value:g}"


class RunLock:
    """A lock held by one connection for the length of a run."""

    def __init__(self, conn: Connection, version_table: str, schema: str | None) -> None:
        self.conn = conn
        self.version_table = version_table
        self.schema = schema

    @staticmethod
    def for_connection(conn: Connection, version_table: str, schema: str | None) -> RunLock | None:
        name = conn.dialect.name
        if name == "postgresql":
            return PostgresqlRunLock(conn, version_table, schema)
        if name in ("mysql", "mariadb"):
            return MySQLRunLock(conn, version_table, schema)
        return None  # SQLite: the write transaction is the lock; others: none known

    def where(self) -> str:
        return mask_url(self.conn.engine.url)

    def acquire(self, timeout: float, sleep: Callable[[float], None] = time.sleep) -> None:
        _wait(self.try_acquire, timeout, self.where(), sleep)

    def try_acquire(self) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def release(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class PostgresqlRunLock(RunLock):
    """``pg_try_advisory_lock`` on a key derived from where the version table lives."""

    key: int | None = None

    def _key(self) -> int:
        if self.key is None:
            self.key = int(
                self.conn.execute(
                    text(
                        "SELECT hashtext('schemadiff:' || current_database() || ':' || "
                        "coalesce(CAST(:schema AS text), current_schema()) || ':' || :table)"
                    ),
                    {"schema": self.schema, "table": self.version_table},
                ).scalar_one()
            )
        return self.key

    def try_acquire(self) -> bool:
        key = self._key()
        return bool(
            self.conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar_one()
        )

    def release(self) -> None:
        if self.key is not None:
            self.conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})


class MySQLRunLock(RunLock):
    """``GET_LOCK`` with a name unique to the database and version table (64 chars max)."""

    name: str | None = None

    def _name(self) -> str:
        if self.name is None:
            database = self.schema or self.conn.execute(text("SELECT DATABASE()")).scalar_one()
            full = f"schemadiff:{database}.{self.version_table}"
            if len(full) > 64:
                full = "schemadiff:" + hashlib.sha1(full.encode()).hexdigest()
            self.name = full
        return self.name

    def try_acquire(self) -> bool:
        got = self.conn.execute(text("SELECT GET_LOCK(:n, 0)"), {"n": self._name()}).scalar()
        return got == 1

    def release(self) -> None:
        if self.name is not None:
            self.conn.execute(text("SELECT RELEASE_LOCK(:n)"), {"n": self.name})


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
        _wait(attempt, timeout, mask_url(conn.engine.url), sleep)
    finally:
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(previous or 0)}")
