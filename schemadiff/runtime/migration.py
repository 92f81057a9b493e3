"""The migration context: one connection (or one SQL output), one dialect.

It owns the version table and runs planned steps, online against a
connection or offline as SQL text written to a buffer.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from sqlalchemy import MetaData, delete, insert, select, update
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.schema import CreateTable
from sqlalchemy.sql.elements import ClauseElement

from schemadiff.dialects import DialectImpl, impl_for
from schemadiff.errors import MigrationError
from schemadiff.runtime.version_table import version_table

log = logging.getLogger("schemadiff.runtime.migration")


@dataclass
class MigrationOptions:
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
    extra: dict[str, Any] = field(default_factory=dict)


@contextlib.contextmanager
def _sqlite_explicit_begin(conn: Connection) -> Iterator[None]:
    """Let SQLite's DDL roll back.

    Python's sqlite3 driver (legacy transaction control, the default before
    3.12's ``autocommit``) opens a transaction only before INSERT/UPDATE/
    DELETE, so a CREATE TABLE commits on its own and a failed migration
    would leave half its DDL behind.  For the length of the migration the
    driver is switched to manual mode and BEGIN is issued explicitly.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    dbapi_conn = conn.connection.dbapi_connection
    saved = getattr(dbapi_conn, "isolation_level", None)
    if saved is None:
        yield
        return
    dbapi_conn.isolation_level = None  # type: ignore[union-attr]
    try:
        yield
    finally:
        dbapi_conn.isolation_level = saved  # type: ignore[union-attr]


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
        log.info("Context impl %s.", type(self.impl).__name__)
        if self.transactional_ddl:
            log.info("Will assume transactional DDL.")
        else:
            log.info("Will assume non-transactional DDL.")

    # -- executing -----------------------------------------------------------
    def execute(self, statement: str | ClauseElement, params: Any = None) -> Any:
        if self.as_sql:
            if isinstance(statement, str):
                text = statement
            else:
                text = str(
                    statement.compile(dialect=self.dialect, compile_kwargs={"literal_binds": True})
                )
            self.output_buffer.write(text.strip() + ";\n\n")
            return None
        assert self.connection is not None
        if isinstance(statement, str):
            return self.connection.exec_driver_sql(statement)
        return (
            self.connection.execute(statement, params)
            if params
            else self.connection.execute(statement)
        )

    def bind(self) -> Connection:
        if self.connection is None:
            raise MigrationError("no database connection in offline (--sql) mode")
        return self.connection

    # -- transactions --------------------------------------------------------
    @contextlib.contextmanager
    def begin_transaction(self, _per_migration: bool = False) -> Iterator[None]:
        """A transaction around the run, or around one migration.

        With ``transaction_per_migration`` the outer call is a no-op and each
        migration gets its own; an already-begun external transaction is
        left to its owner.
        """
        if self.opts.transaction_per_migration != _per_migration:
            yield
            return
        if self.as_sql:
            if self.transactional_ddl:
                self.output_buffer.write(self._begin_sql() + "\n\n")
            yield
            if self.transactional_ddl:
                self.output_buffer.write("COMMIT;\n\n")
            return
        conn = self.bind()
        if conn.in_transaction():
            yield
            return
        with _sqlite_explicit_begin(conn), conn.begin():
            if self.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN")
            yield

    def _begin_sql(self) -> str:
        return "START TRANSACTION;" if self.dialect.name in ("mysql", "mariadb") else "BEGIN;"

    # -- version table ---------------------------------------------------------
    def _has_version_table(self) -> bool:
        from sqlalchemy import inspect

        return inspect(self.bind()).has_table(
            self.version_table.name, schema=self.version_table.schema
        )

    def ensure_version_table(self) -> None:
        if self.as_sql:
            self.execute(CreateTable(self.version_table))
            return
        if not self._has_version_table():
            self.execute(CreateTable(self.version_table))

    def get_current_heads(self) -> tuple[str, ...]:
        if self.as_sql:
            start = self.opts.starting_version
            return tuple(start.split(",")) if start else ()
        if not self._has_version_table():
            return ()
        rows = self.bind().execute(select(self.version_table.c.version_num)).scalars().all()
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

    # -- running ---------------------------------------------------------------
    def run_steps(self, steps: Sequence[Any], fn_kwargs: dict[str, Any]) -> None:
        from schemadiff.operations import Operations, activate
        from schemadiff.revisions import load_module

        heads = self.get_current_heads()
        if not self.as_sql and not self._has_version_table() and steps:
            with self.begin_transaction(_per_migration=True):
                self.ensure_version_table()
        elif self.as_sql and not heads and steps and steps[0].is_upgrade:
            self.ensure_version_table()
        operations = Operations(self)
        for step in steps:
            with self.begin_transaction(_per_migration=True):
                line = step.log_line()
                log.info("%s", line)
                if self.as_sql:
                    self.output_buffer.write(f"-- {line}\n\n")
                module = load_module(step.revision)
                name = "upgrade" if step.is_upgrade else "downgrade"
                fn = getattr(module, name, None)
                if fn is None:
                    raise MigrationError(
                        f"Revision {step.revision.revision} ({step.revision.path}) has no {name}()"
                    )
                with activate(operations):
                    try:
                        fn(**fn_kwargs)
                    except MigrationError:
                        raise
                    except Exception as exc:
                        raise MigrationError(
                            f"{name} of revision {step.revision.revision} "
                            f"({step.revision.path}) failed: {exc}"
                        ) from exc
                for change in step.version_changes:
                    self.apply_version_change(change.kind, change.from_rev, change.to_rev)
                for callback in self.opts.on_version_apply:
                    callback(ctx=self, step=step, heads=None, run_args=fn_kwargs)
