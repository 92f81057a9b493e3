"""The journal: a migration whose work became durable before its version row.

Normally a migration's statements and its version-table change commit
together.  Three things break that: DDL on MySQL/MariaDB (committed as it
runs), ``autocommit_block()``, and a script's own commit.  If the process
then dies (SIGKILL, lost connection) nothing is left to say that the schema
holds part of a migration the version table does not list.

So, just before the first such early commit of a migration, a row naming
the migration is written to ``<version table>_journal`` and committed with
that early work; it is deleted in the same transaction as the migration's
version-table change.  A row still there means the migration did not
finish, and every command that reads the version table warns with the way
out (``stamp`` is the recovery command and clears the journal).  The table
is created when first needed and dropped when a run leaves it empty, so a
database that was never interrupted never has it.

What it costs a run: the catalog is asked once whether the table is there,
and a migration that commits early adds one INSERT and one DELETE.  Where
every DDL statement commits (MySQL/MariaDB) that is nearly every migration,
so the knowledge the run already has (the table read at its start, the rows
it wrote itself) replaces the existence checks and the defensive DELETE
before each INSERT.  A rollback may undo what the run wrote, so after one
the catalog is asked again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, delete, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateTable, DropTable

from schemadiff.runtime.raw import execute_raw, literal_sql

log = logging.getLogger("schemadiff.runtime.migration")


def journal_table(version_table: Table) -> Table:
    name = f"{version_table.name}_journal"
    return Table(
        name,
        MetaData(),
        Column("revision", String(32), nullable=False),
        Column("verb", String(10), nullable=False),
        Column("version_before", String(255), nullable=False),
        Column("version_after", String(255), nullable=False),
        PrimaryKeyConstraint("revision", name=f"{name}_pkc"),
        schema=version_table.schema,
    )


@dataclass(frozen=True)
class Entry:
    """A migration that committed part of its work and did not finish."""

    revision: str
    verb: str
    version_before: str
    version_after: str

    def warning(self) -> str:
        before = self.version_before or "base"
        after = self.version_after or "base"
        purge = "--purge " if "," in after else ""
        stamp = after.replace(",", " ")
        return (
            f"The {self.verb} of revision {self.revision} ({before} -> {after}) did not finish "
            f"after part of it was committed: the version table says {before}, but the schema "
            f"may hold part of revision {self.revision}. Compare the schema with the script, then "
            f"either undo what it left and run the {self.verb} again, or complete it by hand and "
            f"run 'schemadiff stamp {purge}{stamp}' (stamp clears this warning)."
        )


class Journal:
    """Reads and writes the journal table beside one version table."""

    def __init__(self, conn: Connection, version_table: Table) -> None:
        self.conn = conn
        self.table = journal_table(version_table)
        #: revision whose row this run wrote in the migration running now
        self.marked: str | None = None
        #: revisions with a row (found at the start, or written by this run)
        self.open: set[str] = set()
        #: the table is there because of this run or an earlier one: drop it once empty
        self.created = False
        #: whether the table is there, as far as this run knows; None: ask the catalog
        self._present: bool | None = None
        #: the rows were read this run, so a revision outside ``open`` has none
        self._read = False

    def exists(self) -> bool:
        if self._present is None:
            from sqlalchemy import inspect

            self._present = inspect(self.conn).has_table(self.table.name, schema=self.table.schema)
        return self._present

    def forget(self) -> None:
        """A rollback may have undone the table or rows this run wrote: ask again."""
        self._present = None

    def entries(self) -> list[Entry]:
        rows = self.conn.execute(select(self.table)).all() if self.exists() else []
        self._read = True
        return [Entry(*row) for row in rows]

    def _may_hold(self, revision: str) -> bool:
        """Whether a row of ``revision`` may be there already (an earlier run's)."""
        return not self._read or revision in self.open

    def warn(self) -> list[Entry]:
        """Log each unfinished migration; a later success or ``stamp`` clears them."""
        found = self.entries()
        for entry in found:
            log.warning("%s", entry.warning())
        self.open.update(e.revision for e in found)
        self.created = self.created or bool(found)
        return found

    def _entry_values(
        self, revision: str, verb: str, before: Sequence[str], after: Sequence[str]
    ) -> dict[str, str]:
        return {
            "revision": revision,
            "verb": verb,
            "version_before": ",".join(before)[:255],
            "version_after": ",".join(after)[:255],
        }

    def mark(self, revision: str, verb: str, before: Sequence[str], after: Sequence[str]) -> None:
        """Write the row through the connection, inside the open transaction."""
        if self.marked == revision:
            return
        if not self.exists():
            self.conn.execute(CreateTable(self.table))
            self.created = self._present = True
        t = self.table
        if self._may_hold(revision):
            self.conn.execute(delete(t).where(t.c.revision == revision))
        self.conn.execute(insert(t).values(**self._entry_values(revision, verb, before, after)))
        self.marked = revision
        self.open.add(revision)

    def mark_raw(
        self, revision: str, verb: str, before: Sequence[str], after: Sequence[str]
    ) -> None:
        """Write the row from inside a statement hook, on the driver's own cursor.

        Used just before a MySQL/MariaDB DDL statement or a COMMIT the
        script issues: these writes commit together with the early work, and
        the hook must not re-enter SQLAlchemy's execution of that statement.
        """
        if self.marked == revision:
            return
        dialect = self.conn.dialect
        t = self.table
        statements = []
        if not self._present:  # unknown is not asked here: no statement may interleave
            statements.append(literal_sql(dialect, CreateTable(t, if_not_exists=True)))
        if self._may_hold(revision):
            statements.append(literal_sql(dialect, delete(t).where(t.c.revision == revision)))
        values = self._entry_values(revision, verb, before, after)
        statements.append(literal_sql(dialect, insert(t).values(**values)))
        execute_raw(self.conn, statements)
        self.created = self._present = True  # dropped at the end of a run leaving it empty
        self.marked = revision
        self.open.add(revision)

    def clear(self, revision: str | None = None) -> None:
        """Delete the row of ``revision`` (all rows when None), in the open transaction."""
        self.marked = None
        t = self.table
        if revision is None:
            if self.open or self.exists():
                self.conn.execute(delete(t))
                self.created = True  # drop it at the end of the run
            self.open.clear()
        elif revision in self.open:
            self.conn.execute(delete(t).where(t.c.revision == revision))
            self.open.discard(revision)

    def drop_if_empty(self) -> None:
        if not self.created or not self.exists():
            return
        if self.conn.execute(select(self.table.c.revision).limit(1)).first() is None:
            self.conn.execute(DropTable(self.table))
            self._present = False
        self.created = False
