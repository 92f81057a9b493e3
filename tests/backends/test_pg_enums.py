"""PostgreSQL enum types as objects, and MariaDB's inline ENUM.

Each case runs the whole loop on a real server: the database is built from
the old model, autogenerate writes the migration for the new one, upgrade
runs it, ``check`` is clean, the catalog is asserted, downgrade runs and
the check against the old model is clean again.  ``--sql`` output of the
same scripts is checked where it differs (CREATE TYPE written once).
"""

from __future__ import annotations

import io
import json

import sqlalchemy as sa

from schemadiff import command, compare_metadata
from tests.backends.object_support import (
    _filenode,
    _kinds,
    _labels,
    _only,
    _ticket,
)
from tests.helpers import describe, make_project
from tests.operations.support import rows


def test_enum_gains_values_in_place_without_rewriting_the_table(loop):
    _only(loop.database, "postgresql")
    before = lambda: _ticket("a", "b")  # noqa: E731
    after = lambda: _ticket("z", "a", "m", "b", "c")  # noqa: E731
    changes, script = loop.generate(before, after)
    assert [(c.kind, c.name, c.detail) for c in changes] == [
        ("modify_enum", "status_enum", {"from": ["a", "b"], "to": ["z", "a", "m", "b", "c"]})
    ]
    assert "autocommit_block()" in script and "op.alter_enum(" in script
    with loop.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO ticket (id, status) VALUES (1, 'a'), (2, 'b')")
    node = _filenode(loop.engine, "ticket")
    loop.upgrade(after)
    assert _labels(loop.engine, "status_enum") == ["z", "a", "m", "b", "c"]
    assert _filenode(loop.engine, "ticket") == node  # ADD VALUE: catalog only
    loop.downgrade(before)
    assert _labels(loop.engine, "status_enum") == ["a", "b"]
    assert _filenode(loop.engine, "ticket") != node  # recreate + cast: a rewrite
    assert rows(loop.engine, "SELECT id, status::text FROM ticket ORDER BY id") == [
        (1, "a"),
        (2, "b"),
    ]


def test_enum_losing_and_reordering_values_recreates_it_and_keeps_rows(loop):
    _only(loop.database, "postgresql")

    def before() -> sa.MetaData:
        kind = sa.Column("kind", sa.Enum("a", "b", "c", name="status_enum"), server_default="b")
        history = sa.Column("history", sa.ARRAY(sa.Enum("a", "b", "c", name="status_enum")))
        return _ticket("a", "b", "c", extra=(kind, history))

    def after() -> sa.MetaData:
        kind = sa.Column("kind", sa.Enum("b", "a", name="status_enum"), server_default="b")
        history = sa.Column("history", sa.ARRAY(sa.Enum("b", "a", name="status_enum")))
        return _ticket("b", "a", extra=(kind, history))

    changes, script = loop.generate(before, after)
    assert _kinds(changes) == [("modify_enum", "status_enum")], describe(changes)
    assert "autocommit_block" not in script
    with loop.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO ticket (id, status, history) VALUES (1, 'a', '{a,b}'), (2, 'b', NULL)"
        )
    loop.upgrade(after)
    assert _labels(loop.engine, "status_enum") == ["b", "a"]
    found = "SELECT id, status::text, kind::text, history::text FROM ticket ORDER BY id"
    assert rows(loop.engine, found) == [(1, "a", "b", "{a,b}"), (2, "b", "b", None)]
    loop.downgrade(before)
    assert _labels(loop.engine, "status_enum") == ["a", "b", "c"]
    assert len(rows(loop.engine, "SELECT 1 FROM pg_type WHERE typname LIKE '%sd_old'")) == 0


def test_enum_losing_a_value_rows_still_hold_fails_naming_table_and_value(loop):
    _only(loop.database, "postgresql")
    loop.generate(lambda: _ticket("a", "b", "c"), lambda: _ticket("a", "b"))
    with loop.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO ticket (id, status) VALUES (1, 'a'), (2, 'c'), (3, 'c')")
    proc = loop.project.cli("upgrade", "head", expect=2)
    assert "FAILED:" in proc.stderr + proc.stdout
    out = proc.stderr + proc.stdout
    assert "'ticket'" in out and "'c'" in out and "2 row(s)" in out, out
    assert "Traceback" not in out
    assert _labels(loop.engine, "status_enum") == ["a", "b", "c"]  # rolled back, as it says


