"""``op.batch_alter_table()``: ALTERs where they work, move-and-copy where not.

Inside the block, ``batch_op.<directive>`` collects operations for one
table.  When the block ends they run: as ordinary ALTER statements when the
backend can perform every one of them, or by rebuilding the table
("move and copy", ``batch_recreate``) when it cannot (SQLite, whose ALTER
TABLE adds, renames and drops plain columns and little else), or always
with ``recreate="always"``.

Plain ``op.*`` directives on SQLite go through the same door
(``recreate_if_needed``), so a script written for PostgreSQL runs on
SQLite too when a database is at hand to reflect.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Column, Identity, MetaData, Table

from schemadiff.errors import MigrationError
from schemadiff.operations.base import Operations
from schemadiff.operations.core import NOT_GIVEN, DefaultArg, Expression, TypeArg
from schemadiff.ops import (
    AddColumnOp,
    AddConstraintOp,
    AlterColumnOp,
    CreateIndexOp,
    CreateTableCommentOp,
    DropColumnOp,
    DropConstraintOp,
    DropIndexOp,
    DropTableCommentOp,
    MigrateOperation,
)

if TYPE_CHECKING:
    from schemadiff.operations.batch_table import Rebuild

RECREATE_CHOICES = ("auto", "always", "never")


class BatchOperations(Operations):
    """``batch_op``: the directives of ``op`` without table and schema arguments."""

    def __init__(
        self,
        parent: Operations,
        table_name: str,
        schema: str | None,
        *,
        recreate: str,
        copy_from: Table | None,
        table_args: Sequence[Any],
        table_kwargs: dict[str, Any],
        naming_convention: dict[str, Any] | None,
        partial_reordering: Sequence[Sequence[str]] | None,
    ) -> None:
        super().__init__(parent.migration_context)
        if recreate not in RECREATE_CHOICES:
            raise MigrationError(
                f"batch_alter_table(recreate={recreate!r}): expected one of "
                + ", ".join(repr(c) for c in RECREATE_CHOICES)
            )
        self.parent = parent
        self.table_name = table_name
        self.schema = schema
        self.recreate = recreate
        self.copy_from = copy_from
        self.table_args = tuple(table_args)
        self.table_kwargs = dict(table_kwargs)
        self.naming_convention = naming_convention
        self.partial_reordering = partial_reordering
        self.collected: list[tuple[MigrateOperation, dict[str, Any]]] = []
        self._hints: dict[str, Any] = {}

    def _metadata(self) -> MetaData:
        if self.naming_convention:
            return MetaData(naming_convention=self.naming_convention)
        return super()._metadata()

    def invoke(self, operation: MigrateOperation) -> Any:
        self.collected.append((operation, self._hints))
        self._hints = {}
        return None

    # -- directives, table and schema implied ----------------------------------
    def add_column(  # type: ignore[override]
        self,
        column: Column[Any],
        *,
        insert_before: str | None = None,
        insert_after: str | None = None,
        if_not_exists: bool | None = None,
    ) -> None:
        if insert_before and insert_after:
            raise MigrationError("add_column() takes insert_before or insert_after, not both")
        self._hints = {"insert_before": insert_before, "insert_after": insert_after}
        super().add_column(self.table_name, column, schema=self.schema, if_not_exists=if_not_exists)

    def drop_column(  # type: ignore[override]
        self, column_name: str, *, if_exists: bool | None = None, **kw: Any
    ) -> None:
        super().drop_column(
            self.table_name, column_name, schema=self.schema, if_exists=if_exists, **kw
        )

    def alter_column(  # type: ignore[override]
        self,
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
        **kw: Any,
    ) -> None:
        super().alter_column(
            self.table_name,
            column_name,
            nullable=nullable,
            comment=comment,
            server_default=server_default,
            new_column_name=new_column_name,
            type_=type_,
            existing_type=existing_type,
            existing_server_default=existing_server_default,
            existing_nullable=existing_nullable,
            existing_comment=existing_comment,
            identity=identity,
            existing_identity=existing_identity,
            schema=self.schema,
            **kw,
        )

    def create_index(  # type: ignore[override]
        self,
        index_name: str | None,
        columns: Sequence[Expression],
        *,
        unique: bool = False,
        if_not_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        super().create_index(
            index_name,
            self.table_name,
            columns,
            schema=self.schema,
            unique=unique,
            if_not_exists=if_not_exists,
            **kw,
        )

    def drop_index(  # type: ignore[override]
        self, index_name: str, *, if_exists: bool | None = None, **kw: Any
    ) -> None:
        super().drop_index(
            index_name, self.table_name, schema=self.schema, if_exists=if_exists, **kw
        )

    def create_unique_constraint(  # type: ignore[override]
        self, constraint_name: str | None, columns: Sequence[str], **kw: Any
    ) -> None:
        super().create_unique_constraint(
            constraint_name, self.table_name, columns, schema=self.schema, **kw
        )

    def create_primary_key(  # type: ignore[override]
        self, constraint_name: str | None, columns: Sequence[str]
    ) -> None:
        super().create_primary_key(constraint_name, self.table_name, columns, schema=self.schema)

    def create_foreign_key(  # type: ignore[override]
        self,
        constraint_name: str | None,
        referent_table: str,
        local_cols: Sequence[str],
        remote_cols: Sequence[str],
        *,
        referent_schema: str | None = None,
        onupdate: str | None = None,
        ondelete: str | None = None,
        deferrable: bool | None = None,
        initially: str | None = None,
        match: str | None = None,
        **kw: Any,
    ) -> None:
        super().create_foreign_key(
            constraint_name,
            self.table_name,
            referent_table,
            local_cols,
            remote_cols,
            source_schema=self.schema,
            referent_schema=referent_schema,
            onupdate=onupdate,
            ondelete=ondelete,
            deferrable=deferrable,
            initially=initially,
            match=match,
            **kw,
        )

    def create_check_constraint(  # type: ignore[override]
        self, constraint_name: str | None, condition: Expression, **kw: Any
    ) -> None:
        super().create_check_constraint(
            constraint_name, self.table_name, condition, schema=self.schema, **kw
        )

    def drop_constraint(  # type: ignore[override]
        self,
        constraint_name: str,
        type_: str | None = None,
        *,
        if_exists: bool | None = None,
        **kw: Any,
    ) -> None:
        super().drop_constraint(
            constraint_name,
            self.table_name,
            type_,
            schema=self.schema,
            if_exists=if_exists,
            **kw,
        )

    def create_table_comment(  # type: ignore[override]
        self, comment: str, *, existing_comment: str | None = None
    ) -> None:
        super().create_table_comment(
            self.table_name, comment, existing_comment=existing_comment, schema=self.schema
        )

    def drop_table_comment(  # type: ignore[override]
        self, *, existing_comment: str | None = None
    ) -> None:
        super().drop_table_comment(
            self.table_name, existing_comment=existing_comment, schema=self.schema
        )

    # -- running ---------------------------------------------------------------
    @contextmanager
    def running(self) -> Iterator[BatchOperations]:
        """The ``with`` block: directives collect inside it and run when it ends."""
        yield self
        self.flush()

    def flush(self) -> None:
        ops = self.collected
        if not ops and self.recreate != "always":
            return
        mc = self.migration_context
        impl = self.impl
        if self.recreate == "never":
            with no_implicit_recreate(self.parent):
                for op, _ in ops:
                    self.parent.invoke(op)
            return
        model = self._model(required=False)
        needed = (
            self.recreate == "always"
            or _copy_asked(impl, [op for op, _ in ops], model, self.copy_from is not None)
            or _needs_recreate(
                impl,
                [op for op, _ in ops],
                model,
                bool(self.partial_reordering)
                or any(h.get("insert_before") or h.get("insert_after") for _, h in ops),
            )
        )
        if not needed:
            with no_implicit_recreate(self.parent):
                for op, _ in ops:
                    self.parent.invoke(op)
            return
        if model is None:
            model = self._model(required=True, reason=[op for op, _ in ops])
        assert model is not None
        model.apply_table_args(self.table_args, self.table_kwargs, mc.dialect)
        for op, hints in ops:
            apply_to_model(model, op, hints, self)
        model.reorder(self.partial_reordering)
        from schemadiff.operations.batch_recreate import recreate_table

        recreate_table(self.parent, model, from_copy=self.copy_from is not None)

    def _model(self, required: bool, reason: Sequence[MigrateOperation] = ()) -> Rebuild | None:
        from schemadiff.operations.batch_reflect import from_table, reflect_table

        mc = self.migration_context
        if self.copy_from is not None:
            return from_table(self.copy_from, mc.dialect, self.naming_convention)
        if mc.as_sql:
            if required:
                raise offline_error(self.impl.name, self.table_name, self.schema, reason)
            return None
        if not required and self.impl.supports_alter_column and self.recreate == "auto":
            return None  # ALTER does everything here: no need to look at the table
        return reflect_table(mc.get_bind(), self.table_name, self.schema, self.naming_convention)


def _copy_asked(
    impl: Any, ops: Sequence[MigrateOperation], model: Rebuild | None, copy_from: bool
) -> bool:
    """``copy_from=`` on a backend without a full ALTER TABLE (SQLite) asks for move and copy.

    The table given is the one to copy from, so every change except a plain
    added column or an index goes through the rebuild, as SPEC says batch
    mode on SQLite does, rather than through SQLite's narrower ALTER TABLE
    (DROP COLUMN, RENAME COLUMN).
    """
    if not copy_from or impl.supports_alter_column:
        return False
    return any(
        not isinstance(op, (CreateIndexOp, DropIndexOp))
        and not (isinstance(op, AddColumnOp) and not impl.batch_needs_recreate(op, model))
        for op in ops
    )


def _needs_recreate(
    impl: Any, ops: Sequence[MigrateOperation], model: Rebuild | None, reorders: bool
) -> bool:
    if any(impl.batch_needs_recreate(op, model) for op in ops):
        return True
    return reorders and not impl.supports_alter_column


def offline_error(
    dialect: str, table: str, schema: str | None, ops: Sequence[MigrateOperation]
) -> MigrationError:
    what = "; ".join(_what(op) for op in ops) or "recreate='always'"
    full = f"{schema}.{table}" if schema else table
    return MigrationError(
        f"Table '{full}' must be rebuilt (move and copy) on {dialect} for: {what}. "
        "Offline (--sql) there is no database to reflect its definition from: use "
        f"op.batch_alter_table({table!r}, copy_from=Table(...)) with the table as it is "
        "before this migration"
    )


def _what(op: MigrateOperation) -> str:
    if isinstance(op, AddConstraintOp):
        return f"adding {op.constraint_type} constraint {op.constraint.name or '(unnamed)'}"
    if isinstance(op, DropConstraintOp):
        return f"dropping constraint {op.constraint_name}"
    if isinstance(op, AlterColumnOp):
        return f"altering column {op.column_name}"
    if isinstance(op, AddColumnOp):
        return f"adding column {op.column.name}"
    if isinstance(op, DropColumnOp):
        return f"dropping column {op.column_name}"
    return type(op).__name__


def apply_to_model(
    model: Rebuild, op: MigrateOperation, hints: dict[str, Any], operations: Operations
) -> None:
    dialect = operations.migration_context.dialect
    if _guarded_no_op(model, op):
        return
    if isinstance(op, AddColumnOp):
        model.add_column(op.column, dialect, hints.get("insert_before"), hints.get("insert_after"))
    elif isinstance(op, DropColumnOp):
        model.drop_column(op.column_name)
    elif isinstance(op, AlterColumnOp):
        model.alter_column(op, dialect)
    elif isinstance(op, AddConstraintOp):
        model.add_constraint(op.constraint, dialect)
    elif isinstance(op, DropConstraintOp):
        if op.constraint_name is None:
            raise MigrationError(f"drop_constraint on '{model.full_name}' needs a name")
        model.drop_constraint(op.constraint_name, op.type_)
    elif isinstance(op, CreateIndexOp):
        model.add_index(op.index, dialect)
    elif isinstance(op, DropIndexOp):
        model.drop_index(op.index_name)
    elif isinstance(op, CreateTableCommentOp):
        model.table = dataclasses.replace(model.table, comment=op.comment)
    elif isinstance(op, DropTableCommentOp):
        model.table = dataclasses.replace(model.table, comment=None)
    else:
        raise MigrationError(
            f"{type(op).__name__} cannot run inside a batch that rebuilds "
            f"'{model.full_name}'; run it outside the batch_alter_table() block"
        )


def _guarded_no_op(model: Rebuild, op: MigrateOperation) -> bool:
    """``if_exists`` / ``if_not_exists`` on a rebuilt table: decided on its model."""
    options = getattr(op, "options", {})
    if options.get("if_not_exists"):
        if isinstance(op, AddColumnOp):
            return op.column.name in model.column_names
        if isinstance(op, CreateIndexOp):
            return any(index.name == op.index.name for index in model.table.indexes)
    if options.get("if_exists"):
        if isinstance(op, DropColumnOp):
            return op.column_name not in model.column_names
        if isinstance(op, DropIndexOp):
            return not any(index.name == op.index_name for index in model.table.indexes)
        if isinstance(op, DropConstraintOp):
            return op.constraint_name not in model.constraint_names()
    return False


@contextmanager
def no_implicit_recreate(operations: Operations) -> Iterator[None]:
    saved = operations.implicit_recreate
    operations.implicit_recreate = False
    try:
        yield
    finally:
        operations.implicit_recreate = saved


def recreate_if_needed(
    operations: Operations, op: MigrateOperation, table_name: str, schema: str | None
) -> bool:
    """Run a plain ``op.*`` directive as a one-operation batch when ALTER cannot do it.

    Returns True when the table was rebuilt (the caller then has nothing to do).
    """
    impl = operations.impl
    if impl.supports_alter_column or not operations.implicit_recreate:
        return False
    mc = operations.migration_context
    if not impl.batch_needs_recreate(op, None):
        if mc.as_sql or not impl.batch_needs_recreate(op, _Lazy(operations, table_name, schema)):
            return False
    if mc.as_sql:
        raise offline_error(impl.name, table_name, schema, [op])
    batch = BatchOperations(
        operations,
        table_name,
        schema,
        recreate="always",
        copy_from=None,
        table_args=(),
        table_kwargs={},
        naming_convention=None,
        partial_reordering=None,
    )
    batch.collected.append((op, {}))
    batch.flush()
    return True


class _Lazy:
    """A reflected table, read only if the predicate asks about it."""

    def __init__(self, operations: Operations, table_name: str, schema: str | None) -> None:
        self._args = (operations, table_name, schema)
        self._model: Rebuild | None = None

    def __getattr__(self, name: str) -> Any:
        if self._model is None:
            from schemadiff.operations.batch_reflect import reflect_table

            operations, table, schema = self._args
            self._model = reflect_table(operations.migration_context.get_bind(), table, schema)
        return getattr(self._model, name)
