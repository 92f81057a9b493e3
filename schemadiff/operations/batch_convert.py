"""What a batch is given as SQLAlchemy objects, as snapshot items.

A batch edits a ``TableSnapshot``; the columns, constraints and indexes its
directives (and ``copy_from=``) bring are SQLAlchemy objects, turned here
into snapshot items with the names the DDL will carry.  The items keep no
link to the user's objects: the new table is built from the snapshot alone.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.sql.schema import DefaultClause
from sqlalchemy.types import SchemaType

from schemadiff.dialects.sqltext import plain_sql
from schemadiff.operations.batch_text import mentions
from schemadiff.snapshot.from_metadata import _index_snapshot, column_snapshot, expression_text
from schemadiff.snapshot.model import (
    CheckSnapshot,
    ColumnSnapshot,
    ForeignKeySnapshot,
    IndexSnapshot,
    PrimaryKeySnapshot,
    TableSnapshot,
    UniqueSnapshot,
)

__all__ = [
    "ColumnExtras",
    "check_item",
    "column_extras",
    "column_item",
    "default_text",
    "fk_item",
    "index_item",
    "key_columns",
    "resolved_name",
    "table_item",
    "without_constraint",
]


def resolved_name(obj: Any, dialect: Dialect) -> str | None:
    """The name the DDL will carry, after any naming convention."""
    if obj.name is None:
        return None
    try:
        name = dialect.identifier_preparer.format_constraint(obj, _alembic_quote=False)
    except Exception:  # a convention that needs what this object lacks: leave it unnamed
        return None
    return str(name) if name is not None else None


def without_constraint(type_: Any) -> Any:
    """The type without its own CHECK: batch keeps that CHECK as a named item instead."""
    if isinstance(type_, SchemaType) and getattr(type_, "create_constraint", False):
        type_ = type_.copy()  # type: ignore[no-untyped-call]
        type_.create_constraint = False
    return type_


def column_item(column: Column[Any], dialect: Dialect) -> ColumnSnapshot:
    """The column alone: its keys, checks and indexes are items of their own."""
    snap = column_snapshot(column, dialect)
    return dataclasses.replace(snap, type=without_constraint(column.type), source=None)


def default_text(value: Any, dialect: Dialect) -> str | None:
    """A server default as given to ``alter_column``, as the SQL text the snapshot keeps."""
    if isinstance(value, DefaultClause):
        value = value.arg
    if value is None or value is False:
        return None
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return expression_text(value, dialect)


def check_item(cons: CheckConstraint, dialect: Dialect) -> CheckSnapshot:
    sqltext = cons.sqltext
    body = sqltext.text if isinstance(sqltext, TextClause) else plain_sql(sqltext, dialect)
    attached = isinstance(getattr(cons, "parent", None), Table)
    name = resolved_name(cons, dialect) if attached else cons.name
    return CheckSnapshot(str(name) if name else None, body)


def fk_item(cons: ForeignKeyConstraint, dialect: Dialect) -> ForeignKeySnapshot:
    first = cons.elements[0]._get_colspec().split(".")
    return ForeignKeySnapshot(
        resolved_name(cons, dialect),
        tuple(e.parent.name for e in cons.elements),
        ".".join(first[:-2]) or None,
        first[-2],
        tuple(e._get_colspec().split(".")[-1] for e in cons.elements),
        cons.ondelete,
        cons.onupdate,
        cons.deferrable,
        cons.initially,
        match=cons.match,
    )


def index_item(index: Index, dialect: Dialect) -> IndexSnapshot:
    snap = _index_snapshot(index, dialect)
    return dataclasses.replace(snap, name=resolved_name(index, dialect), source=None)


def key_columns(cons: PrimaryKeyConstraint | UniqueConstraint) -> tuple[str, ...]:
    return tuple(c.name for c in cons.columns)


def table_item(table: Table, dialect: Dialect) -> TableSnapshot:
    """``copy_from``: the user's own description of the table, for offline batches."""
    pk: PrimaryKeySnapshot | None = None
    uniques: list[UniqueSnapshot] = []
    checks: list[CheckSnapshot] = []
    fks: list[ForeignKeySnapshot] = []
    for cons in table.constraints:
        if isinstance(cons, PrimaryKeyConstraint):
            if cons.columns:
                pk = PrimaryKeySnapshot(resolved_name(cons, dialect), key_columns(cons))
        elif isinstance(cons, UniqueConstraint):
            uniques.append(UniqueSnapshot(resolved_name(cons, dialect), key_columns(cons)))
        elif isinstance(cons, CheckConstraint):
            checks.append(check_item(cons, dialect))
        elif isinstance(cons, ForeignKeyConstraint):
            fks.append(fk_item(cons, dialect))
    return TableSnapshot(
        table.schema,
        table.name,
        tuple(column_item(c, dialect) for c in table.columns),
        pk,
        tuple(index_item(ix, dialect) for ix in table.indexes),
        tuple(uniques),
        tuple(fks),
        tuple(checks),
        table.comment,
        options=tuple(sorted(table.kwargs.items())),
    )


@dataclass
class ColumnExtras:
    """What a user's ``Column`` brings besides itself: ``unique=True``, ``index=True``,
    its own CHECKs, and the CHECK its Boolean/Enum type asks for."""

    uniques: list[Any]
    checks: list[Any]
    indexes: list[Index]


def column_extras(column: Column[Any]) -> ColumnExtras:
    checks = [c for c in column.constraints if isinstance(c, CheckConstraint)]
    table = column.table
    if table is None:
        return ColumnExtras([], checks, [])

    def only(cols: Any) -> bool:
        cols = list(cols)
        return len(cols) == 1 and cols[0] is column

    uniques = [c for c in table.constraints if isinstance(c, UniqueConstraint) and only(c.columns)]
    checks += [
        c
        for c in table.constraints
        if isinstance(c, CheckConstraint)
        and getattr(c, "_type_bound", False)
        and (column.name in c.columns or mentions(str(c.sqltext), column.name))
    ]
    indexes = [i for i in table.indexes if only(i.columns)]
    return ColumnExtras(uniques, checks, indexes)
