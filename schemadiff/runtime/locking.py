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

Each backend package registers its lock (``registries.backends.add_run_lock``);
this module holds what they share.

Waiting polls with a zero timeout so the user is told *that* the run waits,
and gives up with a ``MigrationError`` after ``timeout`` seconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy.engine import Connection

from schemadiff.errors import MigrationError
from schemadiff.redact import mask_url

log = logging.getLogger("schemadiff.runtime.migration")

#: seconds between two attempts while another run holds the lock
POLL_INTERVAL = 0.1


def wait_for(
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
        """The lock the backend registered; None where it has none (SQLite: the
        write transaction is the lock, see its ``begin_immediate``)."""
        from schemadiff.plugins import default_registries

        name = conn.dialect.name
        factory = default_registries().backend(name).run_locks.get(name)
        return factory(conn, version_table, schema) if factory else None

    def where(self) -> str:
        return mask_url(self.conn.engine.url)

    def acquire(self, timeout: float, sleep: Callable[[float], None] = time.sleep) -> None:
        wait_for(self.try_acquire, timeout, self.where(), sleep)

    def try_acquire(self) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def release(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError
