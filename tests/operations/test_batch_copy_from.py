"""``batch_alter_table(copy_from=...)`` on SQLite: move and copy, offline and online.

The offline SQL is run with Python's sqlite3 against a table holding rows,
next to the SQL Alembic writes for the same directives, and both databases
must end up alike.
"""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import sqlalchemy as sa

from schemadiff.operations import Operations, activate
from schemadiff.runtime.migration import MigrationContext, MigrationOptions
from tests.operations.support import migration, rows

SETUP = """
CREATE TABLE account (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(20), note TEXT);
INSERT INTO account (id, name, note) VALUES (1, 'ann', 'a'), (2, 'bob', 'b');
"""


def _account() -> sa.Table:
    return sa.Table(
        "account",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(20)),
        sa.Column("note", sa.Text),
    )


def _directives(op: object) -> None:
    with op.batch_alter_table("account", copy_from=_account()) as batch:  # type: ignore[attr-defined]
        batch.drop_column("note")
        batch.alter_column("name", new_column_name="title")
        batch.add_column(sa.Column("x", sa.Integer))


def _ours_offline() -> str:
    out = io.StringIO()
    dialect = sa.create_engine("sqlite://").dialect
    mc = MigrationContext(
        dialect, None, MigrationOptions(as_sql=True, output_buffer=out, literal_binds=True)
    )
    operations = Operations(mc)
    with mc.begin_transaction(), activate(operations):
        _directives(operations)
    return out.getvalue()


def _alembics_offline() -> str:
    from alembic.migration import MigrationContext as AlembicContext
    from alembic.operations import Operations as AlembicOperations

    out = io.StringIO()
    ctx = AlembicContext.configure(
        dialect_name="sqlite", opts={"as_sql": True, "output_buffer": out}
    )
    _directives(AlembicOperations(ctx))
    return out.getvalue()


def _applied(tmp_path: Path, name: str, sql: str) -> tuple[list[str], list[tuple[object, ...]]]:
    conn = sqlite3.connect(tmp_path / f"{name}.db")
    try:
        conn.executescript(SETUP)
        conn.executescript(sql)
        columns = [row[1] for row in conn.execute("PRAGMA table_info(account)")]
        data = conn.execute("SELECT * FROM account ORDER BY id").fetchall()
    finally:
        conn.close()
    return columns, data


def test_offline_copy_from_moves_and_copies_like_alembic(tmp_path):
    sql = _ours_offline()
    assert "CREATE TABLE _schemadiff_batch_temp" in sql
    assert "INSERT INTO _schemadiff_batch_temp (id, title) SELECT account.id, account.name" in sql
    assert "DROP COLUMN" not in sql and "RENAME COLUMN" not in sql
    ours = _applied(tmp_path, "ours", sql)
    assert ours == (["id", "title", "x"], [(1, "ann", None), (2, "bob", None)])
    assert _applied(tmp_path, "alembic", _alembics_offline()) == ours


def test_online_copy_from_moves_and_copies_too(tmp_path, caplog):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'online.db'}")
    with engine.begin() as conn:
        for statement in SETUP.strip().split(";\n"):
            conn.exec_driver_sql(statement)
    with caplog.at_level("INFO", logger="schemadiff"), migration(engine) as operations:
        _directives(operations)
    assert "Rebuilding table 'account' (move and copy)" in caplog.text
    assert [c["name"] for c in sa.inspect(engine).get_columns("account")] == ["id", "title", "x"]
    assert rows(engine, "SELECT * FROM account ORDER BY id") == [(1, "ann", None), (2, "bob", None)]
    engine.dispose()
