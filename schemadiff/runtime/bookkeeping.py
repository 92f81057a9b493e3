"""Bookkeeping of an online run: the ledger, the journal, and the failure message.

Kept apart from ``migration.py`` as a mixin of ``MigrationContext``: it reads the context's state and adds
what a failed or interrupted run needs to say truthfully what it left
(``schemadiff.runtime.ledger``, ``schemadiff.runtime.journal``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from sqlalchemy import Table
from sqlalchemy.engine import Connection, Dialect, RootTransaction
from sqlalchemy.exc import DBAPIError

from schemadiff.errors import MigrationError, SchemaDiffError
from schemadiff.revisions.planner import apply_changes
from schemadiff.runtime.journal import Journal
from schemadiff.runtime.ledger import InterimCommit, Ledger, shown
from schemadiff.runtime.version_writes import HeldUpdate

if TYPE_CHECKING:
    from schemadiff.dialects.base import DialectImpl
    from schemadiff.revisions import Step


class Bookkeeping:
    """What ``MigrationContext`` keeps to describe a failure; see the module docstring."""

    dialect: Dialect
    impl: DialectImpl
    connection: Connection | None
    as_sql: bool
    transactional_ddl: bool | None
    version_table: Table
    _transaction: RootTransaction | None
    _external_transaction: bool
    #: what the running migrations committed so far (online runs only)
    _ledger: Ledger | None = None
    #: the migration running now, and the version-table rows before it
    _step: tuple[Step, tuple[str, ...]] | None = None
    _journal: Journal | None = None
    #: a version update held back until the next statement or commit (online runs)
    _held: HeldUpdate | None = None
    #: work committed before a migration's transaction ended (``Ledger.interim``)
    interim_commits: list[InterimCommit]

    def get_bind(self) -> Connection:  # pragma: no cover - MigrationContext's
        raise NotImplementedError

    def journal(self) -> Journal:
        """The journal of migrations that committed part of their work (online)."""
        if self._journal is None:
            self._journal = Journal(self.get_bind(), self.version_table)
        return self._journal

    def _mark_unfinished(self) -> None:
        """Work of the running migration is about to commit before its version row."""
        if self._step is None or self._ledger is None:
            return
        step, before = self._step
        after = apply_changes(before, step.version_changes)
        with self._ledger.bookkeeping():
            self.journal().mark(step.revision.revision, step.verb, before, after)

    def _mark_unfinished_raw(self) -> None:
        """As ``_mark_unfinished``, from a hook: before a MySQL DDL statement or a commit."""
        if self._step is None:
            return
        step, before = self._step
        after = apply_changes(before, step.version_changes)
        self.journal().mark_raw(step.revision.revision, step.verb, before, after)

    @contextlib.contextmanager
    def _watching(self, rows: tuple[str, ...]) -> Iterator[None]:
        """Keep the ledger of an online run (offline there is nothing to commit)."""
        if self.as_sql or self.connection is None:
            yield
            return
        ledger = Ledger(
            self.impl.display_name,
            bool(self.transactional_ddl),
            rows,
            interim=self.interim_commits,
        )
        ledger.before_early_commit = self._mark_unfinished_raw
        held = HeldUpdate(self.version_table)
        conn = self.connection
        ledger.before_any = lambda: held.flush_raw(conn)
        ledger.on_rollback = lambda: self._rolled_back(held)
        self._ledger, self._held = ledger, held
        try:
            with ledger.watching(conn):
                yield
                self._write_held()
        finally:
            self._ledger, self._held = None, None
            if held.held:  # a failure is on its way: write what env.py may still commit
                with contextlib.suppress(Exception):
                    held.flush_raw(conn)

    def _rolled_back(self, held: HeldUpdate) -> None:
        held.drop()
        if self._journal is not None:
            self._journal.forget()

    def _write_held(self) -> None:
        """Write a held version update now (through SQLAlchemy, outside any hook)."""
        taken = self._held.take() if self._held is not None else None
        if taken is not None:
            from_rev, to_rev = taken
            self._write_version_update(from_rev, to_rev)

    def _write_version_update(self, from_rev: str | None, to_rev: str | None) -> None:
        raise NotImplementedError  # pragma: no cover - VersionRows'

    def _drop_journal_if_empty(self) -> None:
        """A run that ends well leaves no empty journal table behind."""
        if self._journal is None or self._ledger is None:
            return
        with self.begin_transaction(_per_migration=True), self._ledger.bookkeeping():
            self._journal.drop_if_empty()

    def begin_transaction(  # pragma: no cover - MigrationContext's
        self, _per_migration: bool = False
    ) -> contextlib.AbstractContextManager[None]:
        raise NotImplementedError

    def _commit_between_migrations(self) -> None:
        """Without transactional DDL, commit each migration's version row at once.

        Its DDL is already committed; keeping the version row pending until
        the end of the run would let a later failure roll the row back while
        the schema keeps the DDL, and the next run would apply it twice.  A
        migration of which nothing became durable (no DDL, no commit of its
        own) stays in the transaction: a later failure undoes it whole.
        """
        if self.transactional_ddl or self.as_sql or self._transaction is None:
            return
        if self._ledger is not None and not self._ledger.step_committed:
            return
        self._write_held()
        conn = self.get_bind()
        # after a script's own commit, the live transaction is the one SQLAlchemy began
        live = conn.get_transaction()
        if live is not None and live.is_active:
            live.commit()
        self._transaction = conn.begin()

    def _failure(self, step: Step, exc: BaseException, rows: tuple[str, ...]) -> MigrationError:
        """A message naming the revision, its file, the error, the statement, and what stayed."""
        rev = step.revision
        if isinstance(exc, DBAPIError):
            orig = str(exc.orig).strip() or type(exc.orig).__name__
            error = orig.splitlines()[0]
            statement = exc.statement
        elif isinstance(exc, SchemaDiffError):
            error, statement = str(exc), None
        else:  # a bug in the script itself: say what kind
            error, statement = f"{type(exc).__name__}: {exc}", None
        lines = [f"{step.verb} of revision {rev.revision} ({rev.path}) failed: {error}"]
        if statement:
            lines.append(f"  Statement: {shown(statement)}")
        if self._ledger is not None:
            after = apply_changes(rows, step.version_changes)
            lines.extend(self._ledger.describe(step.verb, rev.revision, after))
            if self._external_transaction:
                lines.append(
                    "  (env.py began this transaction itself: what is described as rolled "
                    "back is undone when env.py rolls it back.)"
                )
        return MigrationError("\n".join(lines))
