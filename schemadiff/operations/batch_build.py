"""The SQLAlchemy side of a rebuild: the new table, its indexes and foreign
keys, and the ``INSERT .. SELECT`` that copies the rows.

Everything comes from the edited snapshot through ``snapshot.to_sqlalchemy``,
the one conversion downgrades use too; what is particular to a rebuild is
the temporary name, which parts go in when (a backend adds some foreign keys
and the indexes only after the swap), and which old column feeds which new one.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import Column, ForeignKeyConstraint, Index, MetaData, Table, cast, select
from sqlalchemy import column as column_clause
from sqlalchemy import table as table_clause
from sqlalchemy.types import NULLTYPE

from schemadiff.operations.batch_table import Rebuild
from schemadiff.snapshot.model import ForeignKeySnapshot
from schemadiff.snapshot.to_sqlalchemy import index_from_snapshot, table_from_snapshot

__all__ = ["build_indexes", "build_table", "copy_statement", "fk_constraint"]


def build_table(
    rebuild: Rebuild, name: str, *, with_fks: bool = True, with_checks: bool = True
) -> Table:
    """The new table under ``name``; FKs to itself keep pointing at the table's name."""
    snap = dataclasses.replace(
        rebuild.table,
        name=name,
        indexes=(),
        foreign_keys=(),
        checks=rebuild.table.checks if with_checks else (),
    )
    table = table_from_snapshot(snap, MetaData())
    if with_fks:
        for fk in rebuild.table.foreign_keys:
            table.append_constraint(fk_constraint(fk, table.metadata))
    return table


def fk_constraint(fk: ForeignKeySnapshot, md: MetaData) -> ForeignKeyConstraint:
    """The key, its referred table stood in for by a stub in ``md`` (DDL needs only names)."""
    ref_key = (
        f"{fk.referred_schema}.{fk.referred_table}" if fk.referred_schema else fk.referred_table
    )
    ref = md.tables.get(ref_key)
    if ref is None:
        ref = Table(fk.referred_table, md, schema=fk.referred_schema)
    for col in fk.referred_columns:
        if col not in ref.c:
            ref.append_column(Column(col, NULLTYPE))
    return ForeignKeyConstraint(
        list(fk.columns),
        [ref.c[c] for c in fk.referred_columns],
        name=fk.name,
        ondelete=fk.ondelete,
        onupdate=fk.onupdate,
        deferrable=fk.deferrable,
        initially=fk.initially,
        match=fk.match,
    )


def build_indexes(rebuild: Rebuild, table: Table) -> list[Index | str]:
    """The indexes on the new table; SQLite's keep their own CREATE INDEX text."""
    out: list[Index | str] = []
    for ix in rebuild.table.indexes:
        if isinstance(ix.source, dict) and ix.source.get("duplicates_constraint"):
            continue  # PostgreSQL: the index behind a unique constraint comes with it
        out.append(ix.sql if ix.sql else index_from_snapshot(ix, table))
    return out


def copy_statement(rebuild: Rebuild, new: Table, old_name: str) -> Any:
    """``INSERT INTO new (...) SELECT ... FROM old`` for every column with a source."""
    pairs = [
        (c.name, rebuild.sources[c.name])
        for c in rebuild.table.columns
        if c.name in rebuild.sources and c.computed is None
    ]
    if not pairs:
        return None
    old = table_clause(old_name, *[column_clause(src) for _, src in pairs], schema=rebuild.schema)
    exprs = [
        cast(old.c[src], new.c[name].type) if name in rebuild.cast else old.c[src]
        for name, src in pairs
    ]
    return new.insert().from_select([name for name, _ in pairs], select(*exprs))
