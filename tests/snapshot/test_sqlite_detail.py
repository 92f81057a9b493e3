"""The detailed SQLite read a table rebuild asks for (``reflect_table``), beside
the comparison's read it must never change."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from schemadiff.backends.sqlite import ddl_parser as ddl
from schemadiff.snapshot.reflect import reflect_snapshot, reflect_table


@pytest.mark.parametrize(
    ("sql", "options"),
    [
        ("CREATE TABLE t (a INT)", set()),
        ("CREATE TABLE t (a INT) WITHOUT ROWID", {"WITHOUT ROWID"}),
        ("CREATE TABLE t (a INT) STRICT", {"STRICT"}),
        ("CREATE TABLE t (a INT) without /* c */ rowid, strict", {"WITHOUT ROWID", "STRICT"}),
        ("CREATE TABLE t (a INT, b TEXT DEFAULT 'WITHOUT ROWID')", set()),
    ],
)
def test_table_options(sql: str, options: set[str]) -> None:
    assert ddl.table_options(ddl.parse_create_table(sql)) == options


def test_column_collation_and_autoincrement() -> None:
    parsed = ddl.parse_create_table(
        'CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT COLLATE "NoCase", b TEXT)'
    )
    sql = parsed.statement.sql
    assert [ddl.column_collation(c, sql) for c in parsed.columns] == [None, "NoCase", None]
    assert [c.autoincrement for c in parsed.all_constraints()] == [True]


@pytest.fixture
def sqlite_conn(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'detail.db'}")
    with engine.begin() as conn:
        for statement in [
            "CREATE TABLE p (id INTEGER PRIMARY KEY AUTOINCREMENT)",
            "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT COLLATE NOCASE UNIQUE, "
            "p_id INTEGER CONSTRAINT fk_t_p REFERENCES p (id) ON DELETE CASCADE)",
            "CREATE INDEX ix_t_lower ON t (lower(name))",
            "CREATE TRIGGER trg_t AFTER INSERT ON t BEGIN SELECT 1; END",
            "CREATE TABLE plain (id INTEGER NOT NULL, code VARCHAR(10), "
            "CONSTRAINT pk_plain PRIMARY KEY (id), CONSTRAINT uq_plain UNIQUE (code))",
        ]:
            conn.exec_driver_sql(statement)
        yield conn
    engine.dispose()


def test_detailed_read_keeps_what_sqlalchemy_does_not_report(sqlite_conn) -> None:
    snap = reflect_table(sqlite_conn, "t", None)
    assert snap is not None
    (fk,) = snap.foreign_keys
    assert (fk.name, fk.ondelete) == ("fk_t_p", "CASCADE")
    assert [u.columns for u in snap.uniques] == [("name",)]
    assert snap.column("name").type.collation == "NOCASE"  # type: ignore[union-attr]
    assert [(ix.name, ix.sql) for ix in snap.indexes] == [
        ("ix_t_lower", "CREATE INDEX ix_t_lower ON t (lower(name))")
    ]
    assert snap.triggers == ("CREATE TRIGGER trg_t AFTER INSERT ON t BEGIN SELECT 1; END",)
    assert dict(reflect_table(sqlite_conn, "p", None).options) == {"sqlite_autoincrement": True}  # type: ignore[union-attr]
    assert reflect_table(sqlite_conn, "missing", None) is None


def test_comparison_read_is_unchanged(sqlite_conn) -> None:
    """The comparison's snapshot reports what SQLAlchemy reports, nothing more;
    where SQLAlchemy reads everything, the detailed read is equal to it."""
    compared = reflect_snapshot(sqlite_conn)
    t = compared.get((None, "t"))
    assert t is not None
    assert t.triggers == () and t.options == ()
    assert [ix.name for ix in t.indexes] == []  # SQLAlchemy skips expression indexes
    assert [(f.name, f.ondelete) for f in t.foreign_keys] == [(None, None)]
    plain = compared.get((None, "plain"))
    assert plain is not None and reflect_table(sqlite_conn, "plain", None) == plain
