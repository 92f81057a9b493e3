"""SQLite: transactional DDL, but almost no ALTER (batch mode recreates tables)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import CheckConstraint, Column

from schemadiff.dialects.base import DialectImpl

if TYPE_CHECKING:  # annotations only: the runner needs no ops package to connect
    from sqlalchemy.engine import Connection

    from schemadiff.ops.schema_ops import AlterColumnOp


class SQLiteImpl(DialectImpl):
    name: ClassVar[str] = "sqlite"
    # pysqlite runs DDL inside the transaction SQLAlchemy begins, and SQLite
    # rolls it back like any other statement.
    transactional_ddl: ClassVar[bool] = True
    supports_alter_column: ClassVar[bool] = False
    reflects_expression_indexes: ClassVar[bool] = False
    inline_column_constraints: ClassVar[bool] = True
    column_exists_guards: ClassVar[bool] = False
    autocommit_by_isolation: ClassVar[bool] = False
    display_name = "SQLite"

    # The driver is switched to manual transactions for the length of a migration
    # transaction, with foreign-key enforcement deferred to its COMMIT, and the
    # BEGIN is schemadiff's: IMMEDIATE, the run lock, when the run writes.
    def transaction_scope(
        self, conn: Connection
    ) -> contextlib.AbstractContextManager[Callable[[], None]]:
        from schemadiff.backends.sqlite.transactions import migration_transaction_scope

        return migration_transaction_scope(conn)

    def changes_views_cannot_survive(
        self, schema: str | None, table: str, op: Any
    ) -> Iterable[tuple[str | None, str, str | None]]:
        # every change but these rebuilds the table, and the rename at the end
        # of a rebuild fails while a view names the table
        from schemadiff.ops import AddColumnOp, CreateIndexOp, DropIndexOp

        if not isinstance(op, (AddColumnOp, CreateIndexOp, DropIndexOp)):
            yield (schema, table, None)

    def explicit_begin(self, lock_run: bool) -> str | None:
        return "BEGIN IMMEDIATE" if lock_run else "BEGIN"

    def begin_transaction(self, conn: Connection, *, lock_run: bool, lock_timeout: float) -> None:
        if lock_run:
            from schemadiff.backends.sqlite.transactions import begin_immediate

            begin_immediate(conn, lock_timeout)
        else:
            conn.exec_driver_sql("BEGIN")

    # Declared names SQLite treats alike (SQLite 3 docs, "Datatypes", 3.1).
    type_synonyms = (
        frozenset({"NUMERIC", "DECIMAL"}),
        frozenset({"INT", "INTEGER"}),
        frozenset({"BOOL", "BOOLEAN"}),
    )

    def effective_nullable(self, table: Any, column: Any) -> bool:
        # A column declared exactly INTEGER PRIMARY KEY aliases the rowid and
        # can never be NULL, though PRAGMA table_info reports notnull=0
        # (SQLite docs, "ROWIDs and the INTEGER PRIMARY KEY").
        pk = table.primary_key.columns if table is not None and table.primary_key else ()
        if pk == (column.name,) and self.compile_type(column.type) == "INTEGER":
            return False
        return bool(column.nullable)

    def column_comment(
        self, table_name: str, column_name: str, comment: str | None, schema: str | None
    ) -> list[str]:
        return []  # SQLite has no comments

    def table_comment(self, table_name: str, comment: str | None, schema: str | None) -> list[str]:
        return []

    # -- what ALTER TABLE can do (SQLite docs, "ALTER TABLE"; 3.35 for DROP COLUMN) --
    def batch_needs_recreate(self, op: Any, table: Any = None) -> bool:
        from schemadiff.ops import (
            AddColumnOp,
            AddConstraintOp,
            AlterColumnOp,
            DropColumnOp,
            DropConstraintOp,
        )

        if isinstance(op, AddColumnOp):
            return not self._can_add_column(op.column)
        if isinstance(op, DropColumnOp):
            # DROP COLUMN refuses keys, indexed, referenced or checked columns.
            return table is not None and bool(table.column_is_constrained(op.column_name))
        if isinstance(op, AlterColumnOp):
            # RENAME COLUMN is native; comments do not exist here.
            return bool(op.nullable or op.type or op.server_default)
        return isinstance(op, (AddConstraintOp, DropConstraintOp))

    def _can_add_column(self, column: Column[Any]) -> bool:
        if column.primary_key or column.unique or column.computed is not None:
            return False
        default = self.default_sql(column.server_default)
        if not column.nullable and default is None:
            return False  # NOT NULL needs a default for the existing rows
        if default is not None:
            upper = default.strip().upper()
            if upper.startswith("(") or upper in _NOT_CONSTANT:
                return False
            if column.foreign_keys and upper != "NULL":
                return False  # REFERENCES requires a NULL default
        # A name on a column-level REFERENCES is not reported back by reflection
        # (SQLAlchemy 2.1); a rebuilt table carries it as a table constraint.
        return not any(
            fk.constraint is not None and fk.constraint.name for fk in column.foreign_keys
        )

    def add_column(self, table_name: str, column: Column[Any], schema: str | None) -> list[str]:
        """ADD COLUMN with its REFERENCES and type CHECK inline, as SQLite takes them."""
        spec = self.column_spec(table_name, column, schema)
        q = self.preparer.quote
        for fk in column.foreign_keys:
            *_, ref_table, ref_col = fk._get_colspec().split(".")
            clause = f"REFERENCES {q(ref_table)} ({q(ref_col)})"
            for verb, action in (("DELETE", fk.ondelete), ("UPDATE", fk.onupdate)):
                if action:
                    clause += f" ON {verb} {action}"
            name = fk.constraint.name if fk.constraint is not None else None
            spec += f" CONSTRAINT {q(str(name))} {clause}" if name else f" {clause}"
        compiler = self.ddl_compiler()
        checks = [c for c in column.constraints if isinstance(c, CheckConstraint)]
        if column.table is not None:
            checks += [
                c
                for c in column.table.constraints
                if isinstance(c, CheckConstraint) and getattr(c, "_type_bound", False)
            ]
        for cons in checks:
            spec += " " + compiler.process(cons)
        return [f"ALTER TABLE {self.quote_table(table_name, schema)} ADD COLUMN {spec}"]

    def alter_column(self, op: AlterColumnOp) -> list[str]:
        if op.new_column_name and not self.batch_needs_recreate(op):
            table = self.quote_table(op.table_name, op.schema)
            return [
                f"ALTER TABLE {table} RENAME COLUMN {self.preparer.quote(op.column_name)} "
                f"TO {self.preparer.quote(op.new_column_name)}"
            ]
        if not self.batch_needs_recreate(op):
            return []  # a comment: SQLite keeps none
        return super().alter_column(op)


_NOT_CONSTANT = frozenset({"CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP"})
