"""Turn reflected snapshot items back into SQLAlchemy objects.

Operations carry SQLAlchemy objects because both the renderer and the DDL
runner speak them; for things that only exist in the database (a table
the model dropped) these are rebuilt from the snapshot, so a downgrade can
recreate them and ``include_object`` hooks receive real objects.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Computed,
    ForeignKeyConstraint,
    Identity,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    text,
)

from schemadiff.snapshot.index_shape import index_elements, index_kwargs
from schemadiff.snapshot.model import (
    ColumnSnapshot,
    IdentitySnapshot,
    IndexSnapshot,
    TableSnapshot,
)


def column_from_snapshot(col: ColumnSnapshot) -> Column[Any]:
    if col.source is not None and isinstance(col.source, Column):
        return col.source
    args: list[Any] = []
    if col.computed is not None:
        args.append(Computed(text(col.computed.sqltext), persisted=col.computed.persisted))
    if col.identity is not None:
        args.append(identity_from_snapshot(col.identity))
    default = col.server_default
    if default is not None and col.autoincrement is True and default.startswith("nextval("):
        # PostgreSQL SERIAL: the sequence goes with the table, and an
        # autoincrement integer key makes SQLAlchemy create it again.
        default = None
    return Column(
        col.name,
        col.type,
        *args,
        nullable=col.nullable,
        server_default=text(default) if default is not None else None,
        comment=col.comment,
        autoincrement=col.autoincrement if isinstance(col.autoincrement, bool) else "auto",
    )


def identity_from_snapshot(identity: IdentitySnapshot) -> Identity:
    return Identity(
        always=identity.always,
        start=identity.start,
        increment=identity.increment,
        minvalue=identity.minvalue,
        maxvalue=identity.maxvalue,
        cycle=identity.cycle,
        cache=identity.cache,
    )


def table_from_snapshot(snap: TableSnapshot, metadata: MetaData | None = None) -> Table:
    if snap.source is not None and isinstance(snap.source, Table):
        return snap.source
    metadata = metadata if metadata is not None else MetaData()
    items: list[Any] = [_fresh_column(c) for c in snap.columns]
    if snap.primary_key is not None:
        items.append(PrimaryKeyConstraint(*snap.primary_key.columns, name=snap.primary_key.name))
    for uq in snap.uniques:
        items.append(UniqueConstraint(*uq.columns, name=uq.name))
    for fk in snap.foreign_keys:
        prefix = (
            f"{fk.referred_schema}.{fk.referred_table}" if fk.referred_schema else fk.referred_table
        )
        items.append(
            ForeignKeyConstraint(
                list(fk.columns),
                [f"{prefix}.{c}" for c in fk.referred_columns],
                name=fk.name,
                ondelete=fk.ondelete,
                onupdate=fk.onupdate,
                deferrable=fk.deferrable,
                initially=fk.initially,
            )
        )
    for ck in snap.checks:
        items.append(CheckConstraint(text(ck.sqltext), name=ck.name))
    table = Table(
        snap.name, metadata, *items, schema=snap.schema, comment=snap.comment, **dict(snap.options)
    )
    unique_names = {uq.name for uq in snap.uniques if uq.name}
    for ix in snap.indexes:
        if isinstance(ix.source, dict) and ix.source.get("duplicates_constraint"):
            continue  # PostgreSQL: the index behind a unique constraint comes with it
        if ix.unique and ix.name in unique_names:
            continue  # MySQL reports a UNIQUE constraint as an index too
        index_from_snapshot(ix, table)
    return table


def index_from_snapshot(ix: IndexSnapshot, table: Table, **overrides: Any) -> Index:
    """The index as SQLAlchemy, on ``table``, with everything the snapshot read.

    Key order and collation, operator classes, access method, INCLUDE,
    storage parameters and the predicate all come back, so a downgrade or
    a reverse op recreates the index that was there (a GIN index with its
    ``gin_trgm_ops``, not a plain btree).
    """
    if isinstance(ix.source, Index) and ix.source.table is table:
        return ix.source
    ops: dict[str, str] = dict(dict(ix.dialect_options).get("postgresql_ops") or ())
    elements, kept_ops = index_elements(table, ix.expressions, ix.modifiers, ops)
    kwargs = index_kwargs(ix.dialect_options, ix.where)
    if kept_ops:
        kwargs["postgresql_ops"] = kept_ops
    kwargs.update(overrides)  # options a caller holds as SQL expressions
    return Index(ix.name, *elements, unique=ix.unique, _table=table, **kwargs)


def _fresh_column(col: ColumnSnapshot) -> Column[Any]:
    if col.source is not None and isinstance(col.source, Column):
        return col.source._copy()
    return column_from_snapshot(col)
