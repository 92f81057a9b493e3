"""Sequences (PostgreSQL, MariaDB), new schemas, the golden rule, every object kind.

The same full loop as ``test_pg_enums``: autogenerate, upgrade, check,
catalog, downgrade, check against the old model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from schemadiff import compare_metadata
from tests.backends.object_cases import OBJECT_CASES
from tests.backends.object_support import (
    Loop,
    _kinds,
    _need_sequences,
    _only,
    _schema,
    _sequence_names,
)
from tests.helpers import describe
from tests.operations.support import rows


def test_an_enum_in_another_schema_is_created_there(database, tmp_path):
    _only(database, "postgresql")
    engine = database.engine()
    home = _schema(engine)
    other = f"{home}_x"
    options = {"include_schemas": True, "include_name": _only_schemas(home, other)}
    loop = Loop(database, tmp_path, options)
    try:

        def after() -> sa.MetaData:
            md = sa.MetaData()
            mood = sa.Enum("up", "down", name="mood", schema=other)
            sa.Table("a", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("m", mood))
            sa.Table(
                "b",
                md,
                sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("m", sa.Enum("up", "down", name="mood", schema=other)),
                schema=other,
            )
            sa.Sequence("ticket_no", metadata=md, schema=other, start=100)
            return md

        changes, script = loop.generate(sa.MetaData, after)
        assert _kinds(changes) == [
            ("add_enum", "mood"),
            ("add_schema", other),
            ("add_sequence", "ticket_no"),
            ("add_table", "a"),
            ("add_table", "b"),
        ], describe(changes)
        assert script.index("op.create_schema(") < script.index("op.create_enum(")
        sql = loop.offline(after())
        assert sql.count("CREATE TYPE") == 1 and sql.index("CREATE SCHEMA") < sql.index(
            "CREATE TYPE"
        )
        loop.upgrade(after)
        assert rows(engine, f"SELECT nspname FROM pg_namespace WHERE nspname = '{other}'")
        loop.downgrade(sa.MetaData)
        assert not rows(engine, f"SELECT nspname FROM pg_namespace WHERE nspname = '{other}'")
    finally:
        loop.close()
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{other}" CASCADE')
        engine.dispose()


def _only_schemas(*names: str) -> Callable[..., bool]:
    def include_name(name: str | None, type_: str, parents: dict[str, Any]) -> bool:
        return type_ != "schema" or name in names

    return include_name


# -- sequences -------------------------------------------------------------------------
def _orders(*, start: int = 1, increment: int | None = None, spare: bool = True) -> sa.MetaData:
    md = sa.MetaData()
    if spare:
        sa.Sequence("spare_seq", metadata=md, start=10, increment=5, cache=3)
    sa.Table(
        "orders",
        md,
        sa.Column("id", sa.Integer, primary_key=True),  # a SERIAL / AUTO_INCREMENT
        sa.Column("no", sa.Integer, sa.Sequence("order_no_seq", start=start, increment=increment)),
    )
    sa.Table("ident", md, sa.Column("id", sa.Integer, sa.Identity(), primary_key=True))
    return md


def test_sequences_are_created_compared_and_dropped(loop):
    _only(loop.database, "postgresql", "mysql")
    _need_sequences(loop.engine)
    before = lambda: _orders(spare=False)  # noqa: E731
    changes, script = loop.generate(sa.MetaData, before)
    assert _kinds(changes) == [
        ("add_sequence", "order_no_seq"),
        ("add_table", "ident"),
        ("add_table", "orders"),
    ], describe(changes)
    assert script.index("op.create_sequence('order_no_seq'") < script.index("op.create_table(")
    loop.upgrade(before)
    with loop.engine.begin() as conn:
        conn.execute(sa.insert(before().tables["orders"]), [{"id": 1}])
        assert conn.exec_driver_sql("SELECT no FROM orders").scalar() == 1
    assert _sequence_names(loop.engine) == ["order_no_seq"]  # not the serial's, nor identity's
    loop.downgrade(sa.MetaData)
    assert _sequence_names(loop.engine) == []


def test_sequence_options_changed_and_a_spare_one_added(loop):
    _only(loop.database, "postgresql", "mysql")
    _need_sequences(loop.engine)
    before = lambda: _orders(spare=False)  # noqa: E731
    after = lambda: _orders(start=1, increment=2)  # noqa: E731
    changes, _ = loop.generate(before, after)
    assert _kinds(changes) == [
        ("add_sequence", "spare_seq"),
        ("modify_sequence", "order_no_seq"),
    ], describe(changes)
    loop.upgrade(after)
    assert _sequence_names(loop.engine) == ["order_no_seq", "spare_seq"]
    loop.downgrade(before)
    assert _sequence_names(loop.engine) == ["order_no_seq"]


# -- the golden rule: a model against the database it created ---------------------------
def _everything() -> sa.MetaData:
    """Enums (shared, in an array, non-native, with a default) and sequences of each kind."""
    md = sa.MetaData()
    shared = sa.Enum("new", "open", "closed", name="state")
    sa.Table(
        "issue",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("state", shared, server_default="open", nullable=False),
        sa.Column("labels", sa.ARRAY(sa.Enum("bug", "idea", name="label"))),
        sa.Column("plain", sa.Enum("x", "y", name="plain_enum", native_enum=False)),
        sa.Column("no", sa.Integer, sa.Sequence("issue_no_seq", start=1000, increment=10)),
        sa.Column("big", sa.BigInteger, sa.Identity(always=True)),
    )
    sa.Table(
        "history",
        md,
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("state", sa.Enum("new", "open", "closed", name="state")),
    )
    sa.Sequence("spare", metadata=md)
    sa.Sequence("small", metadata=md, data_type=sa.SmallInteger, increment=-2, cycle=True)
    sa.Sequence("capped", metadata=md, minvalue=5, maxvalue=500, cache=20)
    return md


def _mysql_model(md: sa.MetaData) -> sa.MetaData:
    """The model without what MariaDB lacks (arrays, a sequence's AS type)."""
    out = sa.MetaData()
    for table in md.tables.values():
        cols = [c._copy() for c in table.columns if not isinstance(c.type, sa.ARRAY)]
        sa.Table(table.name, out, *cols)
    for seq in md._sequences.values():
        if seq.name in ("spare", "capped"):
            sa.Sequence(seq.name, metadata=out, minvalue=seq.minvalue, maxvalue=seq.maxvalue)
    return out


def test_a_model_with_enums_and_sequences_matches_its_database(database, engine):
    md = _everything()
    if database.backend != "postgresql":
        md = _mysql_model(md)
    with engine.begin() as conn:
        md.create_all(conn)
    with engine.connect() as conn:
        changes = compare_metadata(conn, md, compare_server_default=True)
    assert changes == [], describe(changes)


# -- every kind, both directions ------------------------------------------------------------
@pytest.mark.parametrize("case", OBJECT_CASES, ids=[c.name for c in OBJECT_CASES])
def test_object_case_converges(loop, case):
    _only(loop.database, *case.backends)
    if "sequence" in case.name:
        _need_sequences(loop.engine)
    changes, _ = loop.generate(case.before, case.after)
    assert sorted(c.kind for c in changes) == sorted(case.kinds), describe(changes)
    loop.upgrade(case.after)
    loop.downgrade(case.before)
