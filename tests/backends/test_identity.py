"""Identity columns: compared, altered in place, rendered, written offline.

PostgreSQL reports every sequence option of an identity column; a model
names only those it cares about.  The cases below hold both ends of that:
a model matching its database gives nothing (whichever options it spells
out), each kind of change is found and the migration made from it applies
and reverts cleanly.  MySQL, MariaDB and SQLite have no identity columns:
there a model's ``Identity()`` is plain autoincrement and nothing is found.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from schemadiff import command, compare_metadata, op
from schemadiff.backends.postgresql.dialect import PostgresqlImpl
from schemadiff.ops import AlterColumnOp, Delta, ModifyTableOps, UpgradeOps
from schemadiff.plugins import default_registries
from schemadiff.renderers.python import AutogenContext, render_body
from schemadiff.snapshot import IdentitySnapshot
from tests.helpers import describe, make_project
from tests.operations.support import migration, rows

Model = Callable[[], sa.MetaData]
OPTIONS = {"compare_type": True, "compare_server_default": True}


def _postgresql_only(database) -> None:  # type: ignore[no-untyped-def]
    if database.backend != "postgresql":
        pytest.skip("identity columns exist on PostgreSQL only")


def _item(*columns: sa.Column, key: sa.Identity | None = None) -> sa.MetaData:
    """Table ``item``: key ``k`` (a serial, or an identity given as ``key``), then ``columns``."""
    md = sa.MetaData()
    key_column = sa.Column("k", sa.Integer, *([key] if key else []), primary_key=True)
    sa.Table("item", md, key_column, *columns)
    return md


# -- a model against its own database ---------------------------------------------
IDENTITIES = {
    "bare": (sa.Integer, sa.Identity()),
    "always": (sa.BigInteger, sa.Identity(always=True)),
    "start_increment": (sa.Integer, sa.Identity(start=10, increment=5)),
    "minvalue_sets_start": (sa.Integer, sa.Identity(minvalue=5)),
    "descending": (sa.SmallInteger, sa.Identity(increment=-1)),
    "every_option": (
        sa.BigInteger,
        sa.Identity(
            always=True, start=100, increment=10, minvalue=50, maxvalue=100000, cycle=True, cache=20
        ),
    ),
    "defaults_spelled_out": (
        sa.Integer,
        sa.Identity(start=1, increment=1, minvalue=1, maxvalue=2147483647, cycle=False, cache=1),
    ),
    "descending_defaults_spelled_out": (
        sa.SmallInteger,
        sa.Identity(increment=-3, start=-1, minvalue=-32768, maxvalue=-1),
    ),
    "bigint_maximum_spelled_out": (sa.BigInteger, sa.Identity(maxvalue=2**63 - 1)),
}


@pytest.mark.parametrize("name", sorted(IDENTITIES))
def test_identity_matching_its_database_gives_nothing(database, engine, name):
    _postgresql_only(database)
    type_, identity = IDENTITIES[name]
    md = _item(sa.Column("n", type_, identity), sa.Column("note", sa.String(20)))
    with engine.begin() as conn:
        md.create_all(conn)
    with engine.connect() as conn:
        changes = compare_metadata(conn, md, **OPTIONS)
    assert changes == [], describe(changes)


def test_identity_and_serial_side_by_side_give_nothing(database, engine):
    """A serial's nextval() default is no identity, and an identity no serial."""
    _postgresql_only(database)
    md = sa.MetaData()
    sa.Table("serial_key", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("big_serial_key", md, sa.Column("id", sa.BigInteger, primary_key=True))
    sa.Table(
        "identity_key",
        md,
        sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
        sa.Column("other", sa.Integer, sa.Identity(always=True, start=3)),
    )
    with engine.begin() as conn:
        md.create_all(conn)
    with engine.connect() as conn:
        changes = compare_metadata(conn, md, **OPTIONS)
    assert changes == [], describe(changes)


def test_identity_is_autoincrement_where_there_are_no_identities(database, engine):
    """MySQL, MariaDB and SQLite: an ``Identity()`` model matches its database, and
    a plain autoincrement key matches a model that now says ``Identity()``."""
    if database.backend == "postgresql":
        pytest.skip("PostgreSQL has identity columns")
    with engine.begin() as conn:
        _item(sa.Column("n", sa.Integer, sa.Identity(start=5))).create_all(conn)
        md = sa.MetaData()
        sa.Table("plain", md, sa.Column("id", sa.Integer, primary_key=True))
        md.create_all(conn)
    model = _item(sa.Column("n", sa.Integer, sa.Identity(start=5)))
    sa.Table("plain", model, sa.Column("id", sa.Integer, sa.Identity(), primary_key=True))
    with engine.connect() as conn:
        changes = compare_metadata(conn, model, **OPTIONS)
    assert changes == [], describe(changes)


# -- each kind of change, through autogenerate, upgrade and downgrade ----------------
def _roundtrip(database, tmp_path: Path, before: Model, after: Model) -> tuple[list, str]:  # type: ignore[no-untyped-def]
    """Database from ``before``, model ``after``: report, migrate there and back."""
    engine = database.engine()
    try:
        with engine.begin() as conn:
            before().create_all(conn)
        with engine.connect() as conn:
            changes = compare_metadata(conn, after(), **OPTIONS)
        project = make_project(tmp_path, database.url_string)
        command.revision(project.config(after(), configure=OPTIONS), "auto", autogenerate=True)
        (script,) = project.versions()
        command.upgrade(project.config(after(), configure=OPTIONS), "head")
        with engine.connect() as conn:
            again = compare_metadata(conn, after(), **OPTIONS)
        assert again == [], "after upgrade:\n" + describe(again)
        command.downgrade(project.config(after(), configure=OPTIONS), "base")
        with engine.connect() as conn:
            back = compare_metadata(conn, before(), **OPTIONS)
        assert back == [], "after downgrade:\n" + describe(back)
        return changes, _compact(script.read_text())
    finally:
        engine.dispose()


def _compact(source: str) -> str:
    """Source without whitespace: black wraps the generated calls as it likes."""
    return "".join(source.split())


def _kinds(changes: list) -> list[tuple[str, str | None]]:  # type: ignore[type-arg]
    return sorted((c.kind, c.name) for c in changes)


def test_changed_options_are_altered_in_place(database, tmp_path):
    _postgresql_only(database)
    changes, script = _roundtrip(
        database,
        tmp_path,
        lambda: _item(sa.Column("n", sa.BigInteger, sa.Identity())),
        lambda: _item(
            sa.Column(
                "n",
                sa.BigInteger,
                sa.Identity(start=5, increment=3, minvalue=-10, maxvalue=1000, cycle=True, cache=4),
            )
        ),
    )
    assert _kinds(changes) == [("modify_identity", "n")], describe(changes)
    assert changes[0].detail == {
        "from": "GENERATED BY DEFAULT AS IDENTITY",
        "to": "GENERATED BY DEFAULT AS IDENTITY "
        "(INCREMENT BY 3 START WITH 5 MINVALUE -10 MAXVALUE 1000 CACHE 4 CYCLE)",
    }
    assert "existing_identity=sa.Identity()" in script
    assert (
        _compact(
            "identity=sa.Identity(start=5, increment=3, minvalue=-10, maxvalue=1000, "
            "cycle=True, cache=4)"
        )
        in script
    )


def test_always_and_by_default_are_told_apart(database, tmp_path):
    _postgresql_only(database)
    changes, _ = _roundtrip(
        database,
        tmp_path,
        lambda: _item(sa.Column("n", sa.Integer, sa.Identity(start=7))),
        lambda: _item(sa.Column("n", sa.Integer, sa.Identity(always=True, start=7))),
    )
    assert _kinds(changes) == [("modify_identity", "n")], describe(changes)
    assert changes[0].detail["to"] == "GENERATED ALWAYS AS IDENTITY (START WITH 7)"


def test_identity_added_to_a_plain_column(database, tmp_path):
    """A nullable column becomes NOT NULL first: PostgreSQL requires it."""
    _postgresql_only(database)
    changes, script = _roundtrip(
        database,
        tmp_path,
        lambda: _item(sa.Column("n", sa.Integer), sa.Column("m", sa.Integer, nullable=False)),
        lambda: _item(
            sa.Column("n", sa.Integer, sa.Identity(always=True)),
            sa.Column("m", sa.Integer, sa.Identity(), nullable=False),
        ),
    )
    assert _kinds(changes) == [
        ("modify_identity", "m"),
        ("modify_identity", "n"),
        ("modify_nullable", "n"),
    ], describe(changes)
    assert "identity=sa.Identity(always=True)" in script
    assert "identity=None,existing_identity=sa.Identity(always=True)" in script  # downgrade


def test_identity_removed_from_a_column(database, tmp_path):
    _postgresql_only(database)
    changes, script = _roundtrip(
        database,
        tmp_path,
        lambda: _item(sa.Column("n", sa.Integer, sa.Identity(start=3, increment=2))),
        lambda: _item(sa.Column("n", sa.Integer, nullable=False)),
    )
    assert _kinds(changes) == [("modify_identity", "n")], describe(changes)
    assert changes[0].detail == {
        "from": "GENERATED BY DEFAULT AS IDENTITY (INCREMENT BY 2 START WITH 3)",
        "to": None,
    }
    assert "identity=None,existing_identity=sa.Identity(start=3,increment=2)" in script


def test_serial_key_becomes_an_identity(database, tmp_path, caplog):
    """The serial's nextval() default goes in the same step, and comes back on downgrade."""
    _postgresql_only(database)
    with caplog.at_level(logging.WARNING, logger="schemadiff.autogenerate.compare"):
        changes, script = _roundtrip(
            database,
            tmp_path,
            lambda: _item(),
            lambda: _item(key=sa.Identity()),
        )
    assert _kinds(changes) == [("modify_default", "k"), ("modify_identity", "k")]
    assert "server_default=None" in script
    assert "server_default=sa.text(\"nextval('item_k_seq'::regclass)\")" in script
    assert "turns from a serial into an identity column" in caplog.text


def test_type_change_alone_keeps_a_default_identity(database, tmp_path):
    """ALTER COLUMN ... TYPE carries a default MAXVALUE to the new type's."""
    _postgresql_only(database)
    changes, _ = _roundtrip(
        database,
        tmp_path,
        lambda: _item(sa.Column("n", sa.Integer, sa.Identity())),
        lambda: _item(sa.Column("n", sa.BigInteger, sa.Identity())),
    )
    assert _kinds(changes) == [("modify_type", "n")], describe(changes)


# -- the directive, online --------------------------------------------------------
def _identity_of(engine: sa.Engine, column: str) -> dict | None:  # type: ignore[type-arg]
    found = {c["name"]: c for c in sa.inspect(engine).get_columns("item")}[column]
    return found.get("identity")


def test_alter_column_directive_adds_changes_and_drops_an_identity(database, engine):
    _postgresql_only(database)
    with engine.begin() as conn:
        _item(sa.Column("n", sa.Integer, nullable=False)).create_all(conn)
    with migration(engine):
        op.alter_column("item", "n", identity=sa.Identity(start=10))
    assert _identity_of(engine, "n")["start"] == 10
    with migration(engine):
        op.alter_column(
            "item",
            "n",
            identity=sa.Identity(always=True, start=10, increment=5, cache=3),
            existing_identity=sa.Identity(start=10),
        )
    identity = _identity_of(engine, "n")
    assert (identity["always"], identity["increment"], identity["cache"]) == (True, 5, 3)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO item (k) VALUES (1), (2)")
    assert rows(engine, "SELECT n FROM item ORDER BY k") == [(10,), (15,)]
    # the seeds' spelling: an Identity as the server default
    with migration(engine):
        op.alter_column(
            "item", "n", server_default=None, existing_server_default=sa.Identity(always=True)
        )
    assert _identity_of(engine, "n") is None
    with migration(engine):
        op.alter_column("item", "n", identity=None)  # nothing left to drop: IF EXISTS
    assert _identity_of(engine, "n") is None


def test_batch_rebuild_carries_the_identity_change(database, engine):
    """recreate="always" builds the new table with the column's new identity."""
    _postgresql_only(database)
    with engine.begin() as conn:
        _item(sa.Column("n", sa.Integer, nullable=False)).create_all(conn)
        conn.exec_driver_sql("INSERT INTO item (k, n) VALUES (1, 100)")
    with migration(engine):
        with op.batch_alter_table("item", recreate="always") as batch:
            batch.alter_column("n", identity=sa.Identity(start=10, increment=5))
    identity = _identity_of(engine, "n")
    assert identity is not None and (identity["start"], identity["increment"]) == (10, 5)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO item (k) VALUES (2)")
    # the copied rows keep their values, and the rebuilt table's sequence
    # continues past them rather than colliding
    assert rows(engine, "SELECT k, n FROM item ORDER BY k") == [(1, 100), (2, 101)]
    with migration(engine):
        with op.batch_alter_table("item", recreate="always") as batch:
            batch.alter_column("n", identity=None, existing_identity=sa.Identity(start=10))
    assert _identity_of(engine, "n") is None
    assert rows(engine, "SELECT k, n FROM item ORDER BY k") == [(1, 100), (2, 101)]


def test_alter_column_directive_does_nothing_without_identities(database, engine):
    if database.backend == "postgresql":
        pytest.skip("PostgreSQL has identity columns")
    with engine.begin() as conn:
        _item(sa.Column("n", sa.Integer, nullable=False)).create_all(conn)
    with migration(engine):
        op.alter_column("item", "n", identity=sa.Identity(), existing_type=sa.Integer)
    assert [c["name"] for c in sa.inspect(engine).get_columns("item")] == ["k", "n"]


# -- DDL, rendering, offline: no database needed ----------------------------------
def _ddl(identity: Delta, **kw) -> list[str]:  # type: ignore[no-untyped-def,type-arg]
    impl = PostgresqlImpl(postgresql.dialect())
    return impl.alter_column(AlterColumnOp("item", "n", identity=identity, **kw))


def test_identity_ddl():
    assert _ddl(Delta(None, sa.Identity(always=True, start=5))) == [
        "ALTER TABLE item ALTER COLUMN n ADD GENERATED ALWAYS AS IDENTITY (START WITH 5)"
    ]
    assert _ddl(Delta(sa.Identity(), None)) == ["ALTER TABLE item ALTER COLUMN n DROP IDENTITY"]
    assert _ddl(Delta(None, None)) == ["ALTER TABLE item ALTER COLUMN n DROP IDENTITY IF EXISTS"]
    assert _ddl(
        Delta(
            sa.Identity(minvalue=-5, maxvalue=50, cache=2),
            sa.Identity(always=True, increment=2, start=3, cycle=True),
        )
    ) == [
        "ALTER TABLE item ALTER COLUMN n SET GENERATED ALWAYS SET INCREMENT BY 2 "
        "SET NO MINVALUE SET NO MAXVALUE SET START WITH 3 SET CACHE 1 SET CYCLE"
    ]
    # unset options mean their defaults: no clause where nothing moves
    assert _ddl(Delta(sa.Identity(start=1, cache=1, cycle=False), sa.Identity())) == []
    # a descending sequence starts at MAXVALUE
    assert _ddl(Delta(sa.Identity(increment=-1, start=-1), sa.Identity(increment=-1))) == []


def test_identity_ddl_order_around_other_changes():
    """DROP IDENTITY before NOT NULL goes and a default arrives; ADD after both,
    under the column's new name."""
    dropped = _ddl(
        Delta(sa.Identity(), None),
        nullable=Delta(False, True),
        server_default=Delta(None, sa.text("nextval('s')")),
    )
    assert dropped == [
        "ALTER TABLE item ALTER COLUMN n DROP IDENTITY",
        "ALTER TABLE item ALTER COLUMN n DROP NOT NULL",
        "ALTER TABLE item ALTER COLUMN n SET DEFAULT nextval('s')",
    ]
    added = _ddl(
        Delta(None, sa.Identity()),
        nullable=Delta(True, False),
        server_default=Delta(sa.text("nextval('s')"), None),
        new_column_name="m",
    )
    assert added == [
        "ALTER TABLE item ALTER COLUMN n SET NOT NULL",
        "ALTER TABLE item ALTER COLUMN n DROP DEFAULT",
        "ALTER TABLE item RENAME COLUMN n TO m",
        "ALTER TABLE item ALTER COLUMN m ADD GENERATED BY DEFAULT AS IDENTITY",
    ]


def test_identity_signature_drops_defaults_by_type():
    impl = PostgresqlImpl(postgresql.dialect())
    reported = IdentitySnapshot(False, 1, 1, 1, 2**31 - 1, False, 1)
    assert impl.identity_signature(reported, sa.INTEGER()) == IdentitySnapshot()
    # the same maximum is no default on a BIGINT column
    assert impl.identity_signature(reported, sa.BigInteger()) == IdentitySnapshot(
        maxvalue=2**31 - 1
    )
    descending = IdentitySnapshot(True, -1, -1, -32768, -1, False, 1)
    assert impl.identity_signature(descending, sa.SmallInteger()) == IdentitySnapshot(
        always=True, increment=-1
    )
    assert impl.identity_signature(
        IdentitySnapshot(minvalue=5), sa.Integer()
    ) == impl.identity_signature(IdentitySnapshot(start=5, minvalue=5), sa.Integer())


def _render(*ops: AlterColumnOp, batch: bool = False) -> list[str]:
    ctx = AutogenContext(dialect=postgresql.dialect(), render_as_batch=batch)
    upgrade = UpgradeOps([ModifyTableOps("item", list(ops))])
    body = render_body(upgrade, ctx, default_registries().renderers)
    return [line.strip() for line in body.splitlines() if line.strip() and "###" not in line]


def test_identity_alter_renders_and_reverses():
    alter = AlterColumnOp(
        "item",
        "n",
        identity=Delta(sa.Identity(), sa.Identity(always=True, minvalue=2, cycle=True)),
        existing_type=sa.Integer(),
        existing_nullable=False,
    )
    assert _render(alter) == [
        "op.alter_column('item', 'n', existing_type=sa.Integer(), existing_nullable=False, "
        "identity=sa.Identity(always=True, minvalue=2, cycle=True), "
        "existing_identity=sa.Identity())"
    ]
    assert _render(alter.reverse()) == [
        "op.alter_column('item', 'n', existing_type=sa.Integer(), existing_nullable=False, "
        "identity=sa.Identity(), "
        "existing_identity=sa.Identity(always=True, minvalue=2, cycle=True))"
    ]
    dropped = AlterColumnOp("item", "n", identity=Delta(sa.Identity(start=4), None))
    assert _render(dropped, batch=True) == [
        "with op.batch_alter_table('item', schema=None) as batch_op:",
        "batch_op.alter_column('n', identity=None, existing_identity=sa.Identity(start=4))",
    ]
    assert dropped.reverse().identity == Delta(None, dropped.identity.old)  # type: ignore[union-attr]
    assert not dropped.is_empty()


SCRIPT = '''\
"""identities

Revision ID: 1d0000000001
Revises:
Create Date: 2024-01-01 00:00:00
"""
import sqlalchemy as sa
from schemadiff import op

revision = "1d0000000001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.alter_column("item", "a", identity=sa.Identity(always=True, start=10))
    op.alter_column(
        "item", "b", identity=sa.Identity(increment=5, cache=10), existing_identity=sa.Identity()
    )
    op.alter_column("item", "c", identity=None, existing_identity=sa.Identity())
    op.alter_column(
        "item", "d", server_default=sa.Identity(), existing_server_default=sa.Identity(cycle=True)
    )


def downgrade():
    op.alter_column("item", "d", identity=sa.Identity(cycle=True), existing_identity=sa.Identity())
    op.alter_column("item", "c", identity=sa.Identity())
    op.alter_column("item", "b", identity=sa.Identity(), existing_identity=sa.Identity(increment=5, cache=10))
    op.alter_column("item", "a", identity=None, existing_identity=sa.Identity(always=True, start=10))
'''


def test_offline_sql_carries_the_identity_ddl(tmp_path):
    project = make_project(tmp_path, "postgresql+psycopg://scott:tiger@localhost/x")
    (tmp_path / "migrations" / "versions" / "1d0000000001_identities.py").write_text(SCRIPT)
    outputs = []
    for verb, target in (("upgrade", "head"), ("downgrade", "head:base")):
        cfg = project.config()
        cfg.output_buffer = io.StringIO()
        getattr(command, verb)(cfg, target, sql=True)
        outputs.append(cfg.output_buffer.getvalue())
    upgrade, downgrade = outputs
    for line in (
        "ALTER TABLE item ALTER COLUMN a ADD GENERATED ALWAYS AS IDENTITY (START WITH 10);",
        "ALTER TABLE item ALTER COLUMN b SET INCREMENT BY 5 SET CACHE 10;",
        "ALTER TABLE item ALTER COLUMN c DROP IDENTITY;",
        "ALTER TABLE item ALTER COLUMN d SET NO CYCLE;",
    ):
        assert line in upgrade, upgrade
    for line in (
        "ALTER TABLE item ALTER COLUMN d SET CYCLE;",
        "ALTER TABLE item ALTER COLUMN c ADD GENERATED BY DEFAULT AS IDENTITY;",
        "ALTER TABLE item ALTER COLUMN b SET INCREMENT BY 1 SET CACHE 1;",
        "ALTER TABLE item ALTER COLUMN a DROP IDENTITY;",
    ):
        assert line in downgrade, downgrade
