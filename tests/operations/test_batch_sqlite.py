"""SQLite rebuilds keep what SQLAlchemy's reflection does not report."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from schemadiff import op
from schemadiff.errors import MigrationError
from schemadiff.operations import Operations, activate
from schemadiff.runtime.migration import MigrationContext, MigrationOptions
from tests.operations.support import migration, rows

SCHEMA = [
    "CREATE TABLE parent (id INTEGER PRIMARY KEY AUTOINCREMENT, code VARCHAR(10) UNIQUE)",
    """CREATE TABLE child (
        id INTEGER NOT NULL PRIMARY KEY,
        name VARCHAR(20) COLLATE NOCASE,
        qty INTEGER CONSTRAINT ck_qty CHECK (qty >= 0) CHECK (qty < 100),
        parent_id INTEGER CONSTRAINT fk_child_parent REFERENCES parent (id) ON DELETE CASCADE,
        other_id INTEGER REFERENCES parent (id) ON UPDATE CASCADE
    )""",
    "CREATE INDEX ix_child_lower ON child (lower(name))",
    "CREATE UNIQUE INDEX ix_child_partial ON child (qty) WHERE qty > 50",
    "CREATE TABLE audit (msg VARCHAR(50))",
    "CREATE TRIGGER trg_child AFTER INSERT ON child BEGIN "
    "INSERT INTO audit (msg) VALUES ('child ' || NEW.id); END",
    "CREATE VIEW v_child AS SELECT id, name FROM child",
    "INSERT INTO parent (code) VALUES ('a'), ('b')",
    "INSERT INTO child (id, name, qty, parent_id, other_id) VALUES (1, 'x', 1, 1, 2)",
]


@pytest.fixture
def sqlite_engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'batch.db'}")

    @sa.event.listens_for(engine, "connect")
    def _fk_on(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.execute("PRAGMA foreign_keys = ON")

    with engine.begin() as conn:
        for statement in SCHEMA:
            conn.exec_driver_sql(statement)
    yield engine
    engine.dispose()


def _sql(engine: sa.Engine, name: str) -> str:
    with engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": name}
        ).scalar_one()


def test_rebuild_keeps_sqlite_specifics(sqlite_engine):
    with migration(sqlite_engine):
        with op.batch_alter_table("child") as batch_op:
            batch_op.alter_column("name", nullable=False, existing_type=sa.String(20))
        with op.batch_alter_table("parent") as batch_op:
            batch_op.alter_column("code", type_=sa.String(20))
    assert "AUTOINCREMENT" in _sql(sqlite_engine, "parent")
    child = _sql(sqlite_engine, "child")
    assert "CONSTRAINT ck_qty CHECK (qty >= 0)" in child and "CHECK (qty < 100)" in child
    assert "CONSTRAINT fk_child_parent" in child and "ON DELETE CASCADE" in child
    assert "ON UPDATE CASCADE" in child and 'COLLATE "NOCASE"' in child
    assert (
        _sql(sqlite_engine, "ix_child_lower")
        == "CREATE INDEX ix_child_lower ON child (lower(name))"
    )
    assert "WHERE qty > 50" in _sql(sqlite_engine, "ix_child_partial")
    assert "AFTER INSERT ON child" in _sql(sqlite_engine, "trg_child")
    with sqlite_engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO child (id, name, qty, parent_id) VALUES (2, 'y', 2, 2)")
        conn.exec_driver_sql("INSERT INTO parent (code) VALUES ('c')")
        with pytest.raises(sa.exc.IntegrityError):
            conn.exec_driver_sql("INSERT INTO parent (code) VALUES ('a')")  # column UNIQUE
    assert rows(sqlite_engine, "SELECT msg FROM audit") == [("child 1",), ("child 2",)]
    assert rows(sqlite_engine, "SELECT id FROM v_child ORDER BY id") == [(1,), (2,)]
    assert rows(sqlite_engine, "SELECT id, code FROM parent ORDER BY id") == [
        (1, "a"), (2, "b"), (3, "c")
    ]  # fmt: skip


def test_renamed_column_keeps_checks_and_indexes(sqlite_engine):
    with migration(sqlite_engine):
        with op.batch_alter_table("child") as batch_op:
            batch_op.alter_column("qty", new_column_name="amount", type_=sa.BigInteger)
    child = _sql(sqlite_engine, "child")
    assert "CHECK (amount >= 0)" in child and "CHECK (amount < 100)" in child
    assert "(amount) WHERE amount > 50" in _sql(sqlite_engine, "ix_child_partial")
    assert rows(sqlite_engine, "SELECT id, amount FROM child") == [(1, 1)]


def test_renaming_a_referenced_column_is_refused(sqlite_engine):
    with pytest.raises(MigrationError, match="refers to them by name"):
        with migration(sqlite_engine):
            with op.batch_alter_table("parent", recreate="always") as batch_op:
                batch_op.alter_column("id", new_column_name="pk")
    assert rows(sqlite_engine, "SELECT id FROM parent ORDER BY id") == [(1,), (2,)]


def test_rename_alone_is_sqlites_own_rename(sqlite_engine):
    """In "auto" a rename is ALTER TABLE .. RENAME COLUMN, which also fixes references."""
    with migration(sqlite_engine):
        with op.batch_alter_table("parent") as batch_op:
            batch_op.alter_column("id", new_column_name="pk")
    assert "REFERENCES parent (pk)" in _sql(sqlite_engine, "child").replace('"', "")


def test_dropping_a_column_drops_what_stood_on_it(sqlite_engine):
    with migration(sqlite_engine):
        op.drop_column("child", "qty")  # indexed and checked: SQLite's DROP COLUMN refuses
    child = _sql(sqlite_engine, "child")
    assert "qty" not in child
    with sqlite_engine.connect() as conn:
        names = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='index'").scalars()
        assert "ix_child_partial" not in list(names)


def test_foreign_keys_enforced_in_a_foreign_transaction_are_not_switched_off(sqlite_engine):
    with sqlite_engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")  # a transaction schemadiff did not begin
        mc = MigrationContext(conn.dialect, conn, MigrationOptions())
        with pytest.raises(MigrationError, match="PRAGMA foreign_keys=ON"):
            with activate(Operations(mc)):
                with op.batch_alter_table("parent", recreate="always"):
                    pass
    assert rows(sqlite_engine, "SELECT count(*) FROM child") == [(1,)]


def test_broken_reference_fails_before_commit(sqlite_engine):
    with pytest.raises(MigrationError, match="Foreign key check failed"):
        with migration(sqlite_engine):
            op.execute("DELETE FROM parent WHERE id = 1")  # enforcement is off for the run
    assert rows(sqlite_engine, "SELECT count(*) FROM parent") == [(2,)]


def _engine(tmp_path: Path, *statements: str) -> sa.Engine:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'more.db'}")
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    return engine


def test_rebuild_keeps_table_options_and_key_details(tmp_path):
    """What only the stored DDL says: STRICT, WITHOUT ROWID, a key's DEFERRABLE,
    a named column UNIQUE, a generated column's expression as written."""
    import sqlite3

    strict = sqlite3.sqlite_version_info >= (3, 37)
    engine = _engine(
        tmp_path,
        "CREATE TABLE p (id INTEGER PRIMARY KEY)",
        "CREATE TABLE t (k TEXT NOT NULL PRIMARY KEY, "
        "code TEXT CONSTRAINT uq_t_code UNIQUE, "
        "n INTEGER, twice INTEGER GENERATED ALWAYS AS (n*2) VIRTUAL, "
        "p_id INTEGER CONSTRAINT fk_t_p REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED"
        f") WITHOUT ROWID{', STRICT' if strict else ''}",
        "INSERT INTO p VALUES (1)",
        "INSERT INTO t (k, code, n, p_id) VALUES ('a', 'x', 2, 1)",
    )
    with migration(engine):
        with op.batch_alter_table("t", recreate="always") as batch_op:
            batch_op.alter_column("n", nullable=False, existing_type=sa.Integer)
    ddl = _sql(engine, "t")
    assert "WITHOUT ROWID" in ddl
    assert ("STRICT" in ddl) is strict
    assert "CONSTRAINT uq_t_code UNIQUE (code)" in ddl
    assert (
        "CONSTRAINT fk_t_p FOREIGN KEY(p_id) REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED" in ddl
    )
    assert "GENERATED ALWAYS AS (n*2) VIRTUAL" in ddl
    assert rows(engine, "SELECT k, code, n, twice, p_id FROM t") == [("a", "x", 2, 4, 1)]
    engine.dispose()


def test_dropping_a_column_named_in_a_referring_key_is_refused(tmp_path):
    """The keys of other tables are read in bulk, not table by table, names and all."""
    engine = _engine(
        tmp_path,
        "CREATE TABLE parent (id INTEGER PRIMARY KEY, x INTEGER)",
        "CREATE TABLE kid (pid INTEGER CONSTRAINT fk_kid_parent REFERENCES parent (id))",
        "CREATE TABLE other (y INTEGER)",
    )
    with pytest.raises(
        MigrationError, match="referenced by foreign key fk_kid_parent of table 'kid'"
    ):
        with migration(engine):
            with op.batch_alter_table("parent", recreate="always") as batch_op:
                batch_op.drop_column("id")
    engine.dispose()
