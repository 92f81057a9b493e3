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
from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import CreateTable, DropTable
from sqlalchemy.sql.base import Executable

from schemadiff.dialects import DialectImpl, impl_for
from schemadiff.errors import MigrationError, SchemaDiffError
from schemadiff.runtime import sqlite_txn
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

log = logging.getLogger("schemadiff.runtime.migration")

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
    progress: ProgressReporter | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    #: every keyword env.py gave ``context.configure()``, for ``opts[...]`` reads
    configured: dict[str, Any] = field(default_factory=dict, repr=False)


class MigrationContext:
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
        #: the running ``Config`` (set by the environment that configured this context)
        self.config: Config | None = None
        #: work committed before a migration's transaction ended, by the script's own
        #: commit or an autocommit block: a later failure's rollback does not undo it
        self.interim_commits: list[InterimCommit] = []
        #: every revision script, imported before the first step runs (``preload``)
        self.modules: dict[str, ModuleType] = {}
        self._step: Step | None = None
        self._watch: ScriptCommitWatch | None = None
        log.info("Context impl %s.", type(self.impl).__name__)
        if self.transactional_ddl:
            log.info("Will assume transactional DDL.")
        else:
            log.info("Will assume non-transactional DDL.")

    # -- executing -----------------------------------------------------------
    def render(self, statement: str | Executable) -> str:
        """SQL text of a statement with its values inlined, as offline mode writes it."""
        if isinstance(statement, str):
            text = statement
        else:
            compiled = statement.compile(  # type: ignore[attr-defined]
                dialect=self.dialect, compile_kwargs={"literal_binds": True}
            )
            text = str(compiled)
        return "\n".join(line.rstrip() for line in text.strip().splitlines())

    def execute(self, statement: str | Executable, params: Any = None) -> Any:
        if self.as_sql:
            self.output_buffer.write(self.render(statement) + ";\n\n")
            return None
        conn = self.get_bind()
        if isinstance(statement, str):
            return conn.exec_driver_sql(statement)
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
        if self._step is not None:
            step = self._step
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
        if self.as_sql:
            if self._offline_in_transaction:
                self.output_buffer.write("COMMIT;\n\n")
            yield
            if self._offline_in_transaction:
                self.output_buffer.write(self._begin_sql() + "\n\n")
            return
        with online_autocommit_block(self):
            yield

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

    def _drop_version_table_if_empty(self, rows: Sequence[str]) -> None:
        """Offline, a script that ends at base also removes the table it started with."""
        if self.as_sql and not rows:
            self.execute(DropTable(self.version_table))

    # -- stamping ----------------------------------------------------------------
    def stamp(self, changes: Sequence[VersionChange]) -> tuple[str, ...]:
        """Apply version-table changes without running any script; returns the rows after."""
        from schemadiff.revisions import apply_changes

        with self.run_lock():
            rows = self.get_current_heads()
            if not changes:
                return rows
            self._prepare_version_table(rows, any(c.kind == "insert" for c in changes))
            with self.begin_transaction(_per_migration=True):
                for change in changes:
                    self.apply_version_change(change.kind, change.from_rev, change.to_rev)
                    rows = apply_changes(rows, [change])
                    self._notify(MigrationInfo.from_stamp(change), rows, {})
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
        from schemadiff.revisions import apply_changes

        rows = self.get_current_heads()
        pending = list(steps)
        if not pending:
            return rows
        self._prepare_version_table(rows, pending[0].is_upgrade)
        operations = Operations(self)
        progress = self.opts.progress if not self.as_sql and len(pending) > 1 else None
        if progress is not None:
            progress.start(len(pending))
        try:
            while pending:
                step = pending[0]
                with self.begin_transaction(_per_migration=True):
                    found = self._rows_if_moved(rows)
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
                    self._run_step(step, operations, fn_kwargs, rows)
                    rows = apply_changes(rows, step.version_changes)
                    self._notify(MigrationInfo.from_step(step), rows, fn_kwargs)
                pending.pop(0)
                if progress is not None:
                    progress.advance(f"{step.revision.revision} {step.revision.doc}")
        finally:
            if progress is not None:
                progress.finish()
        self._drop_version_table_if_empty(rows)
        return rows

    def _rows_if_moved(self, expected: Sequence[str]) -> tuple[str, ...] | None:
        # Under a database lock (PostgreSQL, MySQL) no other run can move the
        # table: reading it again before every migration would only cost.
        if self.as_sql or not self.opts.transaction_per_migration or self._lock_held:
            return None
        found = self.get_current_heads()
        return found if set(found) != set(expected) else None

    def _notify(self, info: MigrationInfo, rows: Sequence[str], run_args: dict[str, Any]) -> None:
        for callback in self.opts.on_version_apply:
            callback(ctx=self, step=info, heads=set(rows), run_args=run_args)

    def _run_step(
        self, step: Step, operations: Operations, fn_kwargs: dict[str, Any], rows: Sequence[str]
    ) -> None:
        from schemadiff.operations import activate
        from schemadiff.revisions import load_module

        line = step.log_line()
        log.info("%s", line)
        self.write_comment(line)
        module = self.modules.get(step.revision.revision) or load_module(step.revision)
        name = step.verb
        fn = getattr(module, name, None)
        if fn is None:
            raise MigrationError(
                f"Revision {step.revision.revision} ({step.revision.path}) has no {name}()"
            )
        with activate(operations), watching_step(self, step):
            try:
                fn(**fn_kwargs)
            except Exception as exc:
                raise self._failure(step, exc, rows) from exc
            for change in step.version_changes:
                self.apply_version_change(change.kind, change.from_rev, change.to_rev)

    def preload(self, revisions: Iterable[Revision]) -> None:
        """Import every revision script before the first step runs, as the seeds'
        tool does: a script may use a module only another script imports."""
        from schemadiff.revisions import load_module

        for rev in revisions:
            if rev.revision not in self.modules and rev.path is not None:
                self.modules[rev.revision] = load_module(rev)

    def _failure(self, step: Step, exc: Exception, rows: Sequence[str]) -> MigrationError:
        """A message naming the revision, its file, the error and the statement."""
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
            text = " ".join(statement.split())
            lines.append(f"  Statement: {text[:500]}{'...' if len(text) > 500 else ''}")
        current = ", ".join(rows) or "base"
        if self.as_sql:
            pass
        elif self.transactional_ddl and self._transaction is not None:
            scope = "migration" if self.opts.transaction_per_migration else "run"
            lines.append(
                f"  Rolled back: schema and version table are as before this {scope} "
                f"(version table at {current if scope == 'migration' else 'its start'})."
            )
        else:
            lines.append(
                f"  {self.dialect.name} DDL is not transactional: statements of this migration "
                f"that ran before the failure remain applied; the version table still says "
                f"{current}."
            )
        return MigrationError("\n".join(lines))
