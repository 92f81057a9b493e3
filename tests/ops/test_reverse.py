"""Operations derive their own downgrade."""

from __future__ import annotations

import sqlalchemy as sa

from schemadiff.ops import (
    AddColumnOp,
    AlterColumnOp,
    CreateIndexOp,
    CreateTableOp,
    Delta,
    DropColumnOp,
    DropIndexOp,
    DropTableOp,
    IrreversibleOp,
    ModifyTableOps,
    UpgradeOps,
)


def _table() -> sa.Table:
    return sa.Table(
        "account",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50)),
        sa.Index("ix_account_name", "name"),
    )


def test_create_and_drop_table_are_inverses():
    table = _table()
    op = CreateTableOp(table)
    back = op.reverse()
    assert isinstance(back, DropTableOp) and back.table_name == "account"
    assert back.reverse().table is table


def test_add_and_drop_column_are_inverses():
    col = sa.Column("x", sa.Integer)
    op = AddColumnOp("t", col, "s")
    back = op.reverse()
    assert isinstance(back, DropColumnOp)
    assert (back.table_name, back.column_name, back.schema) == ("t", "x", "s")
    assert back.reverse().column is col


def test_drop_column_without_its_definition_is_irreversible_in_a_container():
    upgrade = UpgradeOps([ModifyTableOps("t", [DropColumnOp("t", "x")])])
    downgrade = upgrade.reverse()
    (modify,) = downgrade.ops
    (op,) = modify.ops
    assert isinstance(op, IrreversibleOp)


def test_alter_column_reverse_keeps_existing_hints():
    op = AlterColumnOp(
        "t",
        "c",
        nullable=Delta(True, False),
        existing_type=sa.String(10),
        existing_server_default="'x'",
    )
    back = op.reverse()
    assert back.nullable == Delta(False, True)
    assert back.existing_nullable is False
    assert back.existing_server_default == "'x'"
    assert back.reverse().nullable == op.nullable


def test_rename_through_alter_reverses_the_name():
    op = AlterColumnOp("t", "old", new_column_name="new")
    back = op.reverse()
    assert (back.column_name, back.new_column_name) == ("new", "old")


def test_downgrade_of_a_created_table_does_not_drop_its_indexes_first():
    table = _table()
    (index,) = table.indexes
    upgrade = UpgradeOps([CreateTableOp(table), CreateIndexOp(index)])
    downgrade = upgrade.reverse()
    assert [type(o) for o in downgrade.ops] == [DropTableOp]
    # on its own, an index drop is kept
    alone = UpgradeOps([CreateIndexOp(index)]).reverse()
    assert [type(o) for o in alone.ops] == [DropIndexOp]


def test_changes_are_the_spec_kinds():
    table = _table()
    assert [c.kind for c in CreateTableOp(table).to_changes()] == ["add_table"]
    alter = AlterColumnOp("t", "c", nullable=Delta(True, False), comment=Delta(None, "hi"))
    assert [(c.kind, c.detail) for c in alter.to_changes()] == [
        ("modify_nullable", {"from": True, "to": False}),
        ("modify_comment", {"from": None, "to": "hi"}),
    ]
