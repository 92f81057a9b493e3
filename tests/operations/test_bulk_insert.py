"""``op.bulk_insert(multiinsert=...)`` and ``configure(literal_binds=...)``.

Offline output is compared with Alembic's for the same directives (apart
from ``%``, which schemadiff writes as plain SQL on purpose: see
``dialects.sqltext``); online, the statements the driver receives are
counted on a real database.
"""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pytest
import sqlalchemy as sa

from schemadiff.operations import Operations, activate
from schemadiff.runtime.migration import MigrationContext, MigrationOptions
from tests.operations.support import migration, rows

URLS = {"sqlite": "sqlite://", "postgresql": "postgresql+psycopg://", "mysql": "mysql+pymysql://"}
ACCOUNT = sa.table(
    "account",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("born", sa.Date),
)
ROWS = [
    {"id": 1, "name": "ann's", "born": datetime.date(2020, 1, 2)},
    {"id": 2, "name": None, "born": None},
]


def _directives(ops: Any) -> None:
    ops.bulk_insert(ACCOUNT, ROWS)
    ops.execute(ACCOUNT.update().where(ACCOUNT.c.id == 2).values(name="bob"))
    ops.bulk_insert(ACCOUNT, [{"id": 3, "name": ops.inline_literal("50% off")}], multiinsert=False)


def _ours(dialect_name: str, literal_binds: bool) -> str:
    out = io.StringIO()
    dialect = sa.create_engine(URLS[dialect_name]).dialect
    opts = MigrationOptions(as_sql=True, output_buffer=out, literal_binds=literal_binds)
    operations = Operations(MigrationContext(dialect, None, opts))
    with activate(operations):
        _directives(operations)
    return out.getvalue()


def _alembics(dialect_name: str, literal_binds: bool) -> str:
    from alembic.migration import MigrationContext as AlembicContext
    from alembic.operations import Operations as AlembicOperations

    out = io.StringIO()
    opts = {"as_sql": True, "output_buffer": out, "literal_binds": literal_binds}
    _directives(AlembicOperations(AlembicContext.configure(dialect_name=dialect_name, opts=opts)))
    return out.getvalue()


@pytest.mark.parametrize("dialect_name", list(URLS))
def test_offline_values_are_written_in_as_alembic_writes_them(dialect_name: str) -> None:
    ours = _ours(dialect_name, literal_binds=True)
    assert ours == _alembics(dialect_name, literal_binds=True).replace("%%", "%")
    assert "VALUES (1, 'ann''s', '2020-01-02');" in ours
    assert "VALUES (2, NULL, NULL);" in ours
    assert "UPDATE account SET name='bob' WHERE account.id = 2;" in ours
    assert "VALUES (3, '50% off');" in ours


@pytest.mark.parametrize("dialect_name", list(URLS))
def test_without_literal_binds_only_bulk_insert_and_inline_literal_carry_values(
    dialect_name: str,
) -> None:
    ours = _ours(dialect_name, literal_binds=False)
    # a script's own statement keeps its parameters, as the seeds' tool writes it
    update = next(line for line in ours.splitlines() if line.startswith("UPDATE"))
    assert "'bob'" not in update and "= 2" not in update
    named = re.findall(r"(?<!:):[a-z]\w*", update)
    assert (update.count("?") if dialect_name == "sqlite" else len(named)) == 2
    # rows are values by nature: each is an INSERT with its values, whatever the option
    assert "VALUES (1, 'ann''s', '2020-01-02');" in ours
    assert "VALUES (3, '50% off');" in ours
    insert_lines = [line for line in ours.splitlines() if line.startswith("INSERT")]
    alembic_inserts = [
        line.replace("%%", "%")
        for line in _alembics(dialect_name, literal_binds=False).splitlines()
        if line.startswith("INSERT")
    ]
    assert insert_lines == alembic_inserts


def _make_account(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text("CREATE TABLE account (id INTEGER PRIMARY KEY, name VARCHAR(50), born DATE)")
        )


def _statements_sent(engine: sa.Engine, multiinsert: bool, data: list[dict[str, Any]]) -> int:
    """How many times the driver was called for the rows."""
    sent: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT"):
            sent.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        with migration(engine):
            from schemadiff import op

            op.bulk_insert(ACCOUNT, data, multiinsert=multiinsert)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(sent)


def test_multiinsert_false_executes_one_statement_per_row(engine: sa.Engine) -> None:
    _make_account(engine)
    three = [{"id": i, "name": f"n{i}", "born": None} for i in (1, 2, 3)]
    assert _statements_sent(engine, multiinsert=False, data=three) == 3
    more = [{"id": i, "name": f"n{i}", "born": None} for i in (4, 5, 6)]
    assert _statements_sent(engine, multiinsert=True, data=more) == 1
    assert rows(engine, "SELECT count(*) FROM account") == [(6,)]


def test_multiinsert_false_takes_rows_of_different_keys_and_sql_expressions(
    engine: sa.Engine,
) -> None:
    _make_account(engine)
    with migration(engine):
        from schemadiff import op

        op.bulk_insert(
            ACCOUNT,
            [
                {"id": 1, "name": op.inline_literal("50% off")},
                {"id": 2, "born": datetime.date(2021, 3, 4)},
            ],
            multiinsert=False,
        )
    found = rows(engine, "SELECT id, name, born FROM account ORDER BY id")
    assert [(r[0], r[1]) for r in found] == [(1, "50% off"), (2, None)]
    assert str(found[1][2]) == "2021-03-04"
