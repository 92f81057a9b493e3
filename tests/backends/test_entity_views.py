"""Views as schema objects, on SQLite, PostgreSQL and MariaDB.

Full loops on real servers: the database of the old model (its views
created from their own text), autogenerate to the new model, upgrade,
``check`` clean, downgrade, ``check`` against the old model clean.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from schemadiff import compare_metadata
from schemadiff.entities import View
from tests.backends.entity_support import EntityLoop, view_names
from tests.backends.object_support import _kinds
from tests.helpers import describe
from tests.operations.support import rows


def _orders(md: sa.MetaData, amount: Any = sa.Integer) -> sa.Table:
    return sa.Table(
        "orders",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer", sa.String(40)),
        sa.Column("amount", amount),
        sa.Column("tax", sa.Integer),
    )


def _customers(md: sa.MetaData) -> sa.Table:
    return sa.Table(
        "customers",
        md,
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("city", sa.String(40)),
    )


def _with_views(amount: Any = sa.Integer, big_total: str = "100") -> sa.MetaData:
    md = sa.MetaData()
    orders = _orders(md, amount)
    View("totals", md, "SELECT customer, amount + tax AS total FROM orders")
    View("big", md, f"SELECT customer, total FROM totals WHERE total > {big_total}")
    View("recent", md, sa.select(orders.c.id, orders.c.customer).where(orders.c.id > 10))
    return md


@pytest.fixture
def eloop(database, tmp_path):
    made = EntityLoop(database, tmp_path)
    yield made
    made.close()


def test_views_are_created_after_their_tables_and_the_views_they_read(eloop):
    changes, script = eloop.generate(sa.MetaData, _with_views)
    assert _kinds(changes) == [
        ("add_table", "orders"),
        ("add_view", "big"),
        ("add_view", "recent"),
        ("add_view", "totals"),
    ], describe(changes)
    assert script.index("op.create_table(") < script.index("op.create_view('totals'")
    assert script.index("op.create_view('totals'") < script.index("op.create_view('big'")
    eloop.upgrade(_with_views)
    assert view_names(eloop.engine) == ["big", "recent", "totals"]
    with eloop.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO orders (id, customer, amount, tax) VALUES (11, 'ann', 150, 10)"
        )
    assert rows(eloop.engine, "SELECT customer, total FROM big") == [("ann", 160)]
    eloop.downgrade(sa.MetaData)
    assert view_names(eloop.engine) == []


def test_a_view_the_server_rewrites_matches_its_model_however_it_is_spelled(eloop):
    """The database holds one spelling, the model another: no difference.

    PostgreSQL and MariaDB store their own rewriting (``*`` expanded, casts
    and parentheses added, every column qualified), and the declared text is
    put in those words by the server; SQLite stores the text as written,
    and both sides are parsed and printed back instead, so there too case,
    quoting, whitespace, ``AS`` and ``INNER`` do not count.
    """
    quote = "`" if eloop.database.backend == "mysql" else '"'
    server = eloop.database.backend != "sqlite"

    def written() -> sa.MetaData:
        md = sa.MetaData()
        _orders(md)
        _customers(md)
        View("everything", md, "SELECT * FROM orders")
        View("sums", md, "SELECT id, amount+tax AS total FROM orders WHERE tax > 0")
        View(
            "joined",
            md,
            "SELECT o.id, c.city FROM orders o JOIN customers c ON c.name = o.customer",
        )
        View("picked", md, "SELECT orders.id FROM orders WHERE orders.id > 5")
        return md

    def spelled_otherwise() -> sa.MetaData:
        md = sa.MetaData()
        orders = _orders(md)
        _customers(md)
        View("everything", md, "select *\n  from   orders;")
        sums = f"select {quote}id{quote} , (amount + tax) as total from orders where (tax > 0)"
        if not server:
            sums = f"select {quote}ID{quote} ,amount + tax as total from ORDERS where tax>0"
        View("sums", md, sums)
        View(
            "joined",
            md,
            "select o.id, c.city from orders as o inner join customers as c on c.name = o.customer",
        )
        View("picked", md, sa.select(orders.c.id).where(orders.c.id > 5))
        return md

    eloop.build(written)
    assert eloop.compare(spelled_otherwise()) == [], describe(eloop.compare(spelled_otherwise()))
    changed = spelled_otherwise()
    View("everything", changed, "SELECT id FROM orders")
    assert _kinds(eloop.compare(changed)) == [("modify_view", "everything")]


def test_a_changed_view_is_replaced(eloop):
    after = lambda: _with_views(big_total="500")  # noqa: E731
    changes, script = eloop.generate(_with_views, after)
    assert _kinds(changes) == [("modify_view", "big")], describe(changes)
    assert "op.replace_view('big'" in script
    eloop.upgrade(after)
    eloop.downgrade(_with_views)


def test_a_view_others_read_changes_and_they_are_recreated_around_it(eloop):
    def totals_changed() -> sa.MetaData:
        md = _with_views()
        View("totals", md, "SELECT customer, amount * 2 + tax AS total, tax FROM orders")
        return md

    changes, script = eloop.generate(_with_views, totals_changed)
    assert _kinds(changes) == [("modify_view", "totals")], describe(changes)
    eloop.upgrade(totals_changed)
    assert view_names(eloop.engine) == ["big", "recent", "totals"]
    eloop.downgrade(_with_views)


def test_a_column_type_change_drops_and_recreates_the_views_reading_it(eloop):
    """PostgreSQL refuses the ALTER while a view reads the column; SQLite's
    table rebuild fails while a view names the table; MariaDB needs nothing."""
    after = lambda: _with_views(amount=sa.BigInteger)  # noqa: E731
    changes, script = eloop.generate(_with_views, after)
    assert _kinds(changes) == [("modify_type", "amount")], describe(changes)
    if eloop.database.backend in ("postgresql", "sqlite"):
        assert script.index("op.drop_view('big'") < script.index("op.drop_view('totals'")
        assert script.index("op.drop_view('totals'") < script.index("op.alter_column(")
        assert script.index("op.alter_column(") < script.index("op.create_view('totals'")
        assert script.index("op.create_view('totals'") < script.index("op.create_view('big'")
    with eloop.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO orders (id, customer, amount, tax) VALUES (1, 'x', 5, 1)")
    eloop.upgrade(after)
    assert view_names(eloop.engine) == ["big", "recent", "totals"]
    assert rows(eloop.engine, "SELECT customer, total FROM totals") == [("x", 6)]
    eloop.downgrade(_with_views)
    assert view_names(eloop.engine) == ["big", "recent", "totals"]


def test_undeclared_views_are_left_alone_until_the_model_declares_one(eloop):
    def tables_only() -> sa.MetaData:
        md = sa.MetaData()
        _orders(md)
        return md

    eloop.build(_with_views)
    assert eloop.compare(tables_only()) == []

    def one_view() -> sa.MetaData:
        md = sa.MetaData()
        orders = _orders(md)
        View("recent", md, sa.select(orders.c.id, orders.c.customer).where(orders.c.id > 10))
        return md

    assert _kinds(eloop.compare(one_view())) == [("remove_view", "big"), ("remove_view", "totals")]
    seen: list[tuple[str, str, bool]] = []

    def include_object(obj, name, type_, reflected, compare_to):
        seen.append((type_, name, reflected))
        return name != "big"

    def include_name(name, type_, parents):
        return name != "totals"

    with eloop.engine.connect() as conn:
        found = compare_metadata(conn, one_view(), include_object=include_object)
        assert _kinds(found) == [("remove_view", "totals")]
        assert ("view", "big", True) in seen and ("view", "recent", False) in seen
        found = compare_metadata(conn, one_view(), include_name=include_name)
        assert _kinds(found) == [("remove_view", "big")]


def test_removed_views_come_back_on_downgrade_and_offline_sql_has_them(eloop):
    def fewer() -> sa.MetaData:
        md = sa.MetaData()
        orders = _orders(md)
        View("recent", md, sa.select(orders.c.id, orders.c.customer).where(orders.c.id > 10))
        return md

    changes, script = eloop.generate(_with_views, fewer)
    assert _kinds(changes) == [("remove_view", "big"), ("remove_view", "totals")]
    assert script.index("op.drop_view('big'") < script.index("op.drop_view('totals'")
    sql = eloop.offline(fewer())
    assert sql.index("DROP VIEW") < sql.rindex("DROP VIEW"), sql
    eloop.upgrade(fewer)
    assert view_names(eloop.engine) == ["recent"]
    eloop.downgrade(_with_views)
    assert view_names(eloop.engine) == ["big", "recent", "totals"]


def test_offline_sql_creates_the_views_from_the_script(eloop):
    eloop.generate(sa.MetaData, _with_views)
    sql = eloop.offline(_with_views())
    assert "CREATE VIEW" in sql and sql.index("CREATE TABLE") < sql.index("CREATE VIEW")
    assert sql.index("totals AS") < sql.index("big AS"), sql


def test_a_table_mapped_over_a_declared_view_is_not_a_table_to_add(eloop):
    """The ORM reads a view through a ``Table`` of the same name; declared as a
    view too, it is compared as the view only."""

    def mapped() -> sa.MetaData:
        md = _with_views()
        sa.Table("totals", md, sa.Column("customer", sa.String(40)), sa.Column("total", sa.Integer))
        return md

    eloop.build(_with_views)
    assert eloop.compare(mapped()) == [], describe(eloop.compare(mapped()))


def test_a_declared_view_the_server_refuses_is_a_change_and_hides_no_other(eloop, caplog):
    eloop.build(_with_views)
    model = _with_views()
    View("totals", model, "SELECT customer, amount   +  tax AS total FROM orders")  # respelled
    View("big", model, "SELECT nonsense FROM nowhere_at_all")
    changes = eloop.compare(model)
    assert _kinds(changes) == [("modify_view", "big")], describe(changes)
    if eloop.database.backend != "sqlite":  # SQLite has no server to ask
        assert "would not take the declared view 'big'" in caplog.text


def test_a_multi_line_definition_reaches_the_database_exactly(eloop):
    """The script indents what it writes; a literal spanning lines must not change."""

    def model() -> sa.MetaData:
        md = sa.MetaData()
        View("poem", md, "SELECT 'line one\n  line two' AS x\nFROM (SELECT 1 AS y) AS s")
        return md

    changes, script = eloop.generate(sa.MetaData, model)
    eloop.upgrade(model)
    assert rows(eloop.engine, "SELECT x FROM poem") == [("line one\n  line two",)]
    eloop.downgrade(sa.MetaData)
