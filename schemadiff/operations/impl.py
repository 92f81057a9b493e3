"""How each built-in operation runs: statements from the DialectImpl,
executed (or written out, offline) by the migration context.

Where a backend cannot perform an operation with ALTER (SQLite), the table
is rebuilt instead (``batch.recreate_if_needed``).  Where a backend needs
facts the script did not give (MySQL's MODIFY restates the whole column;
its DROP needs to know what kind of constraint goes), they are read from
the database when there is one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    inspect,
)
from sqlalchemy.engine import Connection
from sqlalchemy.schema import (
    AddConstraint,
    CreateIndex,
    CreateTable,
    DropConstraint,
    DropIndex,
    DropTable,
    SetColumnComment,
    SetTableComment,
)
from sqlalchemy.types import NULLTYPE

from schemadiff.errors import MigrationError
from schemadiff.operations import safe
from schemadiff.operations.base import Operations
from schemadiff.operations.batch import recreate_if_needed
from schemadiff.operations.batch_convert import column_extras
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
from schemadiff.slots import ImplementationTable


def _run(operations: Operations, statements: Iterable[Any]) -> None:
    for stmt in statements:
        operations.migration_context.execute(stmt)


def _online(operations: Operations) -> bool:
    return not operations.migration_context.as_sql


def _bind(operations: Operations) -> Connection | None:
    """The live connection a backend may look things up on; None with --sql."""
    mc = operations.migration_context
    return None if mc.as_sql else mc.get_bind()


def create_named_types(operations: Operations, types: Iterable[Any]) -> None:
    """PostgreSQL enums are types of their own: CREATE TYPE before a column uses one.

    Online an existing type is left alone (``checkfirst``); offline the
    script says CREATE TYPE, as ``metadata.create_all()`` would.
    """
    mc = operations.migration_context
    if not operations.impl.named_enum_types:
        return
    from sqlalchemy.dialects.postgresql import ENUM
    from sqlalchemy.dialects.postgresql.named_types import CreateEnumType

    from schemadiff.operations.objects import created_types

    created = created_types(mc)
    for type_ in types:
        if type_ is None or not getattr(type_, "native_enum", True):
            continue
        native = type_.dialect_impl(mc.dialect)
        if isinstance(native, ENUM) and native.name and native.create_type:
            if (native.schema, native.name) in created:
                continue  # offline, a second CREATE TYPE would fail
            created.add((native.schema, native.name))
            if mc.as_sql:
                mc.execute(CreateEnumType(native))
            else:
                native.create(mc.get_bind(), checkfirst=True)


def _separate_comments(operations: Operations, table: Table) -> list[Any]:
    """PostgreSQL's comments are statements of their own, not part of CREATE TABLE."""
    dialect = operations.migration_context.dialect
    if not dialect.supports_comments or dialect.inline_comments:
        return []
    out: list[Any] = [SetTableComment(table)] if table.comment is not None else []
    out.extend(SetColumnComment(c) for c in table.columns if c.comment is not None)
    return out


#: this module's implementations, registered by :mod:`schemadiff.builtin`
implements = ImplementationTable()


@implements(CreateTableOp)
def create_table(operations: Operations, op: CreateTableOp) -> None:
    create_named_types(operations, [c.type for c in op.table.columns])
    safe.table_created(operations, op.table.schema, op.table.name)
    quiet = bool(op.options.get("if_not_exists"))
    _run(
        operations,
        [CreateTable(op.table, if_not_exists=quiet), *_separate_comments(operations, op.table)],
    )
    _run(operations, [CreateIndex(index, if_not_exists=quiet) for index in op.table.indexes])


@implements(DropTableOp)
def drop_table(operations: Operations, op: DropTableOp) -> None:
    table = Table(op.table_name, MetaData(), schema=op.schema, **dialect_options(op.options))
    _run(operations, [DropTable(table, if_exists=bool(op.options.get("if_exists")))])


@implements(RenameTableOp)
def rename_table(operations: Operations, op: RenameTableOp) -> None:
    _run(operations, operations.impl.rename_table(op.old_table_name, op.new_table_name, op.schema))


def _wanted(operations: Operations, constraints: Iterable[Any]) -> list[Any]:
    """Constraints whose create rule holds here (a Boolean's CHECK is skipped where
    the backend has a native boolean)."""
    compiler = operations.impl.ddl_compiler()
    out = []
    for cons in constraints:
        rule = getattr(cons, "_create_rule", None)
        if rule is None or rule(compiler):
            out.append(cons)
    return out


@implements(AddColumnOp)
def add_column(operations: Operations, op: AddColumnOp) -> None:
    if recreate_if_needed(operations, op, op.table_name, op.schema):
        return
    create_named_types(operations, [op.column.type])
    if safe.run(operations, op):
        return
    statements = operations.impl.add_column(op.table_name, op.column, op.schema)
    if op.options.get("if_not_exists"):
        if _column_exists(operations, op.table_name, op.column.name, op.schema):
            return
        statements = guarded_column_ddl(operations, statements, "ADD COLUMN", "IF NOT EXISTS")
    _run(operations, statements)
    extras = column_extras(op.column)
    if not operations.impl.inline_column_constraints:
        constraints = [fk.constraint for fk in op.column.foreign_keys if fk.constraint is not None]
        constraints += extras.uniques + [_on_table(c, op.column) for c in extras.checks]
        _run(operations, [AddConstraint(c) for c in _wanted(operations, constraints)])
    _run(operations, [CreateIndex(index) for index in extras.indexes])


