"""Text with ``%`` (and quotes, backslashes) in comments, defaults and CHECKs.

Drivers with ``format``/``pyformat`` parameters (psycopg, pymysql) read
``%`` as a placeholder; offline SQL is read by a client that does not.
The same directives run online and offline here, and the values the
database ends up holding must be the text the script gave, byte for byte.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
import sqlalchemy as sa

from schemadiff import op
from schemadiff.operations import Operations, activate
from schemadiff.runtime.migration import MigrationContext, MigrationOptions
from tests.clients import run_with_client
from tests.operations.support import migration

#: placeholders of every paramstyle, an escaped one, a quote and a backslash
TEXT = "50% off %(x)s %s %% it's a \\ b"


def _directives(backend: str) -> None:
    op.create_table(
        "offer",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("label", sa.String(60), server_default=TEXT, comment=TEXT),
        sa.CheckConstraint("label <> '100%'", name="ck_offer_not_all"),
        comment=TEXT,
    )
    op.create_table(
        "plain",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("c", sa.String(60)),
    )
    op.add_column("plain", sa.Column("d", sa.String(60), server_default=TEXT, comment=TEXT))
    if backend != "sqlite":  # SQLite alters by rebuilding, which needs copy_from offline
        op.alter_column(
            "plain", "c", server_default=TEXT, comment=TEXT, existing_type=sa.String(60)
        )
        op.create_table_comment("plain", TEXT)
    op.execute("INSERT INTO offer (id) VALUES (1)")
    op.execute("INSERT INTO plain (id) VALUES (1)")
    plain = sa.table("plain", sa.column("id", sa.Integer), sa.column("c", sa.String))
    op.execute(plain.insert().values(id=2, c=op.inline_literal(TEXT)))
    op.execute("INSERT INTO plain (id, c) VALUES (3, '50% off')")


def _assert_landed(engine: sa.Engine, backend: str) -> None:
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT label FROM offer").scalar_one() == TEXT
        rows = conn.exec_driver_sql("SELECT id, c, d FROM plain ORDER BY id").all()
    first_c = TEXT if backend != "sqlite" else None
    assert [tuple(r) for r in rows] == [(1, first_c, TEXT), (2, TEXT, TEXT), (3, "50% off", TEXT)]
    if backend == "sqlite":
        return
    insp = sa.inspect(engine)
    assert insp.get_table_comment("offer")["text"] == TEXT
    assert insp.get_table_comment("plain")["text"] == TEXT
    comments: dict[str, Any] = {
        f"{t}.{c['name']}": c["comment"] for t in ("offer", "plain") for c in insp.get_columns(t)
    }
    assert comments["offer.label"] == TEXT
    assert comments["plain.c"] == TEXT
    assert comments["plain.d"] == TEXT


def test_percent_and_quotes_reach_the_database_online(engine, backend):
    with migration(engine):
        _directives(backend)
    _assert_landed(engine, backend)


def test_percent_and_quotes_in_offline_sql_run_by_the_client(database, backend):
    out = io.StringIO()
    dialect = database.url.get_dialect()()
    # literal_binds as the generated env.py sets it for offline runs
    opts = MigrationOptions(as_sql=True, output_buffer=out, literal_binds=True)
    mc = MigrationContext(dialect, None, opts)
    with mc.begin_transaction(), activate(Operations(mc)):
        _directives(backend)
    script = out.getvalue()
    run_with_client(database, script)
    engine = database.engine()
    try:
        _assert_landed(engine, backend)
    finally:
        engine.dispose()


def test_plain_dialect_leaves_percent_alone_and_the_driver_dialect_intact():
    """The copy compiles plain SQL; the connection's own dialect keeps escaping."""
    from sqlalchemy.dialects import mysql, postgresql

    from schemadiff.dialects.sqltext import plain_dialect, plain_sql

    for driver_dialect in (postgresql.psycopg.dialect(), mysql.pymysql.dialect()):
        value = sa.literal("50% off")
        assert plain_sql(value, driver_dialect) == "'50% off'"
        compiled = value.compile(dialect=driver_dialect, compile_kwargs={"literal_binds": True})
        assert str(compiled) == "'50%% off'"
        assert plain_dialect(driver_dialect) is plain_dialect(driver_dialect)
        name = sa.table("a%b", sa.column("x"))
        assert "%%" not in plain_sql(sa.select(name.c.x), driver_dialect)


