"""What every ``Operations`` object has besides its directives: the migration
context it runs in, the throwaway tables directives build their objects on,
plain SQL execution, and the ``ContextVar`` that makes ``op.*`` find the
running migration.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Identity, MetaData, Table, literal, literal_column, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import ColumnClause, ColumnElement, TextClause, quoted_name
from sqlalchemy.sql.naming import conv
from sqlalchemy.sql.schema import FetchedValue, SchemaItem
from sqlalchemy.types import NULLTYPE, TypeEngine

from schemadiff.dialects.sqltext import plain_sql
from schemadiff.errors import CommandError

if TYPE_CHECKING:
    from schemadiff.operations.base import Operations
    from schemadiff.operations.target import MigrationTarget

#: what ``op.create_index`` and ``op.create_check_constraint`` take for an expression
Expression = str | ColumnElement[Any] | TextClause
#: a type as a script names it: an instance or the class (``sa.Integer``)
TypeArg = TypeEngine[Any] | type[TypeEngine[Any]]
#: a server default as a script gives it; ``False`` leaves it as it is
DefaultArg = str | bool | TextClause | FetchedValue | Identity | None


class _NotGiven:
    """The default of a parameter where None means something (drop the comment)."""

    def __repr__(self) -> str:
        return "<not given>"


NOT_GIVEN: Any = _NotGiven()


class OperationsCore:
    def __init__(self, migration_context: MigrationTarget) -> None:
        self.migration_context = migration_context
        self.impl = migration_context.impl
        #: plain directives SQLite's ALTER cannot do rebuild the table (see batch)
        self.implicit_recreate = True

    def _metadata(self) -> MetaData:
        """A MetaData carrying the target's naming convention, so None names get one."""
        target = self.migration_context.opts.target_metadata
        if isinstance(target, Sequence) and not isinstance(target, MetaData):
            target = target[0] if target else None
        convention = target.naming_convention if isinstance(target, MetaData) else None
        return MetaData(naming_convention=convention) if convention else MetaData()

    def _table(self, name: str, *items: SchemaItem, schema: str | None = None, **kw: Any) -> Table:
        table = Table(name, self._metadata(), *items, schema=schema, **kw)
        ensure_fk_targets(table)
        return table

    def execute(
        self, sqltext: str | Executable, execution_options: dict[str, Any] | None = None
    ) -> Any:
        """Run SQL (or write it, offline); returns the driver's result online.

        Offline, values in the statement are written into the SQL only with
        ``context.configure(literal_binds=True)`` (as the generated env.py
        sets it), as the seeds' tool does; ``op.inline_literal`` always is.
        """
        mc = self.migration_context
        statement = text(sqltext) if isinstance(sqltext, str) else sqltext
        if execution_options and not mc.as_sql:
            statement = statement.execution_options(**execution_options)
        return mc.execute(statement, literal_binds=mc.opts.literal_binds)

    def get_bind(self) -> Connection:
        return self.migration_context.get_bind()

    def get_context(self) -> MigrationTarget:
        return self.migration_context

    @staticmethod
    def f(name: str) -> conv:
        """Mark a name as final: naming conventions must not rewrite it."""
        return conv(name)

    def inline_literal(self, value: Any, type_: TypeEngine[Any] | None = None) -> ColumnClause[Any]:
        """A value rendered into the SQL text itself, so offline scripts carry it."""
        # plain SQL: executing the literal_column escapes '%' for the driver once
        return literal_column(
            plain_sql(literal(value, type_=type_), self.migration_context.dialect)
        )


_DIALECT_PREFIXES = ("postgresql_", "mysql_", "mariadb_", "sqlite_", "mssql_", "oracle_")


def dialect_keywords(kw: dict[str, Any]) -> dict[str, Any]:
    """The ``<dialect>_<option>`` keywords among a directive's ``**kw``: they reach the DDL."""
    return {k: v for k, v in kw.items() if k.startswith(_DIALECT_PREFIXES)}


def given(**kw: bool | None) -> dict[str, Any]:
    """``if_exists``/``if_not_exists`` when the script passed them."""
    return {k: v for k, v in kw.items() if v is not None}


def ensure_fk_targets(table: Table) -> None:
    """Give every foreign key a stub target table so its DDL can compile.

    A migration script names the referred table by string only; the real
    table lives in the database, not in this throwaway MetaData.
    """
    md = table.metadata
    for fk in [fk for c in table.columns for fk in c.foreign_keys] + [
        e for cons in table.foreign_key_constraints for e in cons.elements
    ]:
        spec = fk._get_colspec()
        parts = spec.split(".")
        if len(parts) < 2:
            continue
        col_name, table_name = parts[-1], parts[-2]
        ref_schema = ".".join(parts[:-2]) or None
        key = f"{ref_schema}.{table_name}" if ref_schema else table_name
        ref = md.tables.get(key)
        if ref is None:
            ref = Table(table_name, md, schema=ref_schema)
        if col_name not in ref.c:
            ref.append_column(untyped_column(col_name))


def untyped_column(name: str) -> Column[Any]:
    """A column known by name only: enough for constraint and index DDL."""
    return Column(name, NULLTYPE)


def column_or_text(c: Expression) -> ColumnElement[Any] | TextClause:
    if isinstance(c, str):
        return Column(quoted_name(c, None), NULLTYPE)
    return c


_current: ContextVar[Operations | None] = ContextVar("schemadiff_operations", default=None)


@contextmanager
def activate(operations: Operations) -> Iterator[Operations]:
    token = _current.set(operations)
    try:
        yield operations
    finally:
        _current.reset(token)


def current_operations() -> Operations:
    ops = _current.get()
    if ops is None:
        raise CommandError(
            "schemadiff.op is only available while a migration runs (inside upgrade()/downgrade())"
        )
    return ops
