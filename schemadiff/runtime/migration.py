"""The migration context: one connection (or one SQL output), one dialect.

It owns the version table and runs planned steps, online against a
connection or offline as SQL text written to a buffer.

Transactions (online).  ``begin_transaction()`` (what env.py wraps
``run_migrations()`` in) opens one transaction for the run, or, with
``transaction_per_migration=True``, one per migration.  Each migration's
version-table change is written inside the transaction of that migration,
so on a backend with transactional DDL (PostgreSQL, SQLite) a failure leaves
schema and version table as they were.  Commands that change the version
table set ``lock_run`` and the run is serialised with other runs against the
same database (``schemadiff.runtime.locking``).
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from sqlalchemy import MetaData, delete, insert, select, update
from sqlalchemy.engine import Connection, Dialect, RootTransaction
from sqlalchemy.schema import CreateTable, DropTable
from sqlalchemy.sql.base import Executable

from schemadiff.dialects import DialectImpl, impl_for
from schemadiff.dialects.sqltext import PLAIN_TEXT_OPTIONS, plain_sql, tidy_script_text
from schemadiff.errors import MigrationError
from schemadiff.revisions.planner import apply_changes
from schemadiff.runtime import safe, sqlite_txn
from schemadiff.runtime.bookkeeping import Bookkeeping
from schemadiff.runtime.locking import RunLock
from schemadiff.runtime.options_mapping import OptionsMapping
from schemadiff.runtime.progress import MigrationInfo, ProgressReporter
from schemadiff.runtime.script_commits import (
    CommitCause,
    InterimCommit,
    ScriptCommitWatch,
    online_autocommit_block,
    watching_step,
)
from schemadiff.runtime.version_table import version_table

if TYPE_CHECKING:
    from types import ModuleType

    from schemadiff.config import Config
    from schemadiff.operations import Operations
    from schemadiff.revisions import Revision, Step, VersionChange

    #: plans stamp changes from the version-table rows read under the lock
    StampPlan = Callable[[tuple[str, ...]], Sequence[VersionChange]]

log = logging.getLogger("schemadiff.runtime.migration")

#: psql and sqlite3 read CR LF as a line ending, even inside quotes, and drop the CR
CRLF_WARNING = (
    "Offline SQL holds a carriage return before a line feed in a quoted value or name "
    "(%s...); psql and sqlite3 drop that carriage return when they read the script"
)
#: re-plans a run from the version-table rows actually found
Replan = Callable[[tuple[str, ...]], Sequence["Step"]]


@dataclass
class MigrationOptions(OptionsMapping):
    """Everything ``context.configure()`` accepts beyond the connection."""

    target_metadata: MetaData | Sequence[MetaData] | None = None
    transactional_ddl: bool | None = None
    transaction_per_migration: bool = False
    output_buffer: TextIO | None = None
    starting_version: str | None = None
    literal_binds: bool = False
    version_table: str = "schemadiff_version"
    version_table_schema: str | None = None
    as_sql: bool = False
    on_version_apply: Sequence[Callable[..., None]] = ()
    #: seconds to wait for another run's lock before giving up
    lock_timeout: float = 300.0
    #: run directives with the least locking the backend allows (``runtime.safe``)
    safe_migrations: bool = False
    #: with safe_migrations: how long DDL may wait for a table lock
    safe_lock_timeout: str = "5s"
    progress: ProgressReporter | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: every keyword env.py gave ``context.configure()``, for ``opts[...]`` reads
    configured: dict[str, Any] = field(default_factory=dict, repr=False)


class MigrationContext(Bookkeeping):
    def __init__(
        self,
        dialect: Dialect,
        connection: Connection | None,
        options: MigrationOptions,
    ) -> None:
        self.dialect = dialect
        self.connection = connection
        self.opts = options
        self.impl: DialectImpl = impl_for(dialect)
        if connection is not None:
            translate = connection.get_execution_options().get("schema_translate_map")
            if translate:
                self.impl.schema_translate_map = dict(translate)
        self.as_sql = options.as_sql
        self.output_buffer: TextIO = options.output_buffer or sys.stdout
        self.transactional_ddl = (
            options.transactional_ddl
            if options.transactional_ddl is not None
            else self.impl.transactional_ddl
        )
        self.version_table = version_table(options.version_table, options.version_table_schema)
        #: set by commands that write the version table (upgrade, downgrade, stamp)
        self.lock_run = False
        self._lock_depth = 0
        #: a database lock (not SQLite's write lock) is held for the run
        self._lock_held = False
        self._version_table_seen = False
        self._transaction: RootTransaction | None = None
        #: a transaction env.py began itself: schemadiff neither begins nor ends one
        self._external_transaction = connection is not None and connection.in_transaction()
        self._offline_in_transaction = False
        self._ledger = None
        self._step = None
        self._journal = None
        #: the running ``Config`` (set by the environment that configured this context)
        self.config: Config | None = None
        #: work committed before a migration's transaction ended, by the script's own
        #: commit or an autocommit block: a later failure's rollback does not undo it
        self.interim_commits: list[InterimCommit] = []
        #: every revision script, imported before the first step runs (``preload``)
        self.modules: dict[str, ModuleType] = {}
        #: the step whose script runs now, for ``interim_commits``
        self._watched_step: Step | None = None
        self._watch: ScriptCommitWatch | None = None
        self._autocommit_depth = 0
        log.info("Context impl %s.", type(self.impl).__name__)
        if self.transactional_ddl:
            log.info("Will assume transactional DDL.")
        else:
            log.info("Will assume non-transactional DDL.")

    # -- executing -----------------------------------------------------------
    def render(self, statement: str | Executable) -> str:
        """Plain SQL of a statement with its values inlined, as offline mode writes it
        (no driver escaping: see ``dialects.sqltext``)."""
        return tidy_script_text(plain_sql(statement, self.dialect))

    def execute(self, statement: str | Executable, params: Any = None) -> Any:
        if self.as_sql:
            sql = self.render(statement)
            if "\r\n" in sql:
                log.warning(CRLF_WARNING, sql.split("\n", 1)[0][:80])
            self.output_buffer.write(sql + ";\n\n")
            return None
        conn = self.get_bind()
        if isinstance(statement, str):  # plain SQL: the driver must not parse '%'
            return conn.exec_driver_sql(statement, execution_options=PLAIN_TEXT_OPTIONS)
        return conn.execute(statement, params) if params else conn.execute(statement)

    def write_comment(self, text: str) -> None:
        """A ``-- comment`` line in offline output (ignored online)."""
        if self.as_sql:
            self.output_buffer.write(f"-- {text}\n\n")

    @property
    def bind(self) -> Connection | None:
        """The connection, as the seeds' ``op.get_context().bind`` (None offline)."""
        return self.connection

    def get_bind(self) -> Connection:
        if self.connection is None:
            raise MigrationError("no database connection in offline (--sql) mode")
        return self.connection

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
                self._release(conn, lock)

    @staticmethod
    def _release(conn: Connection, lock: RunLock) -> None:
        try:
            was_in = conn.in_transaction()
            lock.release()
            if not was_in:
                conn.commit()
        except Exception as exc:  # e.g. inside an aborted transaction the caller owns
            log.warning(
                "Could not release the migration lock (%s); it ends with the connection", exc
            )

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
        if self.dialect.name == "sqlite":
            with (
                sqlite_txn.manual_transactions(conn),
                sqlite_txn.foreign_keys_deferred_to_commit(conn) as fk_check,
            ):
                self._transaction = conn.begin()
                try:
                    self._sqlite_begin(conn)
                    yield
                    fk_check()
                except BaseException:
                    self._end(rollback=True)
                    raise
                self._end(rollback=False)
            return
        self._transaction = conn.begin()
        try:
            yield
        except BaseException:
            self._end(rollback=True)
            raise
        self._end(rollback=False)

    def _sqlite_begin(self, conn: Connection) -> None:
        """A run that writes takes SQLite's write lock up front (its run lock);
        a read-only one (check, current, autogenerate) begins as a reader."""
        if self.lock_run:
            sqlite_txn.begin_immediate(conn, self.opts.lock_timeout)
        else:
            conn.exec_driver_sql("BEGIN")

    def _end(self, rollback: bool) -> None:
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
        return self._watch.ours() if self._watch is not None else contextlib.nullcontext()

    def _record_interim(self, cause: CommitCause) -> None:
        if self._watched_step is not None:
            step = self._watched_step
            self.interim_commits.append(InterimCommit(step.revision.revision, step.verb, cause))

    def _begin_sql(self) -> str:
        return "START TRANSACTION;" if self.dialect.name in ("mysql", "mariadb") else "BEGIN;"

    @contextlib.contextmanager
    def autocommit_block(self) -> Iterator[None]:
        """Run statements outside the migration's transaction.

        For what a backend refuses inside one (PostgreSQL's ``CREATE INDEX
        CONCURRENTLY``, ``ALTER TYPE ... ADD VALUE`` before 12): the
        transaction so far is committed, the block runs in autocommit, and a
        new transaction begins for the rest of the migration.
        """
        if self._autocommit_depth:  # already outside the transaction
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
            with online_autocommit_block(self):
                yield
        finally:
            self._autocommit_depth -= 1

    # -- version table ---------------------------------------------------------
    def _has_version_table(self) -> bool:
        # Once seen, the table stays for the run (online nothing drops it):
        # asked again before every migration, the catalog read would only cost.
        if self._version_table_seen:
            return True
        from sqlalchemy import inspect

        self._version_table_seen = inspect(self.get_bind()).has_table(
            self.version_table.name, schema=self.version_table.schema
        )
        return self._version_table_seen

    def ensure_version_table(self) -> None:
        if self.as_sql or not self._has_version_table():
            self.execute(CreateTable(self.version_table))

    def get_current_heads(self) -> tuple[str, ...]:
        if self.as_sql:
            start = self.opts.starting_version
            return tuple(s.strip() for s in start.split(",") if s.strip()) if start else ()
        if self._journal is None:  # first read: say if a migration did not finish
            self.journal().warn()
        if not self._has_version_table():
            return ()
        rows = self.get_bind().execute(select(self.version_table.c.version_num)).scalars().all()
        return tuple(rows)

    def get_current_revision(self) -> str | None:
        heads = self.get_current_heads()
        if len(heads) > 1:
            raise MigrationError(
                "Version table has more than one head present; use get_current_heads()"
            )
        return heads[0] if heads else None

    def apply_version_change(self, kind: str, from_rev: str | None, to_rev: str | None) -> None:
        if self._ledger is not None:
            with self._ledger.bookkeeping():
                self._apply_version_change(kind, from_rev, to_rev)
        else:
            self._apply_version_change(kind, from_rev, to_rev)

    def _apply_version_change(self, kind: str, from_rev: str | None, to_rev: str | None) -> None:
        vt = self.version_table
        col = vt.c.version_num
        if kind == "insert":
            self.execute(insert(vt).values(version_num=to_rev))
        elif kind == "delete":
            result = self.execute(delete(vt).where(col == from_rev))
            self._check_rowcount(result, kind, from_rev)
        elif kind == "update":
            result = self.execute(update(vt).values(version_num=to_rev).where(col == from_rev))
            self._check_rowcount(result, kind, from_rev)
        else:  # pragma: no cover - planner contract
            raise MigrationError(f"unknown version table change {kind!r}")

    def _check_rowcount(self, result: Any, kind: str, rev: str | None) -> None:
        if result is not None and result.rowcount != 1:
            raise MigrationError(
                f"Online migration expected to match one row when {kind}-ing '{rev}' in "
                f"'{self.version_table.name}'; {result.rowcount} found"
            )

    def _prepare_version_table(self, heads: Sequence[str], creates: bool) -> None:
        if self.as_sql:
            if not heads and creates:
                self.ensure_version_table()
        elif not self._has_version_table():
            with self.begin_transaction(_per_migration=True):
                self.ensure_version_table()

    def ensure_version(self) -> None:
        """``ensure_version``: the version table, created in its own transaction if missing."""
        self._prepare_version_table((), True)

    def _drop_version_table_if_empty(self, rows: Sequence[str]) -> None:
        """Offline, a script that ends at base also removes the table it started with."""
        if self.as_sql and not rows:
            self.execute(DropTable(self.version_table))

    # -- stamping ----------------------------------------------------------------
    def stamp(self, changes: Sequence[VersionChange] | StampPlan) -> tuple[str, ...]:
        """Apply version-table changes without running any script; returns the rows after.

        ``changes`` may be a function planning them from the rows: it is
        called again with the rows read inside the writing transaction, so
        a run that moved the table meanwhile (SQLite, one transaction per
        migration: the write lock is only held per transaction) is planned
        from, not overwritten.  A stamp also clears the journal: it is how a
        user says the schema and the version table agree again.
        """
        plan: StampPlan = changes if callable(changes) else (lambda rows: changes)
        with self.run_lock():
            rows = self.get_current_heads()
            planned = list(plan(rows))
            unfinished = not self.as_sql and bool(self.journal().open)
            if not planned and not unfinished:
                return rows
            self._prepare_version_table(rows, any(c.kind == "insert" for c in planned))
            with self.begin_transaction(_per_migration=True):
                if not self.as_sql:
                    found = self.get_current_heads()
                    if found != rows:
                        rows, planned = found, list(plan(found))
                for change in planned:
                    log.info(
                        "Running stamp_revision %s -> %s",
                        change.from_rev or "",
                        change.to_rev or "",
                    )
                    self.apply_version_change(change.kind, change.from_rev, change.to_rev)
                    rows = apply_changes(rows, [change])
                    self._notify(MigrationInfo.from_stamp(change), rows, {})
                if unfinished:
                    self.journal().clear()
                    self.journal().drop_if_empty()
            self._drop_version_table_if_empty(rows)
            return rows

    # -- running ---------------------------------------------------------------
    def run_steps(
        self, steps: Sequence[Step], fn_kwargs: dict[str, Any], replan: Replan | None = None
    ) -> tuple[str, ...]:
        """Run planned steps; returns the version-table rows after the last one.

        With a transaction per migration and no run lock (SQLite), another
        run may have moved the version table between two of our
        transactions; each transaction checks the rows it expects and, given
        ``replan``, plans again from what it finds instead of re-applying.
        """
        from schemadiff.operations import Operations

        rows = self.get_current_heads()
        pending = list(steps)
        if not pending:
            return rows
        self._prepare_version_table(rows, pending[0].is_upgrade)
        operations = Operations(self)
        progress = self.opts.progress if not self.as_sql and len(pending) > 1 else None
        if progress is not None:
            progress.start(len(pending))
        watching = contextlib.ExitStack()
        try:
            watching.enter_context(self._watching(rows))
            while pending:
                step = pending[0]
                with self.begin_transaction(_per_migration=True):
                    found = self._rows_if_moved(rows, step)
                    if found is not None:
                        log.warning(
                            "The version table changed while this run waited (%s -> %s); "
                            "planning again",
                            ", ".join(rows) or "base",
                            ", ".join(found) or "base",
                        )
                        if replan is None:
                            raise MigrationError(
                                "The version table changed while this run waited; "
                                "another run migrated the database. Run the command again."
                            )
                        rows, pending = found, list(replan(found))
                        if not pending:
                            break
                        step = pending[0]
                    rows = self._run_step(step, operations, fn_kwargs, rows)
                    self._notify(MigrationInfo.from_step(step), rows, fn_kwargs)
                self._commit_between_migrations()
                pending.pop(0)
                if progress is not None:
                    progress.advance(f"{step.revision.revision} {step.revision.doc}")
            self._drop_journal_if_empty()
        finally:
            watching.close()
            if progress is not None:
                progress.finish()
        self._drop_version_table_if_empty(rows)
        return rows

    def _rows_if_moved(self, expected: Sequence[str], step: Step) -> tuple[str, ...] | None:
        """The rows found, if they are not those the step was planned from.

        Also when they equal ``expected`` but the step no longer applies:
        another run may have moved the table between the planning read and
        the first read of this run.

        Under a database lock (PostgreSQL, MySQL) no other run can move the
        table: reading it again before every migration would only cost.
        """
        if self.as_sql or not self.opts.transaction_per_migration or self._lock_held:
            return None
        found = self.get_current_heads()
        applies = all(
            (c.to_rev not in found) if c.kind == "insert" else (c.from_rev in found)
            for c in step.version_changes
        )
        return found if set(found) != set(expected) or not applies else None

    def _notify(self, info: MigrationInfo, rows: Sequence[str], run_args: dict[str, Any]) -> None:
        for callback in self.opts.on_version_apply:
            callback(ctx=self, step=info, heads=set(rows), run_args=run_args)

    def _run_step(
        self, step: Step, operations: Operations, fn_kwargs: dict[str, Any], rows: tuple[str, ...]
    ) -> tuple[str, ...]:
        """Run one migration and its version-table change; returns the rows after."""
        from schemadiff.operations import activate
        from schemadiff.revisions import load_module

        line = step.log_line()
        log.info("%s", line)
        self.write_comment(line)
        self._step = (step, rows)
        safe.start_migration(self)
        if self._ledger is not None:
            self._ledger.version_rows(rows)
            self._ledger.begin_step(step.revision.revision)
        try:
            with activate(operations), watching_step(self, step):
                try:
                    module = self.modules.get(step.revision.revision) or load_module(step.revision)
                    fn = getattr(module, step.verb, None)
                    if fn is None:
                        raise MigrationError(
                            f"Revision {step.revision.revision} ({step.revision.path}) "
                            f"has no {step.verb}()"
                        )
                    fn(**fn_kwargs)
                except BrokenPipeError:
                    raise  # the reader of --sql output left (| head): not the script's failure
                except (Exception, SystemExit) as exc:
                    raise self._failure(step, exc, rows) from exc
                for change in step.version_changes:
                    self.apply_version_change(change.kind, change.from_rev, change.to_rev)
            rows = apply_changes(rows, step.version_changes)
            if self._ledger is not None:
                with self._ledger.bookkeeping():
                    if self._journal is not None:
                        self._journal.clear(step.revision.revision)
                self._ledger.end_step(rows)
        finally:
            self._step = None
        return rows

    def preload(self, revisions: Iterable[Revision]) -> None:
        """Import every revision script before the first step runs, as the seeds'
        tool does: a script may use a module only another script imports."""
        from schemadiff.revisions import load_module

        for rev in revisions:
            if rev.revision not in self.modules and rev.path is not None:
                self.modules[rev.revision] = load_module(rev)
