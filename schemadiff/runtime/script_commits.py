"""A revision script that commits on its own, and what that leaves committed.

Scripts written for the seeds' tool may call ``op.get_bind().commit()`` in
the middle of ``upgrade()`` (to make a new enum value usable, to keep a
data migration's batches small, ...) and then go on, even into
``op.get_context().autocommit_block()``.  SQLAlchemy then begins a new
transaction on the next statement; the runner must treat that one as the
migration's transaction from there on.

``ScriptCommitWatch`` listens on the connection while a script's function
runs: it records each commit the script made itself, and on SQLite (whose
driver runs in manual transaction mode during a migration, see
``sqlite_txn``) it issues the ``BEGIN`` that the driver no longer does, so
the rest of the script is transactional again.

What was committed before a failure is kept in ``MigrationContext.interim_commits``
(one ``InterimCommit`` per commit the script made and per autocommit block
entered), so a failure message can say what a rollback did not undo.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sqlalchemy import event
from sqlalchemy.engine import Connection

if TYPE_CHECKING:
    from schemadiff.revisions import Step
    from schemadiff.runtime.migration import MigrationContext

log = logging.getLogger("schemadiff.runtime.migration")

#: why work was committed before the migration's transaction ended
CommitCause = Literal["script commit", "autocommit_block"]


@dataclass(frozen=True)
class InterimCommit:
    """Work made permanent in the middle of a migration: a rollback will not undo it.

    ``revision`` is the revision whose ``upgrade()``/``downgrade()`` was
    running; ``verb`` says which of the two.
    """

    revision: str
    verb: str
    cause: CommitCause


class ScriptCommitWatch:
    """Notices commits a running script makes itself (see the module docstring)."""

    def __init__(
        self, conn: Connection, *, sqlite_begin: str | None, record: Callable[[], None]
    ) -> None:
        self.conn = conn
        #: called once per commit the script makes itself
        self.record = record
        #: the statement starting a transaction on SQLite's manual mode, else None
        self.sqlite_begin = sqlite_begin
        #: True while schemadiff itself begins or ends a transaction
        self.own = False
        #: True inside an autocommit block: no BEGIN there
        self.autocommit = False

    def _on_commit(self, conn: Connection) -> None:
        if not self.own and not self.autocommit:
            self.record()

    def _on_begin(self, conn: Connection) -> None:
        if self.sqlite_begin and not self.own and not self.autocommit:
            conn.exec_driver_sql(self.sqlite_begin)

    @contextmanager
    def listening(self) -> Iterator[ScriptCommitWatch]:
        event.listen(self.conn, "commit", self._on_commit)
        event.listen(self.conn, "begin", self._on_begin)
        try:
            yield self
        finally:
            event.remove(self.conn, "commit", self._on_commit)
            event.remove(self.conn, "begin", self._on_begin)

    @contextmanager
    def ours(self) -> Iterator[None]:
        """Around schemadiff's own begin/commit: not the script's doing."""
        saved, self.own = self.own, True
        try:
            yield
        finally:
            self.own = saved


@contextmanager
def watching_step(mc: MigrationContext, step: Step) -> Iterator[None]:
    """While ``step``'s function runs on ``mc``: its commits are recorded (and, on
    SQLite, followed by a new BEGIN); offline or outside a transaction, nothing to do."""
    mc._watched_step = step
    conn = mc.connection
    if mc.as_sql or conn is None or mc._transaction is None:
        try:
            yield
        finally:
            mc._watched_step = None
        return
    sqlite_begin = None
    if mc.dialect.name == "sqlite":
        sqlite_begin = "BEGIN IMMEDIATE" if mc.lock_run else "BEGIN"
    watch = ScriptCommitWatch(
        conn, sqlite_begin=sqlite_begin, record=lambda: mc._record_interim("script commit")
    )
    mc._watch = watch
    try:
        with watch.listening():
            yield
    finally:
        mc._watch = None
        mc._watched_step = None


@contextmanager
def online_autocommit_block(mc: MigrationContext) -> Iterator[None]:
    """``MigrationContext.autocommit_block()`` against a connection.

    The transaction so far is committed (whichever is live: the migration's,
    or the one SQLAlchemy began after the script's own commit), the block runs
    in autocommit, and a new transaction begins for the rest of the migration.
    """
    conn = mc.get_bind()
    if mc._transaction is None:
        if conn.in_transaction():
            log.warning("autocommit_block(): the transaction is not schemadiff's; not ending it")
        yield
        return
    mc._record_interim("autocommit_block")
    mc._mark_unfinished()  # journal: this migration's work commits before its version row
    with mc._ours():
        if conn.in_transaction():
            conn.commit()
    sqlite = mc.dialect.name == "sqlite"
    saved = None if sqlite else conn.get_isolation_level()
    if not sqlite:
        conn.execution_options(isolation_level="AUTOCOMMIT")
    watch, ledger = mc._watch, mc._ledger
    if watch is not None:
        watch.autocommit = True
    if ledger is not None:
        ledger.autocommit = True
    try:
        yield
    finally:
        if watch is not None:
            watch.autocommit = False
        if ledger is not None:
            ledger.autocommit = False
        with mc._ours():
            if conn.in_transaction():
                conn.commit()
            if saved is not None:
                conn.execution_options(isolation_level=saved)
            mc._transaction = conn.begin()
            if sqlite:
                mc._sqlite_begin(conn)
