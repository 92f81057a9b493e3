"""Rename hints and suggestions on snapshots built from models: no database involved."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from schemadiff.comparators import CompareContext, CompareOptions, compare_snapshots
from schemadiff.dialects import impl_for
from schemadiff.ops import MigrateOperation, ModifyTableOps
from schemadiff.plugins import default_registries
from schemadiff.snapshot import snapshot_from_metadata


def _changes(db: sa.MetaData, model: sa.MetaData) -> list[tuple[str, Any, dict[str, Any]]]:
    dialect = postgresql.dialect()
    ctx = CompareContext(CompareOptions(), impl_for(dialect))
    ops = compare_snapshots(
        ctx,
        snapshot_from_metadata(db, dialect),
        snapshot_from_metadata(model, dialect),
        default_registries().comparators,
    ).ops
    flat: list[MigrateOperation] = []
    for op in ops:
        flat.extend(op.ops if isinstance(op, ModifyTableOps) else [op])
    return [(c.kind, c.name, c.detail) for op in flat for c in op.to_changes()]


def _md(
    *columns: sa.Column[Any], name: str = "t", info: dict[str, Any] | None = None
) -> sa.MetaData:
    md = sa.MetaData()
    sa.Table(name, md, sa.Column("id", sa.Integer, primary_key=True), *columns, info=info or {})
    return md


def test_a_hint_naming_no_database_column_is_a_plain_add() -> None:
    found = _changes(_md(), _md(sa.Column("b", sa.Integer, info={"renamed_from": "nope"})))
    assert [(k, n) for k, n, _ in found] == [("add_column", "b")]


def test_a_hint_whose_old_name_the_model_keeps_is_ignored() -> None:
    db = _md(sa.Column("a", sa.Integer))
    model = _md(sa.Column("a", sa.Integer), sa.Column("b", sa.Integer, info={"renamed_from": "a"}))
    assert [(k, n) for k, n, _ in _changes(db, model)] == [("add_column", "b")]


def test_an_applied_hint_with_both_names_in_the_database_renames_nothing() -> None:
    db = _md(sa.Column("a", sa.Integer), sa.Column("b", sa.Integer))
    model = _md(sa.Column("b", sa.Integer, info={"renamed_from": "a"}))
    assert [(k, n) for k, n, _ in _changes(db, model)] == [("remove_column", "a")]


def test_an_index_follows_its_renamed_column() -> None:
    db = _md(sa.Column("a", sa.Integer), sa.Index("ix_t_key", "a"))
    model = _md(sa.Column("b", sa.Integer, info={"renamed_from": "a"}), sa.Index("ix_t_key", "b"))
    assert _changes(db, model) == [("rename_column", "a", {"from": "a", "to": "b"})]


def test_foreign_keys_follow_a_renamed_table_and_column() -> None:
    def model(parent: str, key: str, hints: bool) -> sa.MetaData:
        md = sa.MetaData()
        sa.Table(
            parent,
            md,
            sa.Column(
                key, sa.Integer, primary_key=True, info={"renamed_from": "id"} if hints else {}
            ),
            info={"renamed_from": "parent"} if hints else {},
        )
        sa.Table(
            "child",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("parent_id", sa.Integer, sa.ForeignKey(f"{parent}.{key}", name="fk_child")),
        )
        return md

    found = _changes(model("parent", "id", False), model("owner", "owner_id", True))
    assert sorted((k, n) for k, n, _ in found) == [
        ("rename_column", "id"),
        ("rename_table", "parent"),
    ]


def test_a_table_hint_in_a_schema() -> None:
    db, model = sa.MetaData(), sa.MetaData()
    sa.Table("old", db, sa.Column("id", sa.Integer, primary_key=True), schema="app")
    sa.Table(
        "new",
        model,
        sa.Column("id", sa.Integer, primary_key=True),
        schema="app",
        info={"renamed_from": "old"},
    )
    assert _changes(db, model) == [("rename_table", "old", {"from": "old", "to": "new"})]


def test_suggestions_need_the_same_type_and_each_old_column_is_used_once() -> None:
    db = _md(sa.Column("price", sa.Integer), sa.Column("title", sa.String(20)))
    model = _md(
        sa.Column("price_cents", sa.Integer),
        sa.Column("cost", sa.Integer),
        sa.Column("headline", sa.Text),
    )
    added = {n: d.get("possible_rename_of") for k, n, d in _changes(db, model) if k == "add_column"}
    # price_cents is closer to price than cost is; headline is a TEXT, not a VARCHAR(20)
    assert added == {"price_cents": "price", "cost": None, "headline": None}


def test_suggestion_ties_are_broken_by_name() -> None:
    db = _md(sa.Column("xa", sa.Integer))
    model = _md(sa.Column("xb", sa.Integer), sa.Column("xc", sa.Integer))
    for _ in range(3):
        added = {
            n: d.get("possible_rename_of") for k, n, d in _changes(db, model) if k == "add_column"
        }
        assert added == {"xb": "xa", "xc": None}
