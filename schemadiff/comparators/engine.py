"""Runs the registered comparators over two snapshots, in fixed phases.

Phases: (1) schema-level comparators (tables added / removed), (2) for
every table on both sides, table-level comparators, then (3) for every
column on both sides, column-level comparators.  Column findings for one
column are merged into a single AlterColumnOp, so a column whose type and
nullability both changed gives one ``op.alter_column``.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Any

from schemadiff.comparators.context import CompareContext
from schemadiff.comparators.registry import ComparatorRegistry
from schemadiff.comparators.renames import RenamePlan, plan_renames
from schemadiff.ops import (
    AddConstraintOp,
    AlterColumnOp,
    CreateIndexOp,
    CreateTableCommentOp,
    CreateTableOp,
    DropConstraintOp,
    DropIndexOp,
    DropTableCommentOp,
    DropTableOp,
    MigrateOperation,
    ModifyTableOps,
    UpgradeOps,
)
from schemadiff.snapshot.model import SchemaSnapshot, TableKey, TableSnapshot

_DELTA_FIELDS = ("nullable", "type", "server_default", "comment", "identity")


def compare_snapshots(
    ctx: CompareContext,
    db: SchemaSnapshot,
    model: SchemaSnapshot,
    registry: ComparatorRegistry,
) -> UpgradeOps:
    dialect = ctx.impl.name
    renames = plan_renames(ctx, db, model)
    db = ctx.db_snapshot = renames.db

    created: list[MigrateOperation] = []
    dropped: list[MigrateOperation] = []
    # Objects outside tables (schemas, sequences, enum types) say where they
    # go: before every table operation, or after them all.
    before: list[MigrateOperation] = []
    after: list[MigrateOperation] = []
    per_table: dict[TableKey, list[MigrateOperation]] = defaultdict(list)

    for fn in registry.for_target("schema", dialect):
        for op in fn(ctx, db, model):
            placement = getattr(op, "placement", None)
            if placement == "first":
                before.append(op)
            elif placement == "last":
                after.append(op)
            elif isinstance(op, (CreateTableOp, CreateIndexOp)) and _is_new_table(op, db):
                created.append(op)
            elif isinstance(op, DropTableOp):
                dropped.append(op)
            else:
                per_table[_key_of(op)].append(op)

    table_fns = registry.for_target("table", dialect)
    column_fns = registry.for_target("column", dialect)
    include_object = ctx.options.include_object
    for key in sorted(db.tables.keys() & model.tables.keys(), key=_sort_key):
        db_table, model_table = db.tables[key], model.tables[key]
        if include_object is not None and not include_object(
            model_table.source, model_table.name, "table", False, None
        ):
            continue
        found: list[MigrateOperation] = []
        for fn in table_fns:
            found.extend(fn(ctx, db_table, model_table))
        found.extend(_compare_columns(ctx, db_table, model_table, column_fns, renames))
        if found:
            per_table[key].extend(found)

    # renamed tables before new ones, which may refer to them by the new name
    upgrade = UpgradeOps([*before, *renames.tables, *created])
    for key in sorted(per_table, key=_sort_key):
        if per_table[key]:
            ordered = sorted(per_table[key], key=_phase)  # stable: keeps comparator order
            upgrade.ops.append(ModifyTableOps(key[1], ordered, key[0]))

    upgrade.ops.extend(_drop_order(dropped, db))
    upgrade.ops.extend(after)
    for finish in registry.finishers:
        finish(ctx, db, model, upgrade)
    return upgrade


def _drop_order(dropped: list[MigrateOperation], db: SchemaSnapshot) -> list[MigrateOperation]:
    """Dropped tables, each after every dropped table that references it.

    The database refuses to drop a table a foreign key still points at, and
    the downgrade (the reverse) then creates the referenced table first.
    A cycle is left in the order found; the database says what it thinks.
    """
    keys = {(op.schema, op.table_name): op for op in dropped if isinstance(op, DropTableOp)}
    if len(keys) < 2:
        return dropped
    refers = {
        key: {(fk.referred_schema, fk.referred_table) for fk in db.tables[key].foreign_keys} - {key}
        for key in keys
        if key in db.tables
    }
    remaining = list(keys)
    out: list[MigrateOperation] = [op for op in dropped if not isinstance(op, DropTableOp)]
    while remaining:
        ready = [
            k for k in remaining if not any(k in refers.get(o, ()) for o in remaining if o != k)
        ] or remaining[:1]
        for key in ready:
            out.append(keys[key])
            remaining.remove(key)
    return out


def _compare_columns(
    ctx: CompareContext,
    db_table: TableSnapshot,
    model_table: TableSnapshot,
    fns: list[Any],
    renames: RenamePlan,
) -> list[MigrateOperation]:
    # The hottest loop of a comparison (once per column on both sides):
    # hooks are looked up once per table, and an empty result is skipped
    # without iterating it.
    out: list[MigrateOperation] = []
    if ctx.options.include_name is None:
        db_cols = {c.name: c for c in db_table.columns}
    else:
        db_cols = {
            c.name: c
            for c in db_table.columns
            if ctx.include_reflected_name(c.name, "column", db_table)
        }
    include_object = ctx.options.include_object
    for model_col in model_table.columns:
        db_col = db_cols.get(model_col.name)
        if db_col is None:
            continue
        if include_object is not None and not include_object(
            model_col.source, model_col.name, "column", False, None
        ):
            continue
        merged = renames.column_op(model_table, db_col) if renames.columns else None
        for fn in fns:
            found = fn(ctx, model_table, db_col, model_col)
            if not found:  # an empty tuple or list; a generator is always true
                continue
            for op in found:
                if isinstance(op, AlterColumnOp):
                    merged = op if merged is None else _merge(merged, op)
                else:
                    out.append(op)
        if merged is not None and not merged.is_empty():
            out.append(merged)
    return out


def _merge(a: AlterColumnOp, b: AlterColumnOp) -> AlterColumnOp:
    changes = {f: getattr(b, f) for f in _DELTA_FIELDS if getattr(b, f) is not None}
    return dataclasses.replace(a, **changes)


def _phase(op: MigrateOperation) -> int:
    """Within one table: drop constraints, then change columns, then add constraints.

    A constraint on a column that goes away must go first, and one on a new
    column can only come after it; the downgrade, being the reverse, then
    re-adds columns before their constraints.
    """
    if isinstance(op, DropConstraintOp) and op.type_ == "foreignkey":
        return -1  # first: MySQL will not drop an index a foreign key still uses
    if isinstance(op, (DropConstraintOp, DropIndexOp)):
        return 0
    if isinstance(op, (AddConstraintOp, CreateIndexOp, CreateTableCommentOp, DropTableCommentOp)):
        return 2
    return 1


def _is_new_table(op: CreateTableOp | CreateIndexOp, db: SchemaSnapshot) -> bool:
    table = op.table if isinstance(op, CreateTableOp) else op.index.table
    if table is None:  # an index not bound to a table yet belongs to no new table
        return False
    return (
        table.schema if table.schema != db.default_schema else None,
        table.name,
    ) not in db.tables


def _key_of(op: MigrateOperation) -> TableKey:
    schema = getattr(op, "schema", None)
    table = getattr(op, "table_name", None)
    return (schema, str(table))


def _sort_key(key: TableKey) -> tuple[str, str]:
    return (key[0] or "", key[1])
