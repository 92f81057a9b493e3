"""Renames: hinted ones become rename operations, unhinted look-alikes a suggestion.

A rename is never guessed.  The model says it with ``info={"renamed_from":
"old"}`` on a Column or a Table; before any comparator runs, the database
side is relabelled as if the rename had already happened (the table's key,
its columns, and every index, key and foreign key that names them, since
all three backends carry those along with the rename).  The comparators then
see the table or column under its new name, report only what else changed,
and the engine puts the rename itself in front: one
``op.rename_table`` / ``op.alter_column(..., new_column_name=...)`` that
keeps the data.  A hint whose old name is gone from the database (the
rename was applied) relabels nothing, so it is harmless to leave in place.

Without a hint, a removed and an added column of one table with the same
type stay a drop and an add; the add only carries ``possible_rename_of``,
for the report to ask the user to confirm.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from schemadiff.comparators.context import CompareContext
from schemadiff.ops import AlterColumnOp, RenameTableOp
from schemadiff.snapshot.model import (
    ColumnSnapshot,
    ForeignKeySnapshot,
    SchemaSnapshot,
    TableKey,
    TableSnapshot,
)

HINT = "renamed_from"


def renamed_from(source: Any) -> str | None:
    """The hint of a model Column or Table, if it gives one.

    Read from the instance dict: SQLAlchemy makes ``.info`` on first
    access, and this runs for every added column and table.
    """
    info = getattr(source, "__dict__", {}).get("info")
    value = info.get(HINT) if isinstance(info, Mapping) else None
    return value if isinstance(value, str) and value else None


@dataclass
class RenamePlan:
    """The renames the hints ask for, and the database side relabelled for them."""

    db: SchemaSnapshot
    tables: list[RenameTableOp] = field(default_factory=list)
    #: per table (its new key): new column name -> old column name
    columns: dict[TableKey, dict[str, str]] = field(default_factory=dict)

    def column_op(self, table: TableSnapshot, db_col: ColumnSnapshot) -> AlterColumnOp | None:
        """The bare rename of a hinted column, for the engine to merge other changes into."""
        old = self.columns.get(table.key, {}).get(db_col.name)
        if old is None:
            return None
        return AlterColumnOp(
            table.name,
            old,
            table.schema,
            new_column_name=db_col.name,
            existing_type=db_col.type,
            existing_nullable=db_col.nullable,
            existing_server_default=db_col.server_default,
            existing_comment=db_col.comment,
        )


def plan_renames(ctx: CompareContext, db: SchemaSnapshot, model: SchemaSnapshot) -> RenamePlan:
    tables = dict(db.tables)
    plan = RenamePlan(db)
    for key, table in model.tables.items():
        old = renamed_from(table.source)
        old_key = (key[0], old) if old else None
        if old_key is None or key in tables or old_key not in tables or old_key in model.tables:
            continue
        if not ctx.include(table.source, table.name, "table", False, None):
            continue
        tables[key] = dataclasses.replace(tables.pop(old_key), name=table.name)
        _refer(tables, old_key, key, {}, db.default_schema)
        plan.tables.append(RenameTableOp(old_key[1], table.name, key[0]))
    for key, model_table in model.tables.items():
        db_table = tables.get(key)
        if db_table is None:
            continue
        moved = _column_renames(ctx, db_table, model_table)
        if moved:
            plan.columns[key] = {new: old for old, new in moved.items()}
            tables[key] = _relabel_columns(db_table, moved)
            _refer(tables, key, key, moved, db.default_schema)
    if plan.tables or plan.columns:
        plan.db = dataclasses.replace(db, tables=tables)
    return plan


def _column_renames(ctx: CompareContext, db: TableSnapshot, model: TableSnapshot) -> dict[str, str]:
    """old -> new for the hinted columns whose old name is still in the database."""
    db_names = {c.name for c in db.columns if ctx.include_reflected_name(c.name, "column", db)}
    model_names = {c.name for c in model.columns}
    out: dict[str, str] = {}
    for col in model.columns:
        if col.name in db_names:
            continue
        old = renamed_from(col.source)
        if old is not None and old in db_names and old not in model_names and old not in out:
            out[old] = col.name
    return out


def _swap(names: Iterable[str], moved: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(moved.get(n, n) for n in names)


def _relabel_columns(table: TableSnapshot, moved: Mapping[str, str]) -> TableSnapshot:
    pk = table.primary_key
    return dataclasses.replace(
        table,
        columns=tuple(
            dataclasses.replace(c, name=moved[c.name]) if c.name in moved else c
            for c in table.columns
        ),
        primary_key=dataclasses.replace(pk, columns=_swap(pk.columns, moved)) if pk else None,
        indexes=tuple(
            dataclasses.replace(ix, expressions=_swap(ix.expressions, moved))
            for ix in table.indexes
        ),
        uniques=tuple(
            dataclasses.replace(uq, columns=_swap(uq.columns, moved)) for uq in table.uniques
        ),
        foreign_keys=tuple(
            dataclasses.replace(fk, columns=_swap(fk.columns, moved)) for fk in table.foreign_keys
        ),
    )


def _refer(
    tables: dict[TableKey, TableSnapshot],
    old: TableKey,
    new: TableKey,
    moved: Mapping[str, str],
    default_schema: str | None,
) -> None:
    """Point the foreign keys that refer to a renamed table or column at the new name."""

    def refers(fk: ForeignKeySnapshot) -> bool:
        schema = None if fk.referred_schema == default_schema else fk.referred_schema
        return fk.referred_table == old[1] and schema == old[0]

    for key, table in list(tables.items()):
        if not any(refers(fk) for fk in table.foreign_keys):
            continue
        fks = tuple(
            dataclasses.replace(
                fk,
                referred_table=new[1],
                referred_columns=_swap(fk.referred_columns, moved),
            )
            if refers(fk)
            else fk
            for fk in table.foreign_keys
        )
        tables[key] = dataclasses.replace(table, foreign_keys=fks)


def suggest_renames(
    ctx: CompareContext, dropped: list[ColumnSnapshot], added: list[ColumnSnapshot]
) -> dict[str, str]:
    """added name -> the dropped column it most likely was (same type required).

    Scored by nullability, then server default, then name similarity;
    each dropped column is suggested once, best pairs first, ties broken by
    name so that the same schemas always give the same suggestions.
    """
    scored: list[tuple[tuple[bool, bool, float], str, str]] = []
    for new in added:
        for old in dropped:
            if ctx.impl.types_differ(old.type, new.type):
                continue
            similarity = difflib.SequenceMatcher(None, old.name, new.name).ratio()
            score = (
                old.nullable == new.nullable,
                (old.server_default or None) == (new.server_default or None),
                similarity,
            )
            scored.append((score, new.name, old.name))
    scored.sort(key=lambda s: (tuple(-float(x) for x in s[0]), s[1], s[2]))
    out: dict[str, str] = {}
    taken: set[str] = set()
    for _, new_name, old_name in scored:
        if new_name not in out and old_name not in taken:
            out[new_name] = old_name
            taken.add(old_name)
    return out