def test_enum_shared_by_tables_is_created_once_and_dropped_after_its_last_use(loop):
    _only(loop.database, "postgresql")

    def after() -> sa.MetaData:
        md = sa.MetaData()
        color = sa.Enum("red", "green", name="color")
        for name in ("car", "bike"):
            sa.Table(name, md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("c", color))
        sa.Table(
            "lamp",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("cs", sa.ARRAY(sa.Enum("red", "green", name="color"))),
        )
        return md

    changes, script = loop.generate(sa.MetaData, after)
    assert _kinds(changes) == [
        ("add_enum", "color"),
        ("add_table", "bike"),
        ("add_table", "car"),
        ("add_table", "lamp"),
    ], describe(changes)
    assert script.index("op.create_enum('color'") < script.index("op.create_table(")
    sql = loop.offline(after())
    assert sql.count("CREATE TYPE") == 1, sql
    assert sql.index("CREATE TYPE") < sql.index("CREATE TABLE car")
    loop.upgrade(after)
    assert _labels(loop.engine, "color") == ["red", "green"]
    loop.downgrade(sa.MetaData)
    assert _labels(loop.engine, "color") == []


def test_dropping_the_last_column_of_an_enum_drops_the_type(loop):
    _only(loop.database, "postgresql")

    def before() -> sa.MetaData:
        md = _ticket("a", "b")
        sa.Table(
            "old",
            md,
            # not a serial: a dropped serial table comes back with a nextval()
            # default naming a sequence that went with it (snapshot conversion)
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("s", sa.Enum("a", "b", name="status_enum")),
        )
        return md

    def after() -> sa.MetaData:
        md = sa.MetaData()
        sa.Table("ticket", md, sa.Column("id", sa.Integer, primary_key=True))
        return md

    changes, script = loop.generate(before, after)
    assert _kinds(changes) == [
        ("remove_column", "status"),
        ("remove_enum", "status_enum"),
        ("remove_table", "old"),
    ], describe(changes)
    assert script.index("op.drop_table('old')") < script.index("op.drop_enum('status_enum'")
    loop.upgrade(after)
    assert _labels(loop.engine, "status_enum") == []
    loop.downgrade(before)
    assert _labels(loop.engine, "status_enum") == ["a", "b"]


def test_a_column_moving_to_a_new_enum_gets_the_type_first(loop):
    _only(loop.database, "postgresql")

    def before() -> sa.MetaData:
        md = sa.MetaData()
        sa.Table(
            "ticket",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("status", sa.String(10)),
        )
        return md

    after = lambda: _ticket("a", "b")  # noqa: E731
    changes, script = loop.generate(before, after)
    assert _kinds(changes) == [("add_enum", "status_enum"), ("modify_type", "status")]
    assert script.index("op.create_enum(") < script.index("op.alter_column(")
    with loop.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO ticket (id, status) VALUES (1, 'b')")
    loop.upgrade(after)
    assert rows(loop.engine, "SELECT status::text FROM ticket") == [("b",)]
    loop.downgrade(before)
    assert _labels(loop.engine, "status_enum") == []
    assert rows(loop.engine, "SELECT status FROM ticket") == [("b",)]


# -- MariaDB / MySQL: ENUM is inline in its column ---------------------------------------
def test_inline_enum_with_other_values_is_a_type_change_listing_both(loop):
    _only(loop.database, "mysql")
    before = lambda: _ticket("a", "b")  # noqa: E731
    after = lambda: _ticket("a", "b", "c")  # noqa: E731
    changes, _ = loop.generate(before, after)
    assert [(c.kind, c.name, c.detail) for c in changes] == [
        (
            "modify_type",
            "status",
            {
                "from": "ENUM('a', 'b')",
                "to": "ENUM('a', 'b', 'c')",
                "from_values": ["a", "b"],
                "to_values": ["a", "b", "c"],
            },
        )
    ]
    loop.upgrade(after)
    (found,) = rows(
        loop.engine,
        "SELECT column_type FROM information_schema.columns "
        "WHERE table_schema = DATABASE() AND column_name = 'status'",
    )
    assert found[0] == "enum('a','b','c')"
    loop.downgrade(before)


