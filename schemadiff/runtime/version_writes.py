"""Version-row updates of consecutive migrations, written as one.

A run of N migrations in one transaction used to update the version row N
times.  Nothing can see the rows in between: no statement runs between
the update of one migration and the script of the next when that script
does nothing (a merge point, a data migration skipped by a condition, a
placeholder).  So an update is held back until the next statement of any
kind, or the next COMMIT, is about to run on the connection; an update that
follows it directly (``a -> b`` then ``b -> c``) joins it (``a -> c``).
Every statement and every commit still finds the version table exactly as
it would have been, so what a script reads, what a failure leaves and what
the journal says are unchanged; only statements nobody could observe are
saved.  A ROLLBACK drops the held update with the rest of the transaction.

Held only online while a run's ledger listens to the connection (its
hooks call ``flush_raw``); offline every update is written as it comes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table, update
from sqlalchemy.engine import Connection

from schemadiff.errors import MigrationError
from schemadiff.runtime.raw import execute_raw, literal_sql


def rowcount_error(table: Table, kind: str, rev: str | None, found: int) -> MigrationError:
    return MigrationError(
        f"Online migration expected to match one row when {kind}-ing '{rev}' in "
        f"'{table.name}'; {found} found"
    )


@dataclass
class HeldUpdate:
    """The version-row update not written yet, ``from_rev -> to_rev``."""

    table: Table
    from_rev: str | None = None
    to_rev: str | None = None

    @property
    def held(self) -> bool:
        return self.from_rev is not None

    def joins(self, from_rev: str | None) -> bool:
        """An update from ``from_rev`` continues the held one (or nothing is held)."""
        return not self.held or from_rev == self.to_rev

    def hold(self, from_rev: str | None, to_rev: str | None) -> None:
        if not self.held:
            self.from_rev = from_rev
        self.to_rev = to_rev

    def take(self) -> tuple[str, str | None] | None:
        """The held update, no longer held."""
        if self.from_rev is None:
            return None
        taken = (self.from_rev, self.to_rev)
        self.from_rev = self.to_rev = None
        return taken

    def drop(self) -> None:
        self.from_rev = self.to_rev = None

    def flush_raw(self, conn: Connection) -> None:
        """Write the held update from inside a statement or commit hook, on the
        driver's own cursor (the hook must not re-enter SQLAlchemy's execution)."""
        taken = self.take()
        if taken is None:
            return
        from_rev, to_rev = taken
        col = self.table.c.version_num
        stmt = update(self.table).values(version_num=to_rev).where(col == from_rev)
        found = execute_raw(conn, [literal_sql(conn.dialect, stmt)])
        if found != 1:
            raise rowcount_error(self.table, "update", from_rev, found)
