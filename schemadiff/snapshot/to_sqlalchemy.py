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

from schemadiff.snapshot.model import ColumnSnapshot, IdentitySnapshot, TableSnapshot


def column_from_snapshot(col: ColumnSnapshot) -> Column[Any]:
    if col.source is not None and isinstance(col.source, Column):
        return col.source
    args: list[Any] = []
    if col.computed is not None:
        args.append(Computed(text(col.computed.sqltext), persisted=col.computed.persisted))
    if col.identity is not None:
        args.append(identity_from_snapshot(col.identity))
    return Column(
        col.name,
        col.type,
        *args,
        nullable=col.nullable,
        server_default=text(col.server_default) if col.server_default is not None else None,
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
    table = Table(snap.name, metadata, *items, schema=snap.schema, comment=snap.comment)
    for ix in snap.indexes:
        exprs = [table.c[e] if e in table.c else text(e) for e in ix.expressions]
        Index(ix.name, *exprs, unique=ix.unique, _table=table)
    return table


def _fresh_column(col: ColumnSnapshot) -> Column[Any]:
    if col.source is not None and isinstance(col.source, Column):
        return col.source._copy()
    return column_from_snapshot(col)
