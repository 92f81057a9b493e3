"""``Operations``: what ``op.*`` calls inside a migration script reach.

Each directive builds a typed operation object and hands it to
``invoke``, which finds the implementation registered for its class.
Plugins add directives with ``Operations.register_operation(name)`` on an
operation class (which must offer a classmethod of that name building the
op) and say how to run it with ``Operations.implementation_for(OpClass)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    Identity,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    literal_column,
    text,
)
from sqlalchemy.sql.elements import quoted_name
from sqlalchemy.sql.naming import conv

from schemadiff.dialects.sqltext import plain_sql
from schemadiff.errors import CommandError, MigrationError
from schemadiff.ops import (
    AddColumnOp,
    AddConstraintOp,
    AlterColumnOp,
    CreateIndexOp,
    CreateTableCommentOp,
    CreateTableOp,
    Delta,
    DropColumnOp,
    DropConstraintOp,
    DropIndexOp,
    DropTableCommentOp,
    DropTableOp,
    MigrateOperation,
    RenameTableOp,
)

if TYPE_CHECKING:
    from schemadiff.operations.target import MigrationTarget

Implementation = Callable[["Operations", Any], Any]

_NOT_GIVEN: Any = object()


class Operations:
    _implementations: dict[type[MigrateOperation], Implementation] = {}
    _registered: dict[str, type[MigrateOperation]] = {}

    def __init__(self, migration_context: MigrationTarget) -> None:
        self.migration_context = migration_context
        self.impl = migration_context.impl
        #: plain directives SQLite's ALTER cannot do rebuild the table (see batch)
        self.implicit_recreate = True

    # -- extension points ----------------------------------------------------
    @classmethod
    def register_operation(cls, name: str, sourcename: str | None = None) -> Callable[[type], type]:
        """Make ``op.<name>(...)`` build an instance of the decorated class and run it."""

        def decorate(op_cls: type) -> type:
            factory = getattr(op_cls, sourcename or name, None)
            if factory is None or not callable(factory):
                raise TypeError(
                    f"{op_cls.__name__} must define a classmethod {sourcename or name!r} "
                    "that builds the operation and calls operations.invoke()"
                )
            if hasattr(cls, name) and name not in cls._registered:
                raise ValueError(f"op.{name} already exists")

            def method(self: Operations, *args: Any, **kw: Any) -> Any:
                return factory(self, *args, **kw)

            method.__name__ = name
            method.__doc__ = factory.__doc__
            setattr(cls, name, method)
            cls._registered[name] = op_cls
            return op_cls

        return decorate

    @classmethod
    def implementation_for(
        cls, op_cls: type[MigrateOperation]
    ) -> Callable[[Implementation], Implementation]:
        def decorate(fn: Implementation) -> Implementation:
            cls._implementations[op_cls] = fn
            return fn

        return decorate

    def invoke(self, operation: MigrateOperation) -> Any:
        for klass in type(operation).__mro__:
            fn = self._implementations.get(klass)
            if fn is not None:
                return fn(self, operation)
        raise MigrationError(f"no implementation registered for {type(operation).__name__}")

    # -- helpers -------------------------------------------------------------
    def _metadata(self) -> MetaData:
        """A MetaData carrying the target's naming convention, so None names get one."""
        target = self.migration_context.opts.target_metadata
        if isinstance(target, Sequence) and not isinstance(target, MetaData):
            target = target[0] if target else None
        convention = target.naming_convention if isinstance(target, MetaData) else None
        return MetaData(naming_convention=convention) if convention else MetaData()

    def _table(self, name: str, *items: Any, schema: str | None = None, **kw: Any) -> Table:
        table = Table(name, self._metadata(), *items, schema=schema, **kw)
        ensure_fk_targets(table)
        return table

    def execute(self, sqltext: Any, execution_options: dict[str, Any] | None = None) -> Any:
        if isinstance(sqltext, str):
            sqltext = text(sqltext)
        if execution_options and not self.migration_context.as_sql:
            sqltext = sqltext.execution_options(**execution_options)
        return self.migration_context.execute(sqltext)

    def get_bind(self) -> Any:
        return self.migration_context.get_bind()

    def get_context(self) -> MigrationTarget:
        return self.migration_context

    @staticmethod
    def f(name: str) -> conv:
        """Mark a name as final: naming conventions must not rewrite it."""
        return conv(name)

    def inline_literal(self, value: Any, type_: Any = None) -> Any:
        """A value rendered into the SQL text itself, so offline scripts carry it."""
        from sqlalchemy import literal

        # plain SQL: executing the literal_column escapes '%' for the driver once
        return literal_column(
            plain_sql(literal(value, type_=type_), self.migration_context.dialect)
        )

    # -- directives ----------------------------------------------------------
    def batch_alter_table(
        self,
        table_name: str,
        schema: str | None = None,
        recreate: str = "auto",
        partial_reordering: Sequence[Sequence[str]] | None = None,
        copy_from: Table | None = None,
        table_args: Sequence[Any] = (),
        table_kwargs: dict[str, Any] | None = None,
        naming_convention: dict[str, Any] | None = None,
        **kw: Any,
    ) -> Any:
        """``with op.batch_alter_table("t") as batch_op:``; see ``schemadiff.operations.batch``."""
        from schemadiff.operations.batch import batch_alter_table

        return batch_alter_table(
            self,
            table_name,
            schema,
            recreate=recreate,
            partial_reordering=partial_reordering,
            copy_from=copy_from,
            table_args=table_args,
            table_kwargs=table_kwargs,
            naming_convention=naming_convention,
            **kw,
        )

    def create_table(
        self, table_name: str, *columns: Any, if_not_exists: bool | None = None, **kw: Any
    ) -> Table:
        table = self._table(table_name, *columns, **kw)
        self.invoke(CreateTableOp(table, options=_given(if_not_exists=if_not_exists)))
        return table

    def drop_table(
        self,
        table_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        options = _given(if_exists=if_exists) | dialect_keywords(kw)
        self.invoke(DropTableOp(table_name, schema, options=options))

    def rename_table(
        self, old_table_name: str, new_table_name: str, *, schema: str | None = None
    ) -> None:
        self.invoke(RenameTableOp(old_table_name, new_table_name, schema))

    def add_column(
        self,
        table_name: str,
        column: Column[Any],
        *,
        schema: str | None = None,
        if_not_exists: bool | None = None,
    ) -> None:
        if column.table is None:
            self._table(table_name, column, schema=schema)
        options = _given(if_not_exists=if_not_exists)
        self.invoke(AddColumnOp(table_name, column, schema, options=options))

    def drop_column(
        self,
        table_name: str,
        column_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        options = _given(if_exists=if_exists) | dialect_keywords(kw)
        self.invoke(DropColumnOp(table_name, column_name, schema, options=options))

    def alter_column(
        self,
        table_name: str,
        column_name: str,
        *,
        nullable: bool | None = None,
        comment: Any = _NOT_GIVEN,
        server_default: Any = _NOT_GIVEN,
        new_column_name: str | None = None,
        type_: Any = None,
        existing_type: Any = None,
        existing_server_default: Any = None,
        existing_nullable: bool | None = None,
        existing_comment: str | None = None,
        identity: Any = _NOT_GIVEN,
        existing_identity: Identity | None = None,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        """Change one column; each keyword left out leaves that attribute alone.

        ``identity=sa.Identity(...)`` makes the column an identity column,
        or, with ``existing_identity=`` saying what it is now, changes the
        options that differ; ``identity=None`` makes it a plain column again.
        The seeds' spelling, an ``Identity`` as ``server_default`` /
        ``existing_server_default``, means the same.
        """
        if isinstance(type_, type):
            type_ = type_()
        if isinstance(existing_type, type):
            existing_type = existing_type()
        if isinstance(server_default, Identity) or isinstance(existing_server_default, Identity):
            if identity is _NOT_GIVEN and server_default is not _NOT_GIVEN:
                identity = server_default if isinstance(server_default, Identity) else None
            if existing_identity is None and isinstance(existing_server_default, Identity):
                existing_identity = existing_server_default
            server_default, existing_server_default = _NOT_GIVEN, None
        op = AlterColumnOp(
            table_name,
            column_name,
            schema,
            nullable=Delta[Any](existing_nullable, nullable) if nullable is not None else None,
            type=Delta(existing_type, type_) if type_ is not None else None,
            server_default=(
                Delta(existing_server_default, server_default)
                if server_default is not _NOT_GIVEN and server_default is not False
                else None
            ),
            comment=Delta(existing_comment, comment)
            if comment is not _NOT_GIVEN and comment is not False
            else None,
            identity=Delta(existing_identity, identity)
            if identity is not _NOT_GIVEN and identity is not False
            else None,
            new_column_name=new_column_name,
            existing_type=existing_type,
            existing_nullable=existing_nullable,
            existing_server_default=existing_server_default,
            existing_comment=existing_comment,
            extra=kw,
        )
        self.invoke(op)

    def create_index(
        self,
        index_name: str | None,
        table_name: str,
        columns: Sequence[Any],
        *,
        schema: str | None = None,
        unique: bool = False,
        if_not_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        cols = [_column_or_text(c) for c in ([columns] if isinstance(columns, str) else columns)]
        # INCLUDE names columns that are not keys; the table must know them too.
        included = [
            Column(c, _null_type())
            for c in kw.get("postgresql_include") or ()
            if isinstance(c, str) and not any(isinstance(k, Column) and k.name == c for k in cols)
        ]
        table = self._table(
            table_name, *[c for c in cols if isinstance(c, Column)], *included, schema=schema
        )
        exprs = [table.c[c.name] if isinstance(c, Column) else c for c in cols]
        index = Index(index_name, *exprs, unique=unique, _table=table, **kw)
        self.invoke(CreateIndexOp(index, options=_given(if_not_exists=if_not_exists)))

    def drop_index(
        self,
        index_name: str,
        table_name: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        options = _given(if_exists=if_exists) | dialect_keywords(kw)
        self.invoke(DropIndexOp(index_name, table_name, schema, options=options))

    def create_unique_constraint(
        self,
        constraint_name: str | None,
        table_name: str,
        columns: Sequence[str],
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        cols = [columns] if isinstance(columns, str) else list(columns)
        table = self._table(table_name, *[Column(c, _null_type()) for c in cols], schema=schema)
        cons = UniqueConstraint(*cols, name=constraint_name, **kw)
        table.append_constraint(cons)
        self.invoke(AddConstraintOp(cons))

    def create_primary_key(
        self,
        constraint_name: str | None,
        table_name: str,
        columns: Sequence[str],
        *,
        schema: str | None = None,
    ) -> None:
        table = self._table(table_name, *[Column(c, _null_type()) for c in columns], schema=schema)
        cons = PrimaryKeyConstraint(*columns, name=constraint_name)
        table.append_constraint(cons)
        self.invoke(AddConstraintOp(cons))

    def create_foreign_key(
        self,
        constraint_name: str | None,
        source_table: str,
        referent_table: str,
        local_cols: Sequence[str],
        remote_cols: Sequence[str],
        *,
        onupdate: str | None = None,
        ondelete: str | None = None,
        deferrable: bool | None = None,
        initially: str | None = None,
        match: str | None = None,
        source_schema: str | None = None,
        referent_schema: str | None = None,
        **kw: Any,
    ) -> None:
        md = self._metadata()
        if (referent_table, referent_schema) != (source_table, source_schema):
            Table(
                referent_table,
                md,
                *[Column(c, _null_type()) for c in remote_cols],
                schema=referent_schema,
            )
        prefix = f"{referent_schema}.{referent_table}" if referent_schema else referent_table
        source_cols = [Column(c, _null_type()) for c in local_cols]
        if (referent_table, referent_schema) == (source_table, source_schema):
            source_cols += [Column(c, _null_type()) for c in remote_cols if c not in local_cols]
        table = Table(source_table, md, *source_cols, schema=source_schema)
        cons = ForeignKeyConstraint(
            list(local_cols),
            [f"{prefix}.{c}" for c in remote_cols],
            name=constraint_name,
            onupdate=onupdate,
            ondelete=ondelete,
            deferrable=deferrable,
            initially=initially,
            match=match,
            **kw,
        )
        table.append_constraint(cons)
        self.invoke(AddConstraintOp(cons))

    def create_check_constraint(
        self,
        constraint_name: str | None,
        table_name: str,
        condition: Any,
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        table = self._table(table_name, schema=schema)
        cons = CheckConstraint(
            text(condition) if isinstance(condition, str) else condition, name=constraint_name, **kw
        )
        table.append_constraint(cons)
        self.invoke(AddConstraintOp(cons))

    def drop_constraint(
        self,
        constraint_name: str,
        table_name: str,
        type_: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        options = _given(if_exists=if_exists) | dialect_keywords(kw)
        self.invoke(DropConstraintOp(constraint_name, table_name, type_, schema, options=options))

    def create_table_comment(
        self,
        table_name: str,
        comment: str,
        *,
        existing_comment: str | None = None,
        schema: str | None = None,
    ) -> None:
        self.invoke(CreateTableCommentOp(table_name, comment, schema, existing_comment))

    def drop_table_comment(
        self, table_name: str, *, existing_comment: str | None = None, schema: str | None = None
    ) -> None:
        self.invoke(DropTableCommentOp(table_name, schema, existing_comment))

    def bulk_insert(
        self, table: Table, rows: Sequence[dict[str, Any]], *, multiinsert: bool = True
    ) -> None:
        ctx = self.migration_context
        if ctx.as_sql:
            for row in rows:
                ctx.execute(table.insert().values(**row))
            return
        if rows:
            ctx.get_bind().execute(table.insert(), list(rows))


_DIALECT_PREFIXES = ("postgresql_", "mysql_", "mariadb_", "sqlite_", "mssql_", "oracle_")


def dialect_keywords(kw: dict[str, Any]) -> dict[str, Any]:
    """The ``<dialect>_<option>`` keywords among a directive's ``**kw``: they reach the DDL."""
    return {k: v for k, v in kw.items() if k.startswith(_DIALECT_PREFIXES)}


def _given(**kw: bool | None) -> dict[str, Any]:
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
            ref.append_column(Column(col_name, _null_type()))


def _null_type() -> Any:
    from sqlalchemy.types import NULLTYPE

    return NULLTYPE


def _column_or_text(c: Any) -> Any:
    if isinstance(c, str):
        return Column(quoted_name(c, None), _null_type())
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
