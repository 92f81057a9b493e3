"""Change kinds: each a record with its detail fields and its sentence."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from schemadiff.errors import ConfigError
from schemadiff.ops import (
    AddColumnOp,
    AddConstraintOp,
    AlterColumnOp,
    AlterEnumOp,
    AlterSequenceOp,
    Change,
    CreateEnumOp,
    CreateIndexOp,
    CreateSchemaOp,
    CreateSequenceOp,
    CreateTableCommentOp,
    CreateTableOp,
    Delta,
    DropColumnOp,
    DropConstraintOp,
    DropEnumOp,
    DropIndexOp,
    DropSchemaOp,
    DropSequenceOp,
    DropTableCommentOp,
    DropTableOp,
    MigrateOperation,
    RenameTableOp,
    SequenceOptions,
)
from schemadiff.ops.kind_records import BUILTIN_KINDS
from schemadiff.ops.kinds import ChangeKind, KindRegistry
from schemadiff.plugins import Registries, default_registries
from schemadiff.renderers.describe import describe_change

#: every kind SPEC's ``check --format json`` section names
SPEC_KINDS = {
    *("add_table", "remove_table", "add_column", "remove_column", "modify_nullable"),
    *("modify_type", "modify_default", "modify_comment", "add_index", "remove_index"),
    *("add_unique", "remove_unique", "add_fk", "remove_fk", "add_check", "remove_check"),
    *("add_table_comment", "remove_table_comment", "add_enum", "remove_enum", "modify_enum"),
    *("add_sequence", "remove_sequence", "modify_sequence", "add_view", "remove_view"),
    *("modify_view", "add_function", "remove_function", "modify_function", "add_trigger"),
    *("remove_trigger", "modify_trigger", "rename_table", "rename_column"),
}


def test_every_kind_spec_lists_is_registered() -> None:
    kinds = default_registries().kinds
    assert SPEC_KINDS - {k.name for k in kinds} == set()


def _table() -> sa.Table:
    md = sa.MetaData()
    other = sa.Table("u", md, sa.Column("id", sa.Integer, primary_key=True))
    return sa.Table(
        "t",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("u_id", sa.ForeignKey(other.c.id, name="fk_t_u")),
        sa.Column("a", sa.Enum("x", "y", name="ab")),
        sa.CheckConstraint("id > 0", name="ck_t"),
        sa.UniqueConstraint("a", name="uq_t_a"),
        sa.Index("ix_t_a", "a", unique=True),
        schema="s",
    )


def _every_builtin_op() -> list[MigrateOperation]:
    table = _table()
    index = next(iter(table.indexes))
    seq = SequenceOptions(start=1, increment=2, data_type=sa.BigInteger())
    return [
        CreateTableOp(table),
        DropTableOp("t", "s"),
        RenameTableOp("t", "t2", "s"),
        AddColumnOp("t", sa.Column("c", sa.Integer), "s"),
        DropColumnOp("t", "c", "s"),
        AlterColumnOp(
            "t",
            "c",
            nullable=Delta(True, False),
            type=Delta(sa.Enum("a", name="e1"), sa.Enum("a", "b", name="e2")),
            server_default=Delta(None, "x"),
            comment=Delta(None, "hi"),
            identity=Delta(None, sa.Identity()),
        ),
        CreateTableCommentOp("t", "new", existing_comment="old"),
        DropTableCommentOp("t", existing_comment="old"),
        CreateIndexOp(index),
        DropIndexOp("ix_t_a", "t", "s"),
        *(AddConstraintOp(c) for c in table.constraints),
        *(DropConstraintOp("x", "t", kind) for kind in ("unique", "foreignkey", "check")),
        DropConstraintOp("x", "t", "primary"),
        DropConstraintOp("x", "t"),
        CreateEnumOp("e", ("a", "b")),
        DropEnumOp("e", existing_values=("a",)),
        AlterEnumOp("e", ("a", "b"), ("a",)),
        CreateSequenceOp("q", seq),
        DropSequenceOp("q"),
        AlterSequenceOp("q", seq, SequenceOptions(start=5)),
        CreateSchemaOp("s"),
        DropSchemaOp("s"),
    ]


def test_every_builtin_change_is_a_registered_kind_within_its_detail_fields() -> None:
    kinds = default_registries().kinds
    changes = [c for op in _every_builtin_op() for c in op.to_changes()]
    assert len({c.kind for c in changes}) >= 25
    for change in changes:
        record = kinds.get(change.kind)
        assert record is not None, change
        assert set(change.detail) <= set(record.detail_fields), change
        if change.kind != "drop_constraint":  # an untyped drop keeps its own word
            assert change.kind not in describe_change(change), change


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        (Change("add_table", "s", "account", "account"), "added table 's.account'"),
        (
            Change("rename_table", None, "a", "a", {"from": "a", "to": "b"}),
            "renamed table 'a' to 'b'",
        ),
        (
            Change("rename_column", "s", "t", "a", {"from": "a", "to": "b"}),
            "renamed column 's.t.a' to 'b'",
        ),
        (Change("modify_nullable", None, "t", "c", {"to": False}), "NOT NULL on column 't.c'"),
        (
            Change("modify_default", None, "t", "c", {"from": None, "to": "'x'"}),
            "server default change from None to \"'x'\" on column 't.c'",
        ),
        (
            Change("modify_identity", None, "t", "c", {"from": "GENERATED", "to": None}),
            "identity change from GENERATED to no identity on column 't.c'",
        ),
        (
            Change("add_table_comment", None, "t", None, {"from": "a", "to": "b"}),
            "table comment change from 'a' to 'b' on 't'",
        ),
        (
            Change("add_table_comment", None, "t", None, {"from": None}),
            "added table comment on 't'",
        ),
        (
            Change("add_fk", None, "t", "fk", {"columns": ["a"], "referred": ["u.id"]}),
            "added foreign key 'fk' on 't' (a) referencing u.id",
        ),
        (
            Change("add_check", None, "t", None, {"sqltext": "a > 0"}),
            "added check constraint on 't': a > 0",
        ),
        (Change("add_enum", "s", None, "mood", {"values": ["a"]}), "added enum 's.mood' (a)"),
        (
            Change("modify_sequence", None, None, "q", {"from": {"start": 1}, "to": {"start": 2}}),
            "sequence 'q' options change from {'start': 1} to {'start': 2}",
        ),
        (Change("remove_schema", "s", None, "s"), "removed schema 's'"),
        (Change("add_view", None, None, "v"), "added view 'v'"),
        (
            Change("remove_view", "s", None, "v", {"materialized": True}),
            "removed materialized view 's.v'",
        ),
        (Change("modify_view", None, None, "v"), "definition change on view 'v'"),
        (Change("add_function", None, None, "f"), "added function 'f'"),
        (Change("modify_function", "s", None, "f"), "definition change on function 's.f'"),
        (Change("add_trigger", None, "t", "trg"), "added trigger 'trg' on 't'"),
        (Change("remove_trigger", None, None, "trg"), "removed trigger 'trg'"),
        (Change("modify_trigger", "s", "t", "trg"), "definition change on trigger 'trg' on 's.t'"),
        (Change("drop_constraint", None, "t", "x"), "drop_constraint 'x' on 't'"),
        (Change("add_table", None, "a\nb", "a\nb"), "added table 'a\\nb'"),
    ],
)
def test_sentences(change: Change, sentence: str) -> None:
    assert describe_change(change) == sentence


def test_an_unknown_kind_still_reads() -> None:
    assert describe_change(Change("frobnicate", None, "t", "x")) == "frobnicate 'x' on 't'"
    assert describe_change(Change("frobnicate", "s", "t", None)) == "frobnicate on 's.t'"


def test_a_plugin_adds_and_rewords_kinds_through_the_door() -> None:
    def setup(registries: Registries) -> None:
        registries.kinds.register(
            ChangeKind("add_extension", ("version",), lambda c: f"added extension '{c.name}'")
        )
        registries.kinds.register(ChangeKind("add_table", (), lambda c: f"new table {c.table}"))

    regs = Registries()
    regs.install("builtin", __import__("schemadiff.builtin").builtin.setup)
    regs.install("ext", setup)
    assert describe_change(Change("add_extension", None, None, "hstore"), regs.kinds) == (
        "added extension 'hstore'"
    )
    assert describe_change(Change("add_table", None, "t", "t"), regs.kinds) == "new table t"
    assert len(regs.kinds) == len(BUILTIN_KINDS) + 1


def test_a_kind_that_is_not_a_record_is_refused_at_registration() -> None:
    def setup(registries: Registries) -> None:
        registries.kinds.register("add_thing")  # type: ignore[arg-type]

    with pytest.raises(ConfigError, match="not a ChangeKind"):
        Registries().install("bad", setup)
    with pytest.raises(TypeError, match="not callable"):
        KindRegistry([ChangeKind("x", (), "text")])  # type: ignore[arg-type]


def test_as_dict_keeps_the_json_shape() -> None:
    change = Change("add_view", "s", None, "v", {"materialized": True})
    assert change.as_dict() == {
        "kind": "add_view",
        "schema": "s",
        "table": None,
        "name": "v",
        "detail": {"materialized": True},
        "hazards": [],  # SPEC: every change has the list, empty when none
    }