def _on_table(check: CheckConstraint, column: Column[Any]) -> CheckConstraint:
    """A column's own CHECK, as the table-level constraint ALTER TABLE adds."""
    if isinstance(getattr(check, "parent", None), Table):
        return check
    copy = CheckConstraint(check.sqltext, name=check.name)
    column.table.append_constraint(copy)
    return copy


@implements(DropColumnOp)
def drop_column(operations: Operations, op: DropColumnOp) -> None:
    if op.options.get("if_exists") and not _column_exists(
        operations, op.table_name, op.column_name, op.schema, elsewhere=True
    ):
        return
    if recreate_if_needed(operations, op, op.table_name, op.schema):
        return
    statements = operations.impl.drop_column(op.table_name, op.column_name, op.schema)
    if op.options.get("if_exists"):
        statements = guarded_column_ddl(operations, statements, "DROP COLUMN", "IF EXISTS")
    _run(operations, statements)


@implements(AlterColumnOp)
def alter_column(operations: Operations, op: AlterColumnOp) -> None:
    if recreate_if_needed(operations, op, op.table_name, op.schema):
        return
    if op.type is not None:
        create_named_types(operations, [op.type.new])
    op = operations.impl.complete_alter_column(_bind(operations), op)
    _run(operations, operations.impl.alter_column(op))


@implements(CreateIndexOp)
def create_index(operations: Operations, op: CreateIndexOp) -> None:
    if safe.run(operations, op):
        return
    _run(operations, [CreateIndex(op.index, if_not_exists=bool(op.options.get("if_not_exists")))])


@implements(DropIndexOp)
def drop_index(operations: Operations, op: DropIndexOp) -> None:
    if op.table_name is None and operations.impl.drop_index_needs_table:
        raise MigrationError(
            f"{operations.impl.display_name} drops index '{op.index_name}' through its table: "
            "pass table_name="
        )
    if safe.run(operations, op):
        return
    table = Table(op.table_name or "_unknown", MetaData(), schema=op.schema)
    index = Index(op.index_name, _table=table, **dialect_options(op.options))
    _run(operations, [DropIndex(index, if_exists=bool(op.options.get("if_exists")))])


@implements(AddConstraintOp)
def add_constraint(operations: Operations, op: AddConstraintOp) -> None:
    table = op.constraint.table
    if recreate_if_needed(operations, op, table.name, table.schema):
        return
    if safe.run(operations, op):
        return
    _run(operations, [AddConstraint(op.constraint)])


@implements(DropConstraintOp)
def drop_constraint(operations: Operations, op: DropConstraintOp) -> None:
    if recreate_if_needed(operations, op, op.table_name, op.schema):
        return
    plan = operations.impl.plan_drop_constraint(_bind(operations), op)
    if plan is None:
        return
    type_, implicit_index = plan.type_, plan.then_drop_index
    md = MetaData()
    table = Table(op.table_name, md, Column("_x", NULLTYPE), schema=op.schema)
    cons: Any
    if type_ == "foreignkey":
        Table("_ref", md, Column("_x", NULLTYPE))
        cons = ForeignKeyConstraint(["_x"], ["_ref._x"], name=op.constraint_name)
    elif type_ == "primary":
        cons = PrimaryKeyConstraint("_x", name=op.constraint_name)
    elif type_ == "check":
        cons = CheckConstraint("1 = 1", name=op.constraint_name)
    else:
        cons = UniqueConstraint("_x", name=op.constraint_name)
    table.append_constraint(cons)
    _run(operations, [DropConstraint(cons, if_exists=bool(op.options.get("if_exists")))])
    if implicit_index is not None:
        _run(operations, [DropIndex(Index(implicit_index, _table=table))])


def dialect_options(options: dict[str, Any]) -> dict[str, Any]:
    """The dialect keywords (``postgresql_concurrently=True``, ...) among an op's options."""
    return {k: v for k, v in options.items() if k not in ("if_exists", "if_not_exists")}


def guarded_column_ddl(
    operations: Operations, statements: list[str], clause: str, guard: str
) -> list[str]:
    """``ADD COLUMN IF NOT EXISTS`` / ``DROP COLUMN IF EXISTS`` where the backend says it."""
    if not operations.impl.column_exists_guards:  # checked against the database instead
        return statements
    first = statements[0].replace(f" {clause} ", f" {clause} {guard} ", 1)
    return [first, *statements[1:]]


def _column_exists(
    operations: Operations,
    table_name: str,
    column_name: str,
    schema: str | None,
    elsewhere: bool = False,
) -> bool:
    """Whether a column is there, for ``if_(not_)exists`` on SQLite, which has no such
    clause; on other backends the DDL carries the guard and ``elsewhere`` is the answer
    that lets it run."""
    if operations.impl.column_exists_guards:
        return elsewhere
    if not _online(operations):
        raise MigrationError(
            "SQLite has no ADD/DROP COLUMN IF [NOT] EXISTS; with --sql there is no database "
            f"to look '{table_name}.{column_name}' up in"
        )
    columns = inspect(operations.migration_context.get_bind()).get_columns(
        table_name, schema=schema
    )
    return any(c["name"] == column_name for c in columns)


@implements(CreateTableCommentOp)
def create_table_comment(operations: Operations, op: CreateTableCommentOp) -> None:
    _run(operations, operations.impl.table_comment(op.table_name, op.comment, op.schema))


@implements(DropTableCommentOp)
def drop_table_comment(operations: Operations, op: DropTableCommentOp) -> None:
    _run(operations, operations.impl.table_comment(op.table_name, None, op.schema))
