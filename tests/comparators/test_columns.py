"""Comparator tests on hand-built snapshots: no database involved."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from schemadiff.comparators import CompareContext, CompareOptions, compare_snapshots
from schemadiff.dialects import impl_for
from schemadiff.ops import (
    AddColumnOp,
    AlterColumnOp,
    CreateTableOp,
    DropColumnOp,
    DropTableOp,
    ModifyTableOps,
)
from schemadiff.plugins import default_registries
from schemadiff.snapshot import (
    ColumnSnapshot,
    SchemaSnapshot,
    TableSnapshot,
    snapshot_from_metadata,
)


def _ctx(dialect=None, **options) -> CompareContext:
    return CompareContext(CompareOptions(**options), impl_for(dialect or postgresql.dialect()))


def _compare(db: SchemaSnapshot, model: SchemaSnapshot, **options):
    return compare_snapshots(_ctx(**options), db, model, default_registries().comparators)


def _snap(*tables: TableSnapshot) -> SchemaSnapshot:
    return SchemaSnapshot({t.key: t for t in tables})


def _table(name: str, *cols: ColumnSnapshot) -> TableSnapshot:
    return TableSnapshot(None, name, tuple(cols))


def _col(name: str, type_=None, nullable: bool = True) -> ColumnSnapshot:
    return ColumnSnapshot(name, type_ if type_ is not None else sa.Integer(), nullable)


def test_identical_snapshots_give_nothing():
    t = _table("account", _col("id", nullable=False), _col("name", sa.String(50)))
    assert _compare(_snap(t), _snap(t)).ops == []


def test_added_and_removed_tables():
    db = _snap(_table("old", _col("id")))
    model = _snap(_table("new", _col("id")))
    ops = _compare(db, model).ops
    assert [type(o) for o in ops] == [CreateTableOp, DropTableOp]
    assert ops[0].table.name == "new"
    assert ops[1].table_name == "old"
    # the dropped table can be recreated by the downgrade
    assert ops[1].reverse().table.c.keys() == ["id"]


def test_added_and_removed_columns():
    db = _snap(_table("t", _col("id"), _col("gone")))
    model = _snap(_table("t", _col("id"), _col("fresh", sa.String(20))))
    (modify,) = _compare(db, model).ops
    assert isinstance(modify, ModifyTableOps)
    kinds = [(type(o), getattr(o, "column_name", None) or o.column.name) for o in modify.ops]
    assert kinds == [(AddColumnOp, "fresh"), (DropColumnOp, "gone")]


def test_nullability_and_type_merge_into_one_alter():
    db = _snap(_table("t", _col("name", sa.String(50), nullable=True)))
    model = _snap(_table("t", _col("name", sa.String(80), nullable=False)))
    (modify,) = _compare(db, model).ops
    (alter,) = modify.ops
    assert isinstance(alter, AlterColumnOp)
    assert (alter.nullable.old, alter.nullable.new) == (True, False)
    assert alter.type is not None
    changes = [c.kind for c in alter.to_changes()]
    assert changes == ["modify_nullable", "modify_type"]


def test_compare_type_false_and_callable():
    db = _snap(_table("t", _col("name", sa.String(50))))
    model = _snap(_table("t", _col("name", sa.String(80))))
    assert _compare(db, model, compare_type=False).ops == []
    calls = []

    def decide(context, inspected_column, metadata_column, inspected_type, metadata_type):
        calls.append((inspected_type.length, metadata_type.length))
        return False

    assert _compare(db, model, compare_type=decide).ops == []
    assert calls == [(50, 80)]
    assert len(_compare(db, model, compare_type=lambda *a: None).ops) == 1


def test_type_synonyms_are_not_differences():
    pg = _ctx(postgresql.dialect()).impl
    assert not pg.types_differ(postgresql.DOUBLE_PRECISION(), sa.Float())
    assert not pg.types_differ(sa.NUMERIC(10, 2), sa.Numeric(10, 2))
    assert not pg.types_differ(postgresql.TIMESTAMP(), sa.DateTime())
    assert pg.types_differ(sa.VARCHAR(50), sa.String(60))
    lite = _ctx(sqlite.dialect()).impl
    assert not lite.types_differ(sa.VARCHAR(200), sa.Unicode(200))


def test_reverse_of_alter_swaps_old_and_new():
    db = _snap(_table("t", _col("name", sa.String(50), nullable=True)))
    model = _snap(_table("t", _col("name", sa.String(50), nullable=False)))
    (modify,) = _compare(db, model).ops
    back = modify.reverse().ops[0]
    assert (back.nullable.old, back.nullable.new) == (False, True)


def test_include_object_filters_tables_and_columns():
    db = _snap(_table("t", _col("id")))
    model = _snap(_table("t", _col("id"), _col("skip_me")), _table("hidden", _col("id")))

    def include(obj, name, type_, reflected, compare_to):
        return name not in ("skip_me", "hidden")

    assert _compare(db, model, include_object=include).ops == []


def test_snapshot_from_metadata_keeps_links_to_user_objects():
    md = sa.MetaData()
    table = sa.Table(
        "t",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("x", sa.String(5), unique=True),
    )
    snap = snapshot_from_metadata(md, postgresql.dialect())
    t = snap.get((None, "t"))
    assert t is not None and t.source is table
    assert t.column("x").source is table.c.x
    assert t.primary_key.columns == ("id",)
    assert [u.columns for u in t.uniques] == [("x",)]


def test_findings_of_several_comparators_merge_into_one_alter_including_identity():
    """Whatever order the comparators run in, one column gives one AlterColumnOp
    carrying every delta, the identity delta included."""
    from schemadiff.comparators.registry import FIRST, ComparatorRegistry
    from schemadiff.ops import Delta

    registry = ComparatorRegistry()

    def nullable_first(ctx, table, db_col, model_col):
        return (AlterColumnOp(table.name, model_col.name, nullable=Delta(True, False)),)

    def identity_later(ctx, table, db_col, model_col):
        yield AlterColumnOp(table.name, model_col.name, identity=Delta(None, sa.Identity()))

    registry.register("column", "plugin", priority=FIRST)(nullable_first)
    registry.register("column", "identity")(identity_later)
    t = _table("account", _col("id"))
    ops = compare_snapshots(_ctx(), _snap(t), _snap(t), registry).ops
    assert len(ops) == 1 and len(ops[0].ops) == 1
    merged = ops[0].ops[0]
    assert merged.nullable == Delta(True, False)
    assert merged.identity is not None and merged.identity.old is None
    assert isinstance(merged.identity.new, sa.Identity)
