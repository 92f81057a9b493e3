"""Entity comparison and ordering as snapshots: no database involved.

What the catalog says a view reads decides the order, whatever order the
model declares them in; a cycle (which no server allows, but a hand-built
snapshot may hold) still yields every operation once.
"""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from schemadiff.comparators import CompareContext, CompareOptions, compare_snapshots
from schemadiff.dialects import impl_for
from schemadiff.entities import View, declared
from schemadiff.entities.model import EntitySnapshot, folded
from schemadiff.ops.entity_ops import CreateViewOp, DropViewOp, ReplaceViewOp
from schemadiff.plugins import default_registries
from schemadiff.snapshot import SchemaSnapshot, snapshot_from_metadata

PG = postgresql.dialect()


def _found(name: str, sql: str, *reads: str) -> EntitySnapshot:
    return EntitySnapshot(
        "view", None, name, sql, folded(sql), None, True, tuple((None, r, None) for r in reads)
    )


def _run(db_views: list[EntitySnapshot], md: sa.MetaData) -> list[object]:
    regs = default_registries()
    model = snapshot_from_metadata(md, PG)
    mine = regs.entities.from_model(declared([md]), PG, None, lambda s: True)
    model = dataclasses.replace(model, entities=mine)
    db = SchemaSnapshot(model.tables, entities={v.key: v for v in db_views})
    ctx = CompareContext(CompareOptions(), impl_for(PG))
    return compare_snapshots(ctx, db, model, regs.comparators).ops


def _names(ops: list[object]) -> list[tuple[str, str]]:
    return [(type(op).__name__, op.name) for op in ops]  # type: ignore[attr-defined]


def test_views_are_dropped_readers_first_and_created_readers_last_whatever_the_declaration_order():
    md = sa.MetaData()
    sa.Table("t", md, sa.Column("id", sa.Integer, primary_key=True))
    View("top", md, "SELECT id FROM middle")
    View("middle", md, "SELECT id FROM base WHERE id > 1")  # changed
    View("base", md, "SELECT id FROM t")
    db = [
        _found("base", "SELECT id FROM t", "t"),
        _found("middle", "SELECT id FROM base", "base"),
        _found("top", "SELECT id FROM middle", "middle"),
    ]
    assert _names(_run(db, md)) == [
        ("DropViewOp", "top"),
        ("DropViewOp", "middle"),
        ("CreateViewOp", "middle"),
        ("CreateViewOp", "top"),
    ]


def test_a_changed_view_nothing_reads_is_replaced_in_place():
    md = sa.MetaData()
    sa.Table("t", md, sa.Column("id", sa.Integer, primary_key=True))
    View("only", md, "SELECT id FROM t WHERE id > 2")
    ops = _run([_found("only", "SELECT id FROM t", "t")], md)
    assert [type(op) for op in ops] == [ReplaceViewOp]
    (change,) = ops[0].to_changes()
    assert (change.kind, change.detail["from"]) == ("modify_view", "SELECT id FROM t")


def test_a_cycle_in_a_hand_built_snapshot_still_yields_each_operation_once():
    md = sa.MetaData()
    View("a", md, "SELECT 2")
    View("b", md, "SELECT 2")
    ops = _run([_found("a", "SELECT 1", "b"), _found("b", "SELECT 1", "a")], md)
    assert sorted(_names(ops)) == [
        ("CreateViewOp", "a"),
        ("CreateViewOp", "b"),
        ("DropViewOp", "a"),
        ("DropViewOp", "b"),
    ]
    assert all(isinstance(op, (CreateViewOp, DropViewOp)) for op in ops)


def test_without_a_declared_entity_the_database_views_are_not_reported():
    md = sa.MetaData()
    sa.Table("t", md, sa.Column("id", sa.Integer, primary_key=True))
    assert _run([_found("legacy", "SELECT id FROM t", "t")], md) == []
