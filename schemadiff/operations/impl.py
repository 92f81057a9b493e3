"""How each built-in operation runs: statements from the DialectImpl,
executed (or written out, offline) by the migration context."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData, Table
from sqlalchemy.schema import (
    AddConstraint,
    CreateIndex,
    CreateTable,
    DropConstraint,
    DropIndex,
    DropTable,
)

from schemadiff.errors import MigrationError
from schemadiff.operations.base import Operations
from schemadiff.ops import (
    AddColumnOp,
    AddConstraintOp,
    AlterColumnOp,
    CreateIndexOp,
    CreateTableCommentOp,
    CreateTableOp,
    DropColumnOp,
    DropConstraintOp,
    DropIndexOp,
    DropTableCommentOp,
    DropTableOp,
    RenameTableOp,
)


def _run(operations: Operations, statements: list[Any]) -> None:
    for stmt in statements:
        operations.migration_context.execute(stmt)


@Operations.implementation_for(CreateTableOp)
def create_table(operations: Operations, op: CreateTableOp) -> None:
    _run(operations, [CreateTable(op.table)])
    for index in op.table.indexes:
        _run(operations, [CreateIndex(index)])


@Operations.implementation_for(DropTableOp)
def drop_table(operations: Operations, op: DropTableOp) -> None:
    _run(operations, [DropTable(Table(op.table_name, MetaData(), schema=op.schema))])


@Operations.implementation_for(RenameTableOp)
def rename_table(operations: Operations, op: RenameTableOp) -> None:
    _run(operations, operations.impl.rename_table(op.old_table_name, op.new_table_name, op.schema))


@Operations.implementation_for(AddColumnOp)
def add_column(operations: Operations, op: AddColumnOp) -> None:
    _run(operations, operations.impl.add_column(op.table_name, op.column, op.schema))
    for fk in op.column.foreign_keys:
        if operations.impl.name != "sqlite" and fk.constraint is not None:
            _run(operations, [AddConstraint(fk.constraint)])


@Operations.implementation_for(DropColumnOp)
def drop_column(operations: Operations, op: DropColumnOp) -> None:
    _run(operations, operations.impl.drop_column(op.table_name, op.column_name, op.schema))


@Operations.implementation_for(AlterColumnOp)
def alter_column(operations: Operations, op: AlterColumnOp) -> None:
    _run(operations, operations.impl.alter_column(op))


@Operations.implementation_for(CreateIndexOp)
def create_index(operations: Operations, op: CreateIndexOp) -> None:
    _run(operations, [CreateIndex(op.index)])


@Operations.implementation_for(DropIndexOp)
def drop_index(operations: Operations, op: DropIndexOp) -> None:
    from sqlalchemy import Index

    table = Table(op.table_name or "_unknown", MetaData(), schema=op.schema)
    _run(operations, [DropIndex(Index(op.index_name, _table=table))])


def _no_sqlite_alter(operations: Operations, what: str) -> None:
    if operations.impl.name == "sqlite":
        raise MigrationError(
            f"SQLite cannot ALTER a table to {what}; use op.batch_alter_table() "
            "(render_as_batch=True) so the table is recreated"
        )


@Operations.implementation_for(AddConstraintOp)
def add_constraint(operations: Operations, op: AddConstraintOp) -> None:
    _no_sqlite_alter(operations, "add a constraint")
    _run(operations, [AddConstraint(op.constraint)])


@Operations.implementation_for(DropConstraintOp)
def drop_constraint(operations: Operations, op: DropConstraintOp) -> None:
    from sqlalchemy import (
        CheckConstraint,
        Column,
        ForeignKeyConstraint,
        PrimaryKeyConstraint,
        UniqueConstraint,
    )
    from sqlalchemy.types import NULLTYPE

    _no_sqlite_alter(operations, "drop a constraint")
    md = MetaData()
    table = Table(op.table_name, md, Column("_x", NULLTYPE), schema=op.schema)
    cons: Any
    if op.type_ == "foreignkey":
        Table("_ref", md, Column("_x", NULLTYPE))
        cons = ForeignKeyConstraint(["_x"], ["_ref._x"], name=op.constraint_name)
    elif op.type_ == "primary":
        cons = PrimaryKeyConstraint("_x", name=op.constraint_name)
    elif op.type_ == "check":
        cons = CheckConstraint("1 = 1", name=op.constraint_name)
    else:
        cons = UniqueConstraint("_x", name=op.constraint_name)
    table.append_constraint(cons)
    _run(operations, [DropConstraint(cons)])


@Operations.implementation_for(CreateTableCommentOp)
def create_table_comment(operations: Operations, op: CreateTableCommentOp) -> None:
    _run(operations, operations.impl.table_comment(op.table_name, op.comment, op.schema))


@Operations.implementation_for(DropTableCommentOp)
def drop_table_comment(operations: Operations, op: DropTableCommentOp) -> None:
    _run(operations, operations.impl.table_comment(op.table_name, None, op.schema))
