"""What a rebuild reads: the rebuilt table and the tables whose keys name it,
never the whole schema (a 300-revision SQLite history used to spend over a
thousand catalog statements reading every table's foreign keys)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from schemadiff import op
from tests.operations.support import migration


def _recreate(backend: str) -> str:
    return "auto" if backend == "sqlite" else "always"


def _add_children(engine: sa.Engine, start: int, count: int) -> None:
    md = sa.MetaData()
    parent = sa.Table("parent", md, sa.Column("id", sa.Integer, primary_key=True))
    for i in range(start, start + count):
        sa.Table(
            f"child{i}",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("p", sa.Integer, sa.ForeignKey(parent.c.id, name=f"fk_child{i}_p")),
        )
    with engine.begin() as conn:
        md.create_all(conn)


def _rebuild_statements(engine: sa.Engine, backend: str, table: str) -> list[str]:
    statements: list[str] = []

    def record(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        with migration(engine):
            with op.batch_alter_table(table, recreate=_recreate(backend)) as batch_op:
                batch_op.alter_column("p", nullable=False, existing_type=sa.Integer)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return statements


@pytest.mark.parametrize("rebuilt", ["child0"])
def test_statements_do_not_grow_with_unrelated_tables(engine, backend, rebuilt):
    _add_children(engine, 0, 3)
    few = _rebuild_statements(engine, backend, rebuilt)
    _add_children(engine, 3, 12)
    many = _rebuild_statements(engine, backend, rebuilt)
    assert len(many) == len(few), "\n".join(many)


def test_sqlite_reads_the_referring_tables_in_bulk(engine, backend):
    """SQLite keeps other tables' keys through the swap, so it only reads them
    (to refuse dropping or renaming a column they name): a fixed number of
    statements however many tables refer to the rebuilt one."""
    if backend != "sqlite":
        pytest.skip("other backends drop and restore each referring key")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE parent (id INTEGER PRIMARY KEY, p INTEGER)")
    _add_children(engine, 0, 2)
    few = _rebuild_statements(engine, backend, "parent")
    _add_children(engine, 2, 10)
    many = _rebuild_statements(engine, backend, "parent")
    assert len(many) == len(few), "\n".join(many)


def test_mariadb_rebuild_keeps_table_options(engine, backend):
    """The snapshot carries the table's options (here a character set) into the new table."""
    if backend != "mysql":
        pytest.skip("MySQL/MariaDB table options")
    md = sa.MetaData()
    sa.Table(
        "opts",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("p", sa.Integer),
        mysql_charset="latin1",
        comment="kept",
    )
    with engine.begin() as conn:
        md.create_all(conn)
    _rebuild_statements(engine, backend, "opts")
    with engine.connect() as conn:
        ddl = conn.exec_driver_sql("SHOW CREATE TABLE opts").one()[1]
    assert "CHARSET=latin1" in ddl and "COMMENT='kept'" in ddl