def test_offline_sql_recreates_an_enum_on_the_columns_it_was_given(loop):
    _only(loop.database, "postgresql")
    before = lambda: _ticket("a", "b", "c")  # noqa: E731
    after = lambda: _ticket("c", "a")  # noqa: E731
    _, script = loop.generate(before, after)
    assert "columns=[(None,'ticket','status')]" in script
    sql = loop.offline(after())
    assert "ALTER TYPE status_enum RENAME TO status_enum__sd_old" in sql, sql
    assert "CREATE TYPE status_enum AS ENUM ('c', 'a')" in sql
    assert (
        "ALTER TABLE ticket ALTER COLUMN status TYPE status_enum USING status::text::status_enum"
        in sql
    )
    assert sql.index("CREATE TYPE status_enum") < sql.index("DROP TYPE status_enum__sd_old")


def test_check_reports_object_kinds_and_their_model_line(database, tmp_path):
    _only(database, "postgresql")
    engine = database.engine()
    with engine.begin() as conn:
        _ticket("a", "b").create_all(conn)
    engine.dispose()
    project = make_project(tmp_path, database.url_string)
    project.write_models(
        "import sqlalchemy as sa\n"
        "metadata = sa.MetaData()\n"
        "status = sa.Enum('a', 'b', 'c', name='status_enum')\n"
        "sa.Table('ticket', metadata, sa.Column('id', sa.Integer, primary_key=True),\n"
        "         sa.Column('status', status))\n"
        "sa.Sequence('order_no_seq', metadata=metadata, start=7)\n"
    )
    proc = project.cli("check", "--format", "json", expect=1)

    found = json.loads(proc.stdout)
    assert [(c["kind"], c["name"], c["detail"]) for c in found["changes"]] == [
        ("add_sequence", "order_no_seq", {"start": 7}),
        ("modify_enum", "status_enum", {"from": ["a", "b"], "to": ["a", "b", "c"]}),
    ]
    text = project.cli("check", expect=1).stdout
    assert "add_sequence: added sequence 'order_no_seq' (models.py:6)" in text, text
    assert (
        "modify_enum: enum 'status_enum' values change from ['a', 'b'] to ['a', 'b', 'c'] (models.py:3)"
        in text
    ), text


def test_alembic_sees_an_inline_enum_change_but_not_a_named_types(database, engine):
    """Alembic 1.20 on the same database: MariaDB's inline ENUM change is a
    type change for it too; PostgreSQL's named type gaining a value it does
    not see at all, which is the drift ``modify_enum`` reports."""
    _only(database, "postgresql", "mysql")
    from alembic.autogenerate import compare_metadata as alembic_compare
    from alembic.migration import MigrationContext as AlembicContext

    with engine.begin() as conn:
        _ticket("a", "b").create_all(conn)
    with engine.connect() as conn:
        theirs = alembic_compare(AlembicContext.configure(conn), _ticket("a", "b", "c"))
        ours = compare_metadata(conn, _ticket("a", "b", "c"))
    if database.backend == "postgresql":
        assert theirs == []
        assert _kinds(ours) == [("modify_enum", "status_enum")]
    else:
        assert [diff[0][0] for diff in theirs] == ["modify_type"]
        assert _kinds(ours) == [("modify_type", "status")]


def test_offline_downgrade_drops_and_recreates_types(loop):
    _only(loop.database, "postgresql")

    def before() -> sa.MetaData:
        md = _ticket("a", "b")
        sa.Sequence("spare_seq", metadata=md, start=4)
        return md

    loop.generate(before, lambda: _ticket("a", "b", "c"))
    loop.upgrade(lambda: _ticket("a", "b", "c"))
    cfg = loop.config(before())
    out = io.StringIO()
    cfg.attributes["output_buffer"] = out
    command.downgrade(cfg, "head:base", sql=True)
    sql = out.getvalue() or cfg.stdout.getvalue()
    assert "CREATE SEQUENCE spare_seq INCREMENT BY 1 START WITH 4" in sql, sql
    assert "ALTER TYPE status_enum RENAME TO status_enum__sd_old" in sql
    assert "CREATE TYPE status_enum AS ENUM ('a', 'b')" in sql
    assert "ALTER COLUMN status TYPE status_enum USING status::text::status_enum" in sql
