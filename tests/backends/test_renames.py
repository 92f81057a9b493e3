"""Renames on every backend: hinted ones keep their data both ways, unhinted ones stay
drop + add with a suggestion."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from schemadiff.renderers.describe import describe_change
from tests.backends.object_support import Loop, _kinds
from tests.operations.support import rows

ROWS = [(1, "ann", 10), (2, "bob", 20), (3, "cy", None)]


def _account(
    *,
    table: str = "account",
    table_info: dict[str, Any] | None = None,
    name: str = "name",
    name_info: dict[str, Any] | None = None,
    name_type: Any = None,
    name_nullable: bool = True,
    extra: tuple[sa.Column[Any], ...] = (),
) -> sa.MetaData:
    md = sa.MetaData()
    sa.Table(
        table,
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(name, name_type or sa.String(30), nullable=name_nullable, info=name_info or {}),
        sa.Column("score", sa.Integer),
        *extra,
        sa.Index(f"ix_{table}_score", "score"),
        info=table_info or {},
    )
    sa.Table(
        "purchase",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey(f"{table}.id")),
    )
    return md


def _fill(loop: Loop, table: str = "account") -> None:
    with loop.engine.begin() as conn:
        for row in ROWS:
            conn.exec_driver_sql(
                f"INSERT INTO {table} (id, name, score) VALUES ({row[0]}, "
                f"'{row[1]}', {'NULL' if row[2] is None else row[2]})"
            )
        conn.exec_driver_sql("INSERT INTO purchase (id, account_id) VALUES (1, 2)")


def _read(loop: Loop, table: str, name: str) -> list[tuple[Any, ...]]:
    found = rows(loop.engine, f"SELECT id, {name}, score FROM {table} ORDER BY id")
    return [tuple(r) for r in found]


def _before() -> sa.MetaData:
    return _account()


def test_hinted_column_rename_keeps_data_both_ways(loop: Loop) -> None:
    def after() -> sa.MetaData:
        return _account(name="full_name", name_info={"renamed_from": "name"})

    loop.generate(_before, after)
    changes = loop.compare(after())
    assert _kinds(changes) == [("rename_column", "name")]
    assert changes[0].detail == {"from": "name", "to": "full_name"}
    assert describe_change(changes[0]) == "renamed column 'account.name' to 'full_name'"
    (script,) = loop.project.versions()
    assert "new_column_name='full_name'" in script.read_text().replace('"', "'")
    _fill(loop)
    loop.upgrade(after)
    assert _read(loop, "account", "full_name") == ROWS
    # applied: the hint names a column that is gone, and changes nothing
    assert loop.compare(after()) == []
    loop.downgrade(_before)
    assert _read(loop, "account", "name") == ROWS


def test_rename_combined_with_type_and_nullable(loop: Loop) -> None:
    def after() -> sa.MetaData:
        return _account(
            name="label",
            name_info={"renamed_from": "name"},
            name_type=sa.String(80),
            name_nullable=False,
        )

    loop.generate(_before, after)
    changes = loop.compare(after())
    assert _kinds(changes) == [
        ("modify_nullable", "name"),
        ("modify_type", "name"),
        ("rename_column", "name"),
    ]
    _fill(loop)
    loop.upgrade(after)
    assert _read(loop, "account", "label") == ROWS
    loop.downgrade(_before)
    assert _read(loop, "account", "name") == ROWS


def test_hinted_table_rename_keeps_data_and_foreign_keys(loop: Loop) -> None:
    loop.options["compare_server_default"] = True  # a SERIAL's sequence keeps the old name

    def after() -> sa.MetaData:
        return _account(table="customer", table_info={"renamed_from": "account"})

    loop.generate(_before, after)
    changes = loop.compare(after())
    kinds = _kinds(changes)
    assert ("rename_table", "account") in kinds
    assert not {k for k, _ in kinds} & {"add_table", "remove_table", "add_fk", "remove_fk"}
    (rename,) = [c for c in changes if c.kind == "rename_table"]
    assert rename.detail == {"from": "account", "to": "customer"}
    _fill(loop)
    loop.upgrade(after)
    assert _read(loop, "customer", "name") == ROWS
    loop.downgrade(_before)
    assert _read(loop, "account", "name") == ROWS


def test_table_and_column_renamed_together(loop: Loop) -> None:
    def after() -> sa.MetaData:
        return _account(
            table="customer",
            table_info={"renamed_from": "account"},
            name="full_name",
            name_info={"renamed_from": "name"},
        )

    loop.generate(_before, after)
    assert ("rename_column", "name") in _kinds(loop.compare(after()))
    _fill(loop)
    loop.upgrade(after)
    assert _read(loop, "customer", "full_name") == ROWS
    loop.downgrade(_before)
    assert _read(loop, "account", "name") == ROWS


def test_rename_in_batch_mode(loop: Loop) -> None:
    loop.options["render_as_batch"] = True

    def after() -> sa.MetaData:
        return _account(name="handle", name_info={"renamed_from": "name"})

    _, script = loop.generate(_before, after)
    assert "batch_alter_table('account'" in script
    _fill(loop)
    loop.upgrade(after)
    assert _read(loop, "account", "handle") == ROWS
    loop.downgrade(_before)
    assert _read(loop, "account", "name") == ROWS


def test_without_a_hint_it_stays_drop_and_add_with_a_suggestion(loop: Loop) -> None:
    def after() -> sa.MetaData:
        return _account(name="nickname", extra=(sa.Column("joined", sa.Date),))

    loop.generate(_before, after)
    changes = loop.compare(after())
    assert _kinds(changes) == [
        ("add_column", "joined"),
        ("add_column", "nickname"),
        ("remove_column", "name"),
    ]
    added = {c.name: c for c in changes if c.kind == "add_column"}
    assert added["nickname"].detail["possible_rename_of"] == "name"
    assert "possible_rename_of" not in added["joined"].detail  # a Date is no String
    assert "renamed_from" in describe_change(added["nickname"])
    (script,) = loop.project.versions()
    text = script.read_text()
    assert "new_column_name" not in text and "drop_column" in text


def test_suggestion_prefers_same_nullability_then_similar_name(loop: Loop) -> None:
    def before() -> sa.MetaData:
        md = sa.MetaData()
        sa.Table(
            "t",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("email", sa.String(30)),
            sa.Column("phone", sa.String(30), nullable=False),
        )
        return md

    def after() -> sa.MetaData:
        md = sa.MetaData()
        sa.Table(
            "t",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("email_address", sa.String(30)),
            sa.Column("mobile", sa.String(30), nullable=False),
        )
        return md

    with loop.engine.begin() as conn:
        before().create_all(conn)
    added = {c.name: c.detail.get("possible_rename_of") for c in loop.compare(after())}
    assert added == {"email_address": "email", "mobile": "phone", "email": None, "phone": None}
