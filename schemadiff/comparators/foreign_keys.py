"""Foreign keys: named ones by name, unnamed ones by what they link."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import ForeignKeyConstraint

from schemadiff.comparators.context import CompareContext
from schemadiff.comparators.registry import ComparatorRegistry
from schemadiff.ops import AddConstraintOp, DropConstraintOp, MigrateOperation
from schemadiff.snapshot.model import ForeignKeySnapshot, TableSnapshot


def _signature(
    ctx: CompareContext, fk: ForeignKeySnapshot, owner: TableSnapshot
) -> tuple[Any, ...]:
    # A foreign key to a table in the owner's schema may be spelled either way.
    referred_schema = fk.referred_schema if fk.referred_schema != owner.schema else None
    keeps = ctx.impl.compares_fk_deferrability
    deferrable = bool(fk.deferrable) if keeps else None
    initially = (fk.initially or "IMMEDIATE").upper() if keeps else None
    return (
        tuple(fk.columns),
        referred_schema,
        fk.referred_table,
        tuple(fk.referred_columns),
        ctx.impl.normalize_fk_action(fk.ondelete),
        ctx.impl.normalize_fk_action(fk.onupdate),
        deferrable,
        initially,
    )


def compare_foreign_keys(
    ctx: CompareContext, db: TableSnapshot, model: TableSnapshot
) -> Iterator[MigrateOperation]:
    norm = ctx.impl.normalize_name
    db_fks = [
        fk
        for fk in db.foreign_keys
        if ctx.include_reflected_name(fk.name, "foreign_key_constraint", db)
    ]
    db_sigs = {id(fk): _signature(ctx, fk, db) for fk in db_fks}
    by_name = {norm(fk.name): fk for fk in db_fks if fk.name}
    consumed: set[int] = set()
    added: list[ForeignKeySnapshot] = []
    removed: list[ForeignKeySnapshot] = []
    unnamed: list[ForeignKeySnapshot] = []
    for fk in model.foreign_keys:
        if fk.name is None:
            unnamed.append(fk)
            continue
        match = by_name.get(norm(fk.name))
        if match is None or id(match) in consumed:
            added.append(fk)
            continue
        consumed.add(id(match))
        if db_sigs[id(match)] != _signature(ctx, fk, model):
            removed.append(match)
            added.append(fk)
    for fk in unnamed:
        sig = _signature(ctx, fk, model)
        match = next((d for d in db_fks if id(d) not in consumed and db_sigs[id(d)] == sig), None)
        if match is None:
            added.append(fk)
        else:
            consumed.add(id(match))
    removed.extend(fk for fk in db_fks if id(fk) not in consumed)

    table = ctx.reflected_table(db) if removed else None
    for fk in removed:
        existing = next(
            (
                c
                for c in (table.foreign_key_constraints if table is not None else ())
                if c.name == fk.name and tuple(e.parent.name for e in c.elements) == fk.columns
            ),
            None,
        )
        if ctx.include(existing, fk.name, "foreign_key_constraint", True, None):
            yield DropConstraintOp(fk.name, db.name, "foreignkey", db.schema, existing=existing)
    for fk in added:
        source = fk.source
        if isinstance(source, ForeignKeyConstraint) and ctx.include(
            source, fk.name, "foreign_key_constraint", False, None
        ):
            yield AddConstraintOp(source)


def setup(registry: ComparatorRegistry) -> None:
    registry.register("table", "foreign_keys")(compare_foreign_keys)
