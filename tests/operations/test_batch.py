"""Batch mode: move and copy keeps every row and every constraint, or changes nothing.

SQLite rebuilds on its own ("auto"); PostgreSQL and MariaDB are asked to
with ``recreate="always"``.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from schemadiff import op
from schemadiff.errors import MigrationError
from tests.operations.support import (
    check_names,
    column_names,
    columns,
    fk_map,
    index_map,
    migration,
    rows,
    unique_sets,
)


def _recreate(backend: str) -> str:
    return "auto" if backend == "sqlite" else "always"


def _fk_enforcing(engine: sa.Engine, backend: str) -> sa.Engine:
    """SQLite checks foreign keys only when asked, per connection."""
    if backend == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _on(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            dbapi_conn.execute("PRAGMA foreign_keys = ON")

    return engine


def _shop(engine: sa.Engine) -> None:
    with migration(engine):
        op.create_table(
            "parent",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("code", sa.String(10)),
            sa.UniqueConstraint("code", name="uq_parent_code"),
        )
        op.create_table(
            "item",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(30), nullable=False, server_default="n"),
            sa.Column("qty", sa.Integer, sa.CheckConstraint("qty >= 0")),
            sa.Column("price", sa.Numeric(8, 2)),
            sa.Column("sku", sa.String(20), unique=True),
            sa.Column("obsolete", sa.Integer),
            sa.Column(
                "parent_id",
                sa.Integer,
                sa.ForeignKey("parent.id", name="fk_item_parent", ondelete="CASCADE"),
            ),
            sa.Column("up_id", sa.Integer, sa.ForeignKey("item.id", name="fk_item_up")),
            sa.CheckConstraint("price < 1000", name="ck_item_price"),
            sa.Index("ix_item_name", "name"),
        )
        # no explicit ids: PostgreSQL's sequences must count these rows too
        op.execute("INSERT INTO parent (code) VALUES ('p1'), ('p2')")
        op.execute(
            "INSERT INTO item (name, qty, price, sku, obsolete, parent_id, up_id) VALUES "
            "('apple', 3, 1.50, 'A', 0, 1, NULL), ('pear', 0, 2.25, 'B', 0, 2, 1)"
        )


def test_rebuild_keeps_rows_and_constraints(engine, backend):
    _shop(engine)
    before_checks = check_names(engine, "item")
    with migration(engine):
        with op.batch_alter_table("item", recreate=_recreate(backend)) as batch_op:
            batch_op.add_column(sa.Column("note", sa.String(40)), insert_after="name")
            batch_op.drop_column("obsolete")
            batch_op.alter_column("qty", type_=sa.BigInteger, existing_type=sa.Integer)
            batch_op.alter_column("name", type_=sa.String(60), existing_type=sa.String(30))
            batch_op.alter_column("price", new_column_name="amount", existing_type=sa.Numeric(8, 2))
    assert column_names(engine, "item") == [
        "id", "name", "note", "qty", "amount", "sku", "parent_id", "up_id"
    ]  # fmt: skip
    assert rows(engine, "SELECT id, name, qty, sku, parent_id, up_id FROM item ORDER BY id") == [
        (1, "apple", 3, "A", 1, None),
        (2, "pear", 0, "B", 2, 1),
    ]
    cols = columns(engine, "item")
    assert isinstance(cols["qty"]["type"], sa.BigInteger) and cols["name"]["type"].length == 60
    assert cols["name"]["nullable"] is False and "n" in str(cols["name"]["default"])
    after_checks = check_names(engine, "item")
    # MariaDB reports a column's CHECK once the rebuilt table holds it at table level
    assert "ck_item_price" in after_checks and before_checks <= after_checks
    assert ("sku",) in unique_sets(engine, "item").values()
    fks = fk_map(engine, "item")
    assert fks["fk_item_parent"]["options"].get("ondelete") == "CASCADE"
    assert fks["fk_item_up"]["referred_table"] == "item"
    assert index_map(engine, "item")["ix_item_name"]["column_names"] == ["name"]
    assert "_schemadiff_batch_temp" not in sa.inspect(engine).get_table_names()
    for bad in (
        "INSERT INTO item (id, name, qty, amount) VALUES (3, 'x', -1, 1)",  # unnamed CHECK
        "INSERT INTO item (id, name, qty, amount) VALUES (3, 'x', 1, 5000)",  # renamed column's CHECK
        "INSERT INTO item (id, name, sku) VALUES (3, 'x', 'A')",  # column-level UNIQUE
    ):
        with pytest.raises(sa.exc.DBAPIError), engine.begin() as conn:
            conn.exec_driver_sql(bad)
    with engine.begin() as conn:  # the primary key still numbers new rows
        conn.exec_driver_sql("INSERT INTO item (name) VALUES ('new')")
    assert rows(engine, "SELECT id FROM item WHERE name = 'new'") == [(3,)]


def test_referenced_table_and_its_referrers_survive(engine, backend):
    engine = _fk_enforcing(engine, backend)
    _shop(engine)
    with migration(engine):
        with op.batch_alter_table("parent", recreate=_recreate(backend)) as batch_op:
            batch_op.alter_column("code", nullable=False, existing_type=sa.String(10))
            batch_op.alter_column("id", new_column_name="id", comment="key")
    assert rows(engine, "SELECT id, parent_id FROM item ORDER BY id") == [(1, 1), (2, 2)]
    assert columns(engine, "parent")["code"]["nullable"] is False
    assert fk_map(engine, "item")["fk_item_parent"]["referred_table"] == "parent"
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO item (id, name, parent_id) VALUES (9, 'x', 99)")
    with engine.begin() as conn:  # ON DELETE CASCADE still reaches the items
        conn.exec_driver_sql("DELETE FROM item WHERE up_id IS NOT NULL")
        conn.exec_driver_sql("DELETE FROM parent WHERE id = 1")
    assert rows(engine, "SELECT id FROM item") == []


def test_failing_rebuild_leaves_the_table_untouched(engine, backend):
    _shop(engine)
    before = rows(engine, "SELECT * FROM item ORDER BY id")
    with pytest.raises((MigrationError, sa.exc.DBAPIError)):
        with migration(engine):
            with op.batch_alter_table("item", recreate=_recreate(backend)) as batch_op:
                batch_op.add_column(sa.Column("extra", sa.Integer))
                batch_op.alter_column("up_id", nullable=False, existing_type=sa.Integer)
    assert column_names(engine, "item") == [
        "id", "name", "qty", "price", "sku", "obsolete", "parent_id", "up_id"
    ]  # fmt: skip
    assert rows(engine, "SELECT * FROM item ORDER BY id") == before
    assert "_schemadiff_batch_temp" not in sa.inspect(engine).get_table_names()
    assert fk_map(engine, "item")["fk_item_parent"]["referred_table"] == "parent"


def test_column_positions(engine, backend):
    with migration(engine):
        op.create_table("t", sa.Column("a", sa.Integer), sa.Column("b", sa.Integer))
        op.execute("INSERT INTO t (a, b) VALUES (1, 2)")
        with op.batch_alter_table(
            "t", recreate=_recreate(backend), partial_reordering=[("b", "a")]
        ) as batch_op:
            batch_op.add_column(sa.Column("first", sa.Integer), insert_before="a")
            batch_op.add_column(sa.Column("middle", sa.Integer), insert_after="a")
    assert column_names(engine, "t") == ["first", "b", "middle", "a"]
    assert rows(engine, "SELECT a, b FROM t") == [(1, 2)]


def test_unnamed_constraint_dropped_through_a_naming_convention(engine, backend):
    with migration(engine):
        op.create_table("t", sa.Column("x", sa.Integer, unique=True), sa.Column("y", sa.Integer))
        with op.batch_alter_table(
            "t",
            recreate=_recreate(backend),
            naming_convention={"uq": "uq_%(table_name)s_%(column_0_name)s"},
        ) as batch_op:
            if backend == "sqlite":  # unnamed there; named by the database elsewhere
                batch_op.drop_constraint("uq_t_x", type_="unique")
            batch_op.create_unique_constraint(None, ["y"])
    uniques = unique_sets(engine, "t")
    assert uniques.get("uq_t_y") == ("y",)
    if backend == "sqlite":
        assert list(uniques.values()) == [("y",)]


def test_table_args_and_unknown_names(engine, backend):
    with migration(engine):
        op.create_table("t", sa.Column("x", sa.Integer))
        with op.batch_alter_table(
            "t",
            recreate="always",  # table_args shape a rebuilt table only
            table_args=[sa.CheckConstraint("x > 5", name="ck_big")],
        ) as batch_op:
            batch_op.add_column(sa.Column("y", sa.Integer))
    assert "ck_big" in check_names(engine, "t")
    with pytest.raises(MigrationError, match="No constraint named 'nope' on table 't'"):
        with migration(engine):
            with op.batch_alter_table("t", recreate=_recreate(backend)) as batch_op:
                batch_op.drop_constraint("nope")
    with pytest.raises(MigrationError, match="No column 'nope' in table 't'"):
        with migration(engine):
            with op.batch_alter_table("t", recreate="always") as batch_op:
                batch_op.alter_column("nope", nullable=False)


def test_auto_is_plain_alter_where_alter_works(engine, backend):
    """Only SQLite rebuilds in "auto" mode, and only for what its ALTER cannot do."""
    with migration(engine):
        op.create_table("t", sa.Column("x", sa.Integer), sa.Column("y", sa.Integer))
    statements: list[str] = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _log(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    with migration(engine):
        with op.batch_alter_table("t") as batch_op:
            batch_op.add_column(sa.Column("z", sa.Integer))
            batch_op.alter_column("y", new_column_name="w", existing_type=sa.Integer)
            batch_op.drop_column("x")
    assert not any("_schemadiff_batch_temp" in s for s in statements)
    assert column_names(engine, "t") == ["w", "z"]
    statements.clear()
    with migration(engine):
        with op.batch_alter_table("t") as batch_op:
            batch_op.alter_column("w", nullable=False, existing_type=sa.Integer)
    rebuilt = any("_schemadiff_batch_temp" in s for s in statements)
    assert rebuilt is (backend == "sqlite")
    assert columns(engine, "t")["w"]["nullable"] is False


def test_bad_recreate_value(engine):
    with pytest.raises(MigrationError, match="recreate='sometimes'"):
        with migration(engine):
            with op.batch_alter_table("t", recreate="sometimes"):
                pass


def _model(version: int) -> sa.MetaData:
    md = sa.MetaData(naming_convention={"uq": "uq_%(table_name)s_%(column_0_name)s"})
    sa.Table("parent", md, sa.Column("id", sa.Integer, primary_key=True))
    cols = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=version == 1),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("parent.id", name="fk_item_parent")),
    ]
    if version == 1:
        cols.append(sa.Column("legacy", sa.Integer))
    else:
        cols.append(sa.Column("code", sa.String(10), unique=True))
    sa.Table("item", md, *cols)
    return md


def test_render_as_batch_scripts_run_and_round_trip(database, engine, tmp_path):
    """Autogenerate's ``with op.batch_alter_table(...) as batch_op:`` blocks, applied."""
    from schemadiff import command, compare_metadata
    from tests.helpers import describe, make_project

    project = make_project(tmp_path, database.url_string)
    with engine.begin() as conn:
        _model(1).create_all(conn)
        conn.exec_driver_sql("INSERT INTO parent (id) VALUES (1)")
        conn.exec_driver_sql("INSERT INTO item (id, name, parent_id) VALUES (1, 'a', 1)")
    cfg = project.config(_model(2), render_as_batch=True)
    (script,) = command.revision(cfg, message="batch", autogenerate=True)
    assert "with op.batch_alter_table(" in script.read_text()
    command.upgrade(project.config(_model(2), render_as_batch=True), "head")
    with engine.connect() as conn:
        changes = compare_metadata(conn, _model(2))
    assert changes == [], describe(changes)
    assert rows(engine, "SELECT id, name, parent_id FROM item") == [(1, "a", 1)]
    command.downgrade(project.config(_model(2), render_as_batch=True), "base")
    with engine.connect() as conn:
        changes = compare_metadata(conn, _model(1))
    assert changes == [], describe(changes)
    assert rows(engine, "SELECT id, name, parent_id FROM item") == [(1, "a", 1)]
