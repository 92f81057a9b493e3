"""``Operations``: what ``op.*`` calls inside a migration script reach.

Each directive builds a typed operation object and hands it to
``invoke``, which finds the implementation registered for its class.
Plugins add directives with ``Operations.register_operation(name)`` on an
operation class (which must offer a classmethod of that name building the
op) and say how to run it with ``Operations.implementation_for(OpClass)``.
The parameters are those of the seeds' directives; ``**kw`` carries only
what goes to SQLAlchemy or the DDL as it is (``postgresql_*``/``mysql_*``
dialect options, ``Table`` keywords).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    Identity,
    Index,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy.sql.schema import SchemaItem
from sqlalchemy.sql.selectable import TableClause

from schemadiff.errors import MigrationError
from schemadiff.operations.core import (
    NOT_GIVEN,
    DefaultArg,
    Expression,
    OperationsCore,
    TypeArg,
    activate,
    column_or_text,
    current_operations,
    dialect_keywords,
    ensure_fk_targets,
    given,
    untyped_column,
)
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
from schemadiff.slots import Implementation

if TYPE_CHECKING:
    from schemadiff.operations.batch import BatchOperations

__all__ = [
    "Operations",
    "activate",
    "current_operations",
    "dialect_keywords",
    "ensure_fk_targets",
]


class Operations(OperationsCore):
    """The directives.  ``self`` is positional-only where a directive takes
    ``**kw``, so ``op.<name>`` can carry the exact signature over."""

    _registered: dict[str, type[MigrateOperation]] = {}

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
        """Alembic's spelling of ``registries.operations.register`` (the plugin door)."""
        from schemadiff.plugins import default_registries

        def decorate(fn: Implementation) -> Implementation:
            default_registries().operations.register(op_cls, fn)
            return fn

        return decorate

    def invoke(self, operation: MigrateOperation) -> Any:
        from schemadiff.plugins import default_registries

        fn = default_registries().operations.lookup(operation)
        if fn is not None:
            return fn(self, operation)
        raise MigrationError(f"no implementation registered for {type(operation).__name__}")

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
        reflect_args: Sequence[Any] = (),
        reflect_kwargs: dict[str, Any] | None = None,
        naming_convention: dict[str, Any] | None = None,
    ) -> AbstractContextManager[BatchOperations]:
        """``with op.batch_alter_table("t") as batch_op:``; see ``schemadiff.operations.batch``.

        ``reflect_args``/``reflect_kwargs`` are accepted as the seeds' scripts pass
        them and not needed: the table is read from the catalog as a whole.
        """
        from schemadiff.operations.batch import BatchOperations

        batch = BatchOperations(
            self,
            table_name,
            schema,
            recreate=recreate,
            copy_from=copy_from,
            table_args=table_args,
            table_kwargs=table_kwargs or {},
            naming_convention=naming_convention,
            partial_reordering=partial_reordering,
        )
        return batch.running()

    def create_table(
        self, /, table_name: str, *columns: SchemaItem, if_not_exists: bool | None = None, **kw: Any
    ) -> Table:
        """``**kw`` are ``Table`` keywords: ``schema``, ``comment``, dialect options."""
        table = self._table(table_name, *columns, **kw)
        self.invoke(CreateTableOp(table, options=given(if_not_exists=if_not_exists)))
        return table

    def drop_table(
        self,
        /,
        table_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        options = given(if_exists=if_exists) | dialect_keywords(kw)
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
        options = given(if_not_exists=if_not_exists)
        self.invoke(AddColumnOp(table_name, column, schema, options=options))

    def drop_column(
        self,
        /,
        table_name: str,
        column_name: str,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        options = given(if_exists=if_exists) | dialect_keywords(kw)
        self.invoke(DropColumnOp(table_name, column_name, schema, options=options))

    def alter_column(
        self,
        /,
        table_name: str,
        column_name: str,
        *,
        nullable: bool | None = None,
        comment: str | Literal[False] | None = NOT_GIVEN,
        server_default: DefaultArg = NOT_GIVEN,
        new_column_name: str | None = None,
        type_: TypeArg | None = None,
        existing_type: TypeArg | None = None,
        existing_server_default: DefaultArg = None,
        existing_nullable: bool | None = None,
        existing_comment: str | None = None,
        identity: Identity | Literal[False] | None = NOT_GIVEN,
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
            if identity is NOT_GIVEN and server_default is not NOT_GIVEN:
                identity = server_default if isinstance(server_default, Identity) else None
            if existing_identity is None and isinstance(existing_server_default, Identity):
                existing_identity = existing_server_default
            server_default, existing_server_default = NOT_GIVEN, None
        op = AlterColumnOp(
            table_name,
            column_name,
            schema,
            nullable=Delta[Any](existing_nullable, nullable) if nullable is not None else None,
            # the old type may be unknown (None): the ALTER needs only the new one
            type=Delta[Any](existing_type, type_) if type_ is not None else None,
            server_default=(
                Delta(existing_server_default, server_default)
                if server_default is not NOT_GIVEN and server_default is not False
                else None
            ),
            comment=Delta(existing_comment, comment)
            if comment is not NOT_GIVEN and comment is not False
            else None,
            identity=Delta(existing_identity, identity)
            if identity is not NOT_GIVEN and identity is not False
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
        /,
        index_name: str | None,
        table_name: str,
        columns: Sequence[Expression],
        *,
        schema: str | None = None,
        unique: bool = False,
        if_not_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        cols = [column_or_text(c) for c in ([columns] if isinstance(columns, str) else columns)]
        # INCLUDE names columns that are not keys; the table must know them too.
        included = [
            untyped_column(c)
            for c in kw.get("postgresql_include") or ()
            if isinstance(c, str) and not any(isinstance(k, Column) and k.name == c for k in cols)
        ]
        table = self._table(
            table_name, *[c for c in cols if isinstance(c, Column)], *included, schema=schema
        )
        exprs = [table.c[c.name] if isinstance(c, Column) else c for c in cols]
        index = Index(index_name, *exprs, unique=unique, _table=table, **kw)
        self.invoke(CreateIndexOp(index, options=given(if_not_exists=if_not_exists)))

    def drop_index(
        self,
        /,
        index_name: str,
        table_name: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        options = given(if_exists=if_exists) | dialect_keywords(kw)
        self.invoke(DropIndexOp(index_name, table_name, schema, options=options))

    def create_unique_constraint(
        self,
        /,
        constraint_name: str | None,
        table_name: str,
        columns: Sequence[str],
        *,
        schema: str | None = None,
        **kw: Any,
    ) -> None:
        cols = [columns] if isinstance(columns, str) else list(columns)
        table = self._table(table_name, *[untyped_column(c) for c in cols], schema=schema)
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
        table = self._table(table_name, *[untyped_column(c) for c in columns], schema=schema)
        cons = PrimaryKeyConstraint(*columns, name=constraint_name)
        table.append_constraint(cons)
        self.invoke(AddConstraintOp(cons))

    def create_foreign_key(
        self,
        /,
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
                *[untyped_column(c) for c in remote_cols],
                schema=referent_schema,
            )
        prefix = f"{referent_schema}.{referent_table}" if referent_schema else referent_table
        source_cols = [untyped_column(c) for c in local_cols]
        if (referent_table, referent_schema) == (source_table, source_schema):
            source_cols += [untyped_column(c) for c in remote_cols if c not in local_cols]
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
        /,
        constraint_name: str | None,
        table_name: str,
        condition: Expression,
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
        /,
        constraint_name: str,
        table_name: str,
        type_: str | None = None,
        *,
        schema: str | None = None,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        options = given(if_exists=if_exists) | dialect_keywords(kw)
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
        self,
        table: Table | TableClause,
        rows: Sequence[dict[str, Any]],
        *,
        multiinsert: bool = True,
    ) -> None:
        """Insert ``rows``: with ``multiinsert`` (the default) in one
        ``executemany``; without it one INSERT per row, which lets rows differ in
        their keys or hold SQL expressions such as ``op.inline_literal()``.
        Offline each row is an INSERT with its values written in, whatever
        ``literal_binds`` says: a script has no rows to pass along."""
        ctx = self.migration_context
        if ctx.as_sql or not multiinsert:
            for row in rows:
                ctx.execute(table.insert().values(**row))
            return
        if rows:
            ctx.get_bind().execute(table.insert(), list(rows))
