"""The migration context: one connection (or one SQL output), one dialect.

What ``op.get_context()`` and env.py's ``context`` reach: statements run
online against the connection or are written offline as SQL text.  Its
other duties live beside it: transactions and the run lock in
``transactions``, the version table in ``version_table``, the failure
bookkeeping in ``bookkeeping``; stepping through revisions is the
``runner``'s, which is the only part that needs ``schemadiff.operations``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from sqlalchemy import MetaData
from sqlalchemy.engine import Connection, Dialect, RootTransaction
from sqlalchemy.sql.base import Executable

from schemadiff.dialects import DialectImpl, impl_for
from schemadiff.dialects.sqltext import PLAIN_TEXT_OPTIONS, plain_sql, tidy_script_text
from schemadiff.errors import MigrationError
from schemadiff.runtime.ledger import InterimCommit
from schemadiff.runtime.options_mapping import OptionsMapping
from schemadiff.runtime.progress import ProgressReporter
from schemadiff.runtime.version_table import VersionRows, version_table

if TYPE_CHECKING:
    from schemadiff.config import Config
    from schemadiff.revisions import VersionChange

    #: plans stamp changes from the version-table rows read under the lock
    StampPlan = Callable[[tuple[str, ...]], Sequence[VersionChange]]

log = logging.getLogger("schemadiff.runtime.migration")

#: psql and sqlite3 read CR LF as a line ending, even inside quotes, and drop the CR
CRLF_WARNING = (
    "Offline SQL holds a carriage return before a line feed in a quoted value or name "
    "(%s...); psql and sqlite3 drop that carriage return when they read the script"
)


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


class MigrationContext(VersionRows):
    """One run's connection (or SQL output) and dialect; see the module docstring."""

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
        log.info("Context impl %s.", type(self.impl).__name__)
        if self.transactional_ddl:
            log.info("Will assume transactional DDL.")
        else:
            log.info("Will assume non-transactional DDL.")

    # -- executing -----------------------------------------------------------
    def render(self, statement: str | Executable, *, literal_binds: bool = True) -> str:
        """Plain SQL of a statement with its values inlined, as offline mode writes it
        (no driver escaping: see ``dialects.sqltext``)."""
        return tidy_script_text(plain_sql(statement, self.dialect, literal_binds=literal_binds))

    def execute(
        self, statement: str | Executable, params: Any = None, *, literal_binds: bool = True
    ) -> Any:
        """Run it, or write it offline: with placeholders if not ``literal_binds``."""
        if self.as_sql:
            sql = self.render(statement, literal_binds=literal_binds)
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

    # -- running (``schemadiff.runtime.runner``) ------------------------------------
    def stamp(self, changes: Sequence[VersionChange] | StampPlan) -> tuple[str, ...]:
        """Apply version-table changes without running any script (``Runner.stamp``)."""
        from schemadiff.runtime.runner import Runner

        return Runner(self).stamp(changes)
