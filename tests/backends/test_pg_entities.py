"""Materialized views, functions and triggers on PostgreSQL: full loops.

Each case builds the old model's database (entities from their own DDL),
checks the golden rule, autogenerates to the new model, upgrades, checks,
downgrades and checks against the old model again.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from schemadiff import compare_metadata
from schemadiff.entities import Function, MaterializedView, Trigger, View
from tests.backends.entity_support import EntityLoop, routine_names, view_names
from tests.backends.object_support import _kinds, _only, _schema
from tests.helpers import describe
from tests.operations.support import rows

STAMP = """CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.note := coalesce(NEW.note, 'new');
    RETURN NEW;
END
$$"""

STAMP_V2 = """create or replace function stamp() returns trigger language plpgsql as $$
BEGIN
    NEW.note := coalesce(NEW.note, 'v2') || '%';
    RETURN NEW;
END
$$;"""

ON_INSERT = "CREATE TRIGGER item_stamp BEFORE INSERT ON item FOR EACH ROW EXECUTE FUNCTION stamp()"
ON_BOTH = (
    "create trigger item_stamp before insert or update on item\n"
    "for each row execute procedure stamp();"
)


def _items() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table(
        "item",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("price", sa.Integer),
        sa.Column("note", sa.Text),
    )
    return md


def _stamped(function: str = STAMP, trigger: str = ON_INSERT) -> sa.MetaData:
    md = _items()
    Function("stamp", md, function)
    Trigger("item_stamp", md, trigger, table="item")
    return md


@pytest.fixture
def eloop(database, tmp_path):
    _only(database, "postgresql")
    made = EntityLoop(database, tmp_path)
    yield made
    made.close()


def _note(engine: sa.Engine) -> str:
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM item")
        conn.exec_driver_sql("INSERT INTO item (id, price) VALUES (1, 5)")
        return str(conn.exec_driver_sql("SELECT note FROM item").scalar())


def test_a_function_and_its_trigger_are_created_function_first_dropped_trigger_first(eloop):
    changes, script = eloop.generate(_items, _stamped)
    assert _kinds(changes) == [("add_function", "stamp"), ("add_trigger", "item_stamp")]
    assert script.index("op.create_function('stamp'") < script.index("op.create_trigger(")
    eloop.upgrade(_stamped)
    assert routine_names(eloop.engine) == ["f:stamp", "t:item_stamp"]
    assert _note(eloop.engine) == "new"
    sql = eloop.offline(_stamped())
    assert sql.index("CREATE FUNCTION stamp()") < sql.index("CREATE TRIGGER item_stamp"), sql
    eloop.downgrade(_items)
    assert routine_names(eloop.engine) == []


def test_a_changed_function_is_replaced_and_a_changed_trigger_recreated(eloop):
    after = lambda: _stamped(STAMP_V2, ON_BOTH)  # noqa: E731
    changes, script = eloop.generate(_stamped, after)
    assert _kinds(changes) == [
        ("modify_function", "stamp"),
        ("modify_trigger", "item_stamp"),
    ], describe(changes)
    assert "op.replace_function('stamp'" in script and "op.replace_trigger(" in script
    eloop.upgrade(after)
    assert _note(eloop.engine) == "v2%"
    with eloop.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE item SET note = NULL")
        assert conn.exec_driver_sql("SELECT note FROM item").scalar() == "v2%"
    eloop.downgrade(_stamped)
    assert _note(eloop.engine) == "new"


def test_the_golden_rule_holds_for_routines_however_they_are_spelled(eloop):
    eloop.build(_stamped)
    respelled = _stamped(
        STAMP.replace("CREATE FUNCTION", "create   or replace function").replace("\n", "\n  "),
        ON_INSERT.lower().replace("execute function", "execute procedure") + ";",
    )
    assert eloop.compare(respelled) == [], describe(eloop.compare(respelled))


def test_removed_routines_are_dropped_trigger_first_and_come_back_on_downgrade(eloop):
    def other() -> sa.MetaData:
        md = _items()
        Function("answer", md, "CREATE FUNCTION answer() RETURNS int LANGUAGE sql AS 'SELECT 42'")
        return md

    changes, script = eloop.generate(_stamped, other)
    assert _kinds(changes) == [
        ("add_function", "answer"),
        ("remove_function", "stamp"),
        ("remove_trigger", "item_stamp"),
    ], describe(changes)
    assert script.index("op.drop_trigger(") < script.index("op.drop_function('stamp'")
    eloop.upgrade(other)
    assert routine_names(eloop.engine) == ["f:answer"]
    eloop.downgrade(_stamped)
    assert routine_names(eloop.engine) == ["f:stamp", "t:item_stamp"]


def _summary(query: str = "SELECT count(*) AS n, sum(price) AS total FROM item") -> sa.MetaData:
    md = _items()
    MaterializedView("item_summary", md, query, with_data=False)
    View("item_cheap", md, "SELECT id FROM item WHERE price < 10")
    return md


def test_materialized_views_created_changed_and_dropped(eloop):
    changes, script = eloop.generate(_items, _summary)
    assert sorted((c.kind, c.name, c.detail) for c in changes if c.kind == "add_view") == [
        ("add_view", "item_cheap", {}),
        ("add_view", "item_summary", {"materialized": True}),
    ]
    assert "op.create_materialized_view('item_summary'" in script and "with_data=False" in script
    eloop.upgrade(_summary)
    assert view_names(eloop.engine) == ["item_cheap", "item_summary*"]
    eloop.downgrade(_items)
    assert view_names(eloop.engine) == []


def test_a_changed_materialized_view_is_dropped_and_created_again(eloop):
    after = lambda: _summary("SELECT count(*) AS n FROM item")  # noqa: E731
    changes, script = eloop.generate(_summary, after)
    assert [(c.kind, c.name, c.detail.get("materialized")) for c in changes] == [
        ("modify_view", "item_summary", True)
    ], describe(changes)
    assert script.index("op.drop_materialized_view(") < script.index("op.create_materialized_view(")
    eloop.upgrade(after)
    populated = "SELECT relispopulated FROM pg_class WHERE relname = 'item_summary'"
    assert rows(eloop.engine, populated) == [(False,)]  # with_data=False, as declared
    eloop.downgrade(_summary)


def test_a_column_type_change_under_views_of_views_and_a_materialized_view(eloop):
    """``cannot alter type of a column used by a view or rule``: not any more."""

    def model(price: type[sa.types.TypeEngine[int]] = sa.Integer) -> sa.MetaData:
        md = sa.MetaData()
        sa.Table(
            "item",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("price", price),
            sa.Column("note", sa.Text),
        )
        View("priced", md, "SELECT id, price * 2 AS doubled FROM item")
        View("dear", md, "SELECT id FROM priced WHERE doubled > 10")
        View("notes", md, "SELECT id, note FROM item")  # reads no changed column
        MaterializedView("top", md, "SELECT max(doubled) AS m FROM priced")
        return md

    after = lambda: model(sa.BigInteger)  # noqa: E731
    changes, script = eloop.generate(model, after)
    assert _kinds(changes) == [("modify_type", "price")], describe(changes)
    for name in ("priced", "dear"):
        assert script.index(f"op.drop_view('{name}'") < script.index("op.alter_column(")
        assert script.index("op.alter_column(") < script.index(f"op.create_view('{name}'")
    assert script.index("op.drop_materialized_view('top'") < script.index("op.drop_view('priced'")
    assert script.index("op.create_view('priced'") < script.index("op.create_view('dear'")
    assert "op.drop_view('notes'" not in script
    eloop.upgrade(after)
    assert rows(
        eloop.engine,
        "SELECT format_type(atttypid, NULL) FROM pg_attribute "
        "WHERE attrelid = 'item'::regclass AND attname = 'price'",
    ) == [("bigint",)]
    eloop.downgrade(model)
    assert view_names(eloop.engine) == ["dear", "notes", "priced", "top*"]


def test_views_undeclared_by_the_model_still_come_back_around_a_column_change(eloop):
    with eloop.engine.begin() as conn:
        _items().create_all(conn)
        conn.exec_driver_sql("CREATE VIEW legacy AS SELECT id, price + 1 AS p FROM item")

    def wider() -> sa.MetaData:
        md = sa.MetaData()
        sa.Table(
            "item",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("price", sa.BigInteger),
            sa.Column("note", sa.Text),
        )
        return md

    changes, script = eloop._autogenerate(wider)
    assert _kinds(changes) == [("modify_type", "price")]
    assert "op.drop_view('legacy'" in script
    eloop.upgrade(wider)
    assert view_names(eloop.engine) == ["legacy"]
    eloop.downgrade(_items)


def test_entities_in_a_new_schema_are_created_there_after_it(database, tmp_path):
    _only(database, "postgresql")
    engine = database.engine()
    home = _schema(engine)
    other = f"{home}_x"

    def include_name(name, type_, parents):
        return type_ != "schema" or name in (home, other)

    loop = EntityLoop(database, tmp_path, {"include_schemas": True, "include_name": include_name})
    try:

        def after() -> sa.MetaData:
            md = sa.MetaData()
            sa.Table("src", md, sa.Column("id", sa.Integer, primary_key=True), schema=other)
            Function(
                "twice",
                md,
                f"CREATE FUNCTION {other}.twice(x int) RETURNS int LANGUAGE sql "
                "IMMUTABLE AS 'SELECT x * 2'",
                schema=other,
            )
            View("doubled", md, f"SELECT {other}.twice(id) AS d FROM {other}.src", schema=other)
            return md

        changes, script = loop.generate(sa.MetaData, after)
        assert sorted((c.kind, c.schema, c.name) for c in changes) == [
            ("add_function", other, "twice"),
            ("add_schema", other, other),
            ("add_table", other, "src"),
            ("add_view", other, "doubled"),
        ], describe(changes)
        assert script.index("op.create_schema(") < script.index("op.create_function(")
        assert script.index("op.create_function(") < script.index("op.create_table(")
        assert script.index("op.create_table(") < script.index("op.create_view(")
        loop.upgrade(after)
        loop.downgrade(sa.MetaData)
        assert not rows(engine, f"SELECT 1 FROM pg_namespace WHERE nspname = '{other}'")
    finally:
        loop.close()
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{other}" CASCADE')
        engine.dispose()


def test_an_enum_recreated_under_a_view_takes_the_view_along(eloop):
    def model(*labels: str) -> sa.MetaData:
        md = sa.MetaData()
        sa.Table(
            "ticket",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("status", sa.Enum(*labels, name="status_enum")),
        )
        View("open_tickets", md, "SELECT id FROM ticket WHERE status = 'a'")
        return md

    before = lambda: model("a", "b", "c")  # noqa: E731
    after = lambda: model("b", "a")  # noqa: E731
    changes, script = eloop.generate(before, after)
    assert _kinds(changes) == [("modify_enum", "status_enum")], describe(changes)
    assert script.index("op.drop_view('open_tickets'") < script.index("op.alter_enum(")
    assert script.index("op.alter_enum(") < script.index("op.create_view('open_tickets'")
    eloop.upgrade(after)
    eloop.downgrade(before)


def test_a_function_whose_return_type_changes_is_still_compared(eloop):
    eloop.build(_stamped)
    model = _stamped()
    Function("stamp", model, "CREATE FUNCTION stamp() RETURNS int LANGUAGE sql AS 'SELECT 1'")
    assert _kinds(eloop.compare(model)) == [("modify_function", "stamp")]
    assert _kinds(eloop.compare(_stamped())) == []


def test_a_trigger_naming_a_column_whose_type_changes_comes_back_around_it(eloop):
    """``cannot alter type of a column used in a trigger definition``: not any more."""

    def model(price: type[sa.types.TypeEngine[int]] = sa.Integer, when: str = "0") -> sa.MetaData:
        md = _items()
        md.remove(md.tables["item"])
        sa.Table(
            "item",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("price", price),
            sa.Column("note", sa.Text),
        )
        Function("stamp", md, STAMP)
        Trigger(
            "item_stamp",
            md,
            "CREATE TRIGGER item_stamp BEFORE UPDATE OF price ON item FOR EACH ROW "
            f"WHEN (NEW.price > {when}) EXECUTE FUNCTION stamp()",
            table="item",
        )
        return md

    after = lambda: model(sa.BigInteger, when="5")  # noqa: E731
    changes, script = eloop.generate(model, after)
    assert _kinds(changes) == [("modify_trigger", "item_stamp"), ("modify_type", "price")]
    assert script.index("op.drop_trigger(") < script.index("op.alter_column(")
    assert script.index("op.alter_column(") < script.index("op.create_trigger(")
    eloop.upgrade(after)
    eloop.downgrade(model)


def test_include_hooks_see_every_kind_by_its_type_name(eloop):
    eloop.build(_summary)
    with eloop.engine.begin() as conn:
        conn.exec_driver_sql(STAMP)
        conn.exec_driver_sql(ON_INSERT)
    seen: set[tuple[str, str, bool, str]] = set()

    def include_object(obj, name, type_, reflected, compare_to):
        seen.add((type_, name, reflected, type(obj).__name__))
        return type_ != "function"

    named: set[tuple[str, str, str | None]] = set()

    def include_name(name, type_, parents):
        named.add((type_, name, parents.get("table_name")))
        return True

    model = _items()
    View("item_cheap", model, "SELECT id FROM item WHERE price < 10")
    options = {"include_object": include_object, "include_name": include_name}
    with eloop.engine.connect() as conn:
        changes = compare_metadata(conn, model, **options)
    assert _kinds(changes) == [("remove_trigger", "item_stamp"), ("remove_view", "item_summary")]
    assert {
        ("view", "item_cheap", False, "View"),
        ("materialized_view", "item_summary", True, "MaterializedView"),
        ("function", "stamp", True, "Function"),
        ("trigger", "item_stamp", True, "Trigger"),
    } <= seen
    assert ("trigger", "item_stamp", "item") in named