def test_offline_warns_of_a_crlf_the_client_will_drop(caplog):
    """psql and sqlite3 strip the CR of a CR LF pair, even inside quotes; the
    script cannot prevent that, so the run says so."""
    out = io.StringIO()
    mc = MigrationContext(
        sa.engine.make_url("postgresql+psycopg://").get_dialect()(),
        None,
        MigrationOptions(as_sql=True, output_buffer=out),
    )
    with activate(Operations(mc)):
        op.create_table_comment("t", "two\r\nlines")
        op.create_table_comment("t", "fine\rhere\nand here")
    assert "'two\r\nlines'" in out.getvalue()
    warnings = [r for r in caplog.records if "carriage return" in r.getMessage()]
    assert len(warnings) == 1


PCT = sa.table(
    "pct%t", sa.column("id", sa.Integer), sa.column("c%(x)s", sa.String), sa.column("d%")
)


def test_percent_in_names_survives_a_table_rebuild(engine, backend):
    """Move and copy builds its own statements (sequences, setval, comments)."""
    with migration(engine):
        op.create_table(
            "pct%t",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("c%(x)s", sa.String(60), comment=TEXT),
            comment=TEXT,
        )
        op.execute(PCT.insert().values({"c%(x)s": "a"}))
    with migration(engine):
        with op.batch_alter_table("pct%t", recreate="always") as batch:
            batch.add_column(sa.Column("d%", sa.String(10), server_default=TEXT[:10]))
    insp = sa.inspect(engine)
    assert [c["name"] for c in insp.get_columns("pct%t")] == ["id", "c%(x)s", "d%"]
    if backend != "sqlite":
        assert insp.get_table_comment("pct%t")["text"] == TEXT
    with engine.connect() as conn:
        rows = conn.execute(sa.select(PCT)).all()
        assert [tuple(r) for r in rows] == [(1, "a", TEXT[:10])]


def test_same_values_as_alembic_online(engine, backend):
    """Alembic's directives store these texts correctly online; ours store the same."""
    if backend == "sqlite":
        pytest.skip("SQLite has no comments; its rebuild is covered above")
    from alembic.migration import MigrationContext as AlembicContext
    from alembic.operations import Operations as AlembicOperations

    def directives(ops: Any, table: str) -> None:
        ops.create_table(
            table, sa.Column("id", sa.Integer, primary_key=True), sa.Column("c", sa.String(60))
        )
        ops.alter_column(table, "c", comment=TEXT, server_default=TEXT, existing_type=sa.String(60))
        ops.create_table_comment(table, TEXT)
        ops.add_column(table, sa.Column("d", sa.String(60), server_default=TEXT, comment=TEXT))

    with engine.begin() as conn:
        directives(AlembicOperations(AlembicContext.configure(conn)), "by_alembic")
    with migration(engine) as ours:
        directives(ours, "by_schemadiff")

    def stored(table: str) -> tuple[Any, ...]:
        insp = sa.inspect(engine)
        with engine.begin() as conn:
            conn.execute(sa.table(table, sa.column("id")).insert().values(id=1))
            row = conn.execute(sa.text(f"SELECT c, d FROM {table}")).one()
        columns = [(c["name"], c["comment"]) for c in insp.get_columns(table)]
        return insp.get_table_comment(table)["text"], columns, tuple(row)

    ours_stored = stored("by_schemadiff")
    assert ours_stored == stored("by_alembic")
    assert ours_stored[0] == TEXT and ours_stored[2] == (TEXT, TEXT)
