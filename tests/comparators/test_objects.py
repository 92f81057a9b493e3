"""Enum types, sequences and schemas compared as snapshots: no database involved."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite

from schemadiff.comparators import CompareContext, CompareOptions, compare_snapshots
from schemadiff.dialects import impl_for
from schemadiff.ops import (
    AlterEnumOp,
    AlterSequenceOp,
    CreateEnumOp,
    CreateSchemaOp,
    CreateSequenceOp,
    CreateTableOp,
    DropEnumOp,
    DropSchemaOp,
    DropSequenceOp,
    DropTableOp,
    ModifyTableOps,
    SequenceOptions,
)
from schemadiff.plugins import default_registries
from schemadiff.snapshot import SchemaSnapshot, snapshot_from_metadata
from schemadiff.snapshot.objects import EnumSnapshot, SequenceSnapshot

PG = postgresql.dialect()


def _compare(db: SchemaSnapshot, model: SchemaSnapshot, dialect=PG, **options):  # type: ignore[no-untyped-def]
    ctx = CompareContext(CompareOptions(**options), impl_for(dialect))
    return compare_snapshots(ctx, db, model, default_registries().comparators)


def _model(md: sa.MetaData, dialect=PG) -> SchemaSnapshot:  # type: ignore[no-untyped-def]
    return snapshot_from_metadata(md, dialect)


def _status(md: sa.MetaData, name: str, *values: str, schema: str | None = None) -> sa.Table:
    return sa.Table(
        name,
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("status", sa.Enum(*values, name="status_enum"), nullable=False),
        schema=schema,
    )


def test_a_model_enum_is_one_object_however_many_columns_use_it():
    md = sa.MetaData()
    _status(md, "a", "x", "y")
    _status(md, "b", "x", "y", schema="other")
    snap = _model(md)
    assert list(snap.enums) == [(None, "status_enum")]
    (enum,) = snap.enums.values()
    assert enum.labels == ("x", "y")
    assert enum.used_by == ((None, "a", "status"), ("other", "b", "status"))
    assert snap.schemas == frozenset({"other"})


def test_enums_are_no_objects_where_the_backend_keeps_them_inline():
    md = sa.MetaData()
    _status(md, "a", "x", "y")
    sa.Table("n", md, sa.Column("e", sa.Enum("p", name="plain", native_enum=False)))
    sa.Sequence("s", metadata=md)
    for dialect in (mysql.dialect(), sqlite.dialect()):
        snap = _model(md, dialect)
        assert dict(snap.enums) == {} and dict(snap.sequences) == {}
    assert list(_model(md).enums) == [(None, "status_enum")]  # not the non-native one


def test_new_enum_comes_before_its_table_and_goes_after_it():
    md = sa.MetaData()
    _status(md, "ticket", "a", "b")
    ops = _compare(SchemaSnapshot({}), _model(md)).ops
    assert [type(o) for o in ops] == [CreateEnumOp, CreateTableOp]
    assert ops[0].values == ("a", "b")
    down = [type(o) for o in _compare(SchemaSnapshot({}), _model(md)).reverse().ops]
    assert down == [DropTableOp, DropEnumOp]


def test_changed_values_are_one_modify_enum_and_no_type_change():
    old, new = sa.MetaData(), sa.MetaData()
    _status(old, "ticket", "a", "b")
    _status(new, "ticket", "a", "b", "c")
    db = _model(old)
    db_enum = db.enums[(None, "status_enum")]
    db = SchemaSnapshot(db.tables, None, {db_enum.key: db_enum})
    ops = _compare(db, _model(new)).ops
    assert len(ops) == 1 and isinstance(ops[0], AlterEnumOp), ops
    assert ops[0].adds_only and ops[0].removed == ()
    back = ops[0].reverse()
    assert back.values == ("a", "b") and not back.adds_only and back.removed == ("c",)
    assert [c.as_dict() for c in ops[0].to_changes()] == [
        {
            "kind": "modify_enum",
            "schema": None,
            "table": None,
            "name": "status_enum",
            "detail": {"from": ["a", "b"], "to": ["a", "b", "c"]},
            "hazards": [],
        }
    ]


def test_reordering_is_not_adding():
    op = AlterEnumOp("e", ("b", "a", "c"), ("a", "b"))
    assert not op.adds_only and op.removed == ()


def test_an_enum_a_column_outside_the_comparison_uses_is_kept():
    kept = EnumSnapshot(None, "kept", ("a",), ((None, "elsewhere", "c"),))
    unused = EnumSnapshot(None, "unused", ("a",), ())
    other_schema = EnumSnapshot("other", "theirs", ("a",), ())
    db = SchemaSnapshot({}, None, {e.key: e for e in (kept, unused, other_schema)})
    ops = _compare(db, SchemaSnapshot({})).ops
    assert [(type(o), o.name) for o in ops] == [(DropEnumOp, "unused")]
    assert ops[0].reverse() == CreateEnumOp("unused", ("a",))


def test_sequences_compare_through_the_backends_defaults():
    md = sa.MetaData()
    sa.Sequence("plain", metadata=md)
    sa.Sequence("spelled_out", metadata=md, start=1, increment=1, cache=1)
    sa.Sequence("changed", metadata=md, increment=5)
    pg = {
        s.key: s
        for s in (
            SequenceSnapshot(None, "plain", 1, 1, 1, 2**63 - 1, False, 1, "BIGINT"),
            SequenceSnapshot(None, "spelled_out", 1, 1, 1, 2**63 - 1, False, 1, "BIGINT"),
            SequenceSnapshot(None, "changed", 1, 1, 1, 2**63 - 1, False, 1, "BIGINT"),
            SequenceSnapshot(None, "gone", 1, 1, 1, 2**63 - 1, False, 1, "BIGINT"),
        )
    }
    ops = _compare(SchemaSnapshot({}, None, {}, pg), _model(md)).ops
    assert [(type(o), o.name) for o in ops] == [
        (AlterSequenceOp, "changed"),
        (DropSequenceOp, "gone"),
    ]
    assert ops[0].options.increment == 5 and ops[0].existing.increment == 1
    assert isinstance(ops[1].reverse(), CreateSequenceOp)
    assert ops[1].reverse().options == SequenceOptions(1, 1, 1, 2**63 - 1, False, 1)

    maria = mysql.dialect()
    maria.supports_sequences = True
    db = {
        s.key: s
        for s in (
            SequenceSnapshot(None, "plain", 1, 1, 1, 2**63 - 2, False, 1000),
            SequenceSnapshot(None, "spelled_out", 1, 1, 1, 2**63 - 2, False, 1),
            SequenceSnapshot(None, "changed", 1, 5, 1, 2**63 - 2, False, 1000),
        )
    }
    assert _compare(SchemaSnapshot({}, None, {}, db), _model(md, maria), maria).ops == []


def test_a_missing_schema_is_created_first_with_include_schemas_only():
    md = sa.MetaData()
    sa.Table("t", md, sa.Column("id", sa.Integer, primary_key=True), schema="fresh")
    db = SchemaSnapshot({}, None, schemas=frozenset({"public"}))
    ops = _compare(db, _model(md), include_schemas=True).ops
    assert [type(o) for o in ops] == [CreateSchemaOp, CreateTableOp]
    assert ops[0].reverse() == DropSchemaOp("fresh")
    assert [type(o) for o in _compare(db, _model(md)).ops] == [CreateTableOp]
    hidden = _compare(db, _model(md), include_schemas=True, include_name=lambda *a: False)
    assert not any(isinstance(o, CreateSchemaOp) for o in hidden.ops)


def test_object_ops_never_land_inside_a_table_group():
    md = sa.MetaData()
    _status(md, "ticket", "a")
    db = _model(md)
    db = SchemaSnapshot(db.tables, None)  # the type is missing, the table is there
    ops = _compare(db, _model(md)).ops
    assert [type(o) for o in ops] == [CreateEnumOp]
    assert not any(isinstance(o, ModifyTableOps) for o in ops)


def test_hooks_see_enums_and_sequences():
    md = sa.MetaData()
    _status(md, "ticket", "a")
    sa.Sequence("mine", metadata=md)
    theirs = EnumSnapshot(None, "theirs", ("x",), ())
    legacy = SequenceSnapshot(None, "legacy_seq", 1, 1, 1, 2**63 - 1, False, 1, "BIGINT")
    db = SchemaSnapshot(_model(md).tables, None, {theirs.key: theirs}, {legacy.key: legacy})
    seen: list[tuple[str, str, bool, str]] = []

    def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
        if type_ in ("enum", "sequence"):
            seen.append((type_, name, reflected, type(obj).__name__))
            return name in ("mine", "theirs")
        return True

    ops = _compare(db, _model(md), include_object=include_object).ops
    assert [(type(o), o.name) for o in ops] == [
        (CreateSequenceOp, "mine"),
        (DropEnumOp, "theirs"),
    ]
    assert sorted(seen) == [
        ("enum", "status_enum", False, "Enum"),
        ("enum", "theirs", True, "ENUM"),
        ("sequence", "legacy_seq", True, "Sequence"),
        ("sequence", "mine", False, "Sequence"),
    ]

    def include_name(name, type_, parents):  # type: ignore[no-untyped-def]
        return type_ not in ("enum", "sequence")

    hidden = _compare(db, _model(md), include_name=include_name)
    assert [type(o) for o in hidden.ops] == [CreateSequenceOp, CreateEnumOp]


def test_a_column_moving_between_named_enums_says_which():
    from schemadiff.ops import AlterColumnOp, Delta

    op = AlterColumnOp(
        "t", "c", type=Delta(postgresql.ENUM("a", name="old_e"), sa.Enum("a", name="new_e"))
    )
    (change,) = op.to_changes()
    assert change.detail == {
        "from": "old_e ENUM('a')",
        "to": "new_e ENUM('a')",
        "from_values": ["a"],
        "to_values": ["a"],
    }
