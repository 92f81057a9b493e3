"""Transactions of a migration context: the run lock, one transaction per run or
per migration, offline ``BEGIN``/``COMMIT`` text, and ``autocommit_block()``.

A mixin of ``MigrationContext`` (as ``Bookkeeping`` is): the state it reads
is the context's, declared here for the type checker.  Online, each
migration's version-table change is written inside the transaction of that
migration, so on a backend with transactional DDL (PostgreSQL, SQLite) a
failure leaves schema and version table as they were.  Commands that change
the version table set ``lock_run`` and the run is serialised with other runs
against the same database (``schemadiff.runtime.locking``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

from sqlalchemy.engine import Connection

from schemadiff.runtime.bookkeeping import Bookkeeping
from schemadiff.runtime.locking import RunLock

if TYPE_CHECKING:
    from schemadiff.runtime.migration import MigrationOptions

log = logging.getLogger("schemadiff.runtime.migration")


class Transactions(Bookkeeping):
    """How ``MigrationContext`` begins and ends transactions; see the module docstring."""

    opts: MigrationOptions
    output_buffer: TextIO
    #: set by commands that write the version table (upgrade, downgrade, stamp)
    lock_run: bool = False
    _lock_depth: int = 0
    _autocommit_depth: int = 0
    #: a database lock (not SQLite's write lock) is held for the run
    _lock_held: bool = False
    _offline_in_transaction: bool = False

    # -- the run lock ----------------------------------------------------------
    @contextlib.contextmanager
    def run_lock(self) -> Iterator[None]:
        """Hold the run lock (re-entrant); a no-op offline and on SQLite.

        Taken outside any transaction where possible, so the version table
        is read after the lock is held, never from an older snapshot.
        """
        if self.as_sql or self.connection is None or self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        conn = self.connection
        lock = RunLock.for_connection(conn, self.version_table.name, self.version_table.schema)
        if lock is not None:
            was_in = conn.in_transaction()
            lock.acquire(self.opts.lock_timeout)
            if not was_in:
                conn.commit()
        self._lock_depth += 1
        self._lock_held = lock is not None
        try:
            yield
        finally:
            self._lock_depth -= 1
            self._lock_held = False
            if lock is not None:
                _release(conn, lock)

    # -- transactions --------------------------------------------------------
    @contextlib.contextmanager
    def begin_transaction(self, _per_migration: bool = False) -> Iterator[None]:
        """A transaction around the run, or around one migration.

        With ``transaction_per_migration`` the outer call only takes the run
        lock and each migration gets its own transaction; an already-begun
        external transaction is left to its owner.
        """
        with contextlib.ExitStack() as stack:
            if not _per_migration and self.lock_run:
                stack.enter_context(self.run_lock())
            if self.opts.transaction_per_migration != _per_migration:
                yield
                return
            if self.as_sql:
                stack.enter_context(self._offline_transaction())
                yield
                return
            conn = self.get_bind()
            if self._external_transaction or self._transaction is not None:
                yield
                return
            if conn.in_transaction():
                # SQLAlchemy's autobegin, around our own reads (version table,
                # lock): end it so the migration's transaction starts afresh.
                conn.commit()
            stack.enter_context(self._own_transaction(conn))
            yield

    @contextlib.contextmanager
    def _offline_transaction(self) -> Iterator[None]:
        if not self.transactional_ddl:
            yield
            return
        self.output_buffer.write(self._begin_sql() + "\n\n")
        self._offline_in_transaction = True
        yield
        self._offline_in_transaction = False
        self.output_buffer.write("COMMIT;\n\n")

    @contextlib.contextmanager
    def _own_transaction(self, conn: Connection) -> Iterator[None]:
        with self.impl.transaction_scope(conn) as before_commit:
            self._transaction = conn.begin()
            try:
                self._begin_explicitly(conn)
                yield
                self._write_held()
                before_commit()
            except BaseException:
                self._end(rollback=True)
                raise
            self._end(rollback=False)

    def _begin_explicitly(self, conn: Connection) -> None:
        """Where the backend begins by hand (SQLite), a run that writes takes the
        write lock up front (its run lock); a read-only one begins as a reader."""
        self.impl.begin_transaction(
            conn, lock_run=self.lock_run, lock_timeout=self.opts.lock_timeout
        )

    def _end(self, rollback: bool) -> None:
        if self._transaction is not None and not rollback:
            self._write_held()
        trans, self._transaction = self._transaction, None
        if trans is None:
            return
        # After a script's own commit, the transaction SQLAlchemy began on the
        # next statement is the migration's from there on.
        current = self.connection.get_transaction() if self.connection is not None else None
        live = current if current is not None else trans
        if live.is_active:
            with self._ours():
                live.rollback() if rollback else live.commit()

    def _ours(self) -> contextlib.AbstractContextManager[None]:
        return self._ledger.ours() if self._ledger is not None else contextlib.nullcontext()

    def _begin_sql(self) -> str:
        return self.impl.offline_begin

    @contextlib.contextmanager
    def autocommit_block(self) -> Iterator[None]:
        """Run statements outside the migration's transaction.

        For what a backend refuses inside one (PostgreSQL's ``CREATE INDEX
        CONCURRENTLY``, ``ALTER TYPE ... ADD VALUE`` before 12): the
        transaction so far is committed, the block runs in autocommit, and a
        new transaction begins for the rest of the migration.  Blocks nest: an
        inner one (a safe-migrations index build inside the script's own block)
        is already outside the transaction.
        """
        if self._autocommit_depth:
            yield
            return
        self._autocommit_depth += 1
        try:
            if self.as_sql:
                if self._offline_in_transaction:
                    self.output_buffer.write("COMMIT;\n\n")
                yield
                if self._offline_in_transaction:
                    self.output_buffer.write(self._begin_sql() + "\n\n")
                return
            with self._online_autocommit_block():
                yield
        finally:
            self._autocommit_depth -= 1

    @contextlib.contextmanager
    def _online_autocommit_block(self) -> Iterator[None]:
        """The transaction so far is committed (whichever is live: the migration's,
        or the one SQLAlchemy began after the script's own commit), the block runs
        in autocommit, and a new transaction begins for the rest of the migration."""
        conn = self.get_bind()
        if self._transaction is None:
            if conn.in_transaction():
                log.warning(
                    "autocommit_block(): the transaction is not schemadiff's; not ending it"
                )
            yield
            return
        ledger = self._ledger
        if ledger is not None:
            ledger.record_interim("autocommit_block")
        self._write_held()
        self._mark_unfinished()  # journal: this migration's work commits before its version row
        with self._ours():
            if conn.in_transaction():
                conn.commit()
        by_isolation = self.impl.autocommit_by_isolation
        saved = conn.get_isolation_level() if by_isolation else None
        if by_isolation:
            conn.execution_options(isolation_level="AUTOCOMMIT")
        if ledger is not None:
            ledger.autocommit = True
        try:
            yield
        finally:
            if ledger is not None:
                ledger.autocommit = False
            with self._ours():
                if conn.in_transaction():
                    conn.commit()
                if saved is not None:
                    conn.execution_options(isolation_level=saved)
                self._transaction = conn.begin()
                self._begin_explicitly(conn)


def _release(conn: Connection, lock: RunLock) -> None:
    try:
        was_in = conn.in_transaction()
        lock.release()
        if not was_in:
            conn.commit()
    except Exception as exc:  # e.g. inside an aborted transaction the caller owns
        log.warning("Could not release the migration lock (%s); it ends with the connection", exc)
