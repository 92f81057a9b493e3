"""Every ``op`` directive, applied to a real database and reflected back.

Directives SQLite's ALTER TABLE cannot perform (constraints, column
changes) rebuild the table there, so each test runs unchanged on all three
backends.
"""

from __future__ import annotations

import sqlalchemy as sa

from schemadiff import op
from tests.operations.support import (
    check_names,
    column_names,
    columns,
    convention_metadata,
    fk_map,
    index_map,
    migration,
    rows,
    unique_sets,
)


def _parent_and_child(engine: sa.Engine) -> None:
    with migration(engine):
        op.create_table(
            "account",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(50), nullable=False),
        )
        op.create_table(
            "some_table",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("x", sa.Integer),
            sa.Column("account_id", sa.Integer),
        )


def test_create_table_with_everything_and_drop_it(engine, backend):
    md = convention_metadata()
    with migration(engine, md):
        op.create_table(
            "account",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(50), nullable=False, comment="login"),
            sa.Column("status", sa.Enum("new", "done", name="status", create_constraint=True)),
            sa.Column("active", sa.Boolean(name="active", create_constraint=True)),
            sa.Column("balance", sa.Numeric(10, 2), server_default="0"),
            sa.UniqueConstraint("name"),
            sa.CheckConstraint("balance >= 0", name="positive"),
            sa.Index(None, "balance"),
            comment="the accounts",
        )
        op.create_table(
            "payment",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("account_id", sa.Integer, sa.ForeignKey("account.id", ondelete="CASCADE")),
        )
    insp = sa.inspect(engine)
    assert column_names(engine, "account") == ["id", "name", "status", "active", "balance"]
    assert unique_sets(engine, "account")["uq_account_name"] == ("name",)
    assert "ix_account_balance" in index_map(engine, "account")
    checks = check_names(engine, "account")
    assert "ck_account_positive" in checks
    if backend == "sqlite":
        assert {"ck_account_status", "ck_account_active"} <= checks
    if backend == "mysql":
        assert "ck_account_active" in checks  # BOOL is no native boolean there
    fk = fk_map(engine, "payment")["fk_payment_account_id_account"]
    assert fk["referred_table"] == "account" and fk["options"].get("ondelete") == "CASCADE"
    if backend != "sqlite":
        assert insp.get_table_comment("account")["text"] == "the accounts"
        assert columns(engine, "account")["name"]["comment"] == "login"
    if backend == "postgresql":
        assert [e["name"] for e in insp.get_enums()] == ["status"]
    with migration(engine, md):
        op.drop_table("payment")
        op.drop_table("account")
    assert sa.inspect(engine).get_table_names() == []


def test_rename_table(engine):
    with migration(engine):
        op.create_table("old_name", sa.Column("id", sa.Integer, primary_key=True))
        op.rename_table("old_name", "new_name")
    assert sa.inspect(engine).get_table_names() == ["new_name"]


def test_add_and_drop_columns_with_convention_names(engine, backend):
    _parent_and_child(engine)
    with migration(engine, convention_metadata()):
        op.execute("INSERT INTO some_table (id, x) VALUES (1, 10)")
        op.add_column(
            "some_table", sa.Column("q", sa.Boolean(name="q_bool", create_constraint=True))
        )
        op.add_column(
            "some_table", sa.Column("note", sa.String(20), server_default="n/a", index=True)
        )
        op.add_column(
            "some_table",
            sa.Column("size", sa.Integer, sa.CheckConstraint("size > 0", name="positive")),
        )
        op.add_column(
            "some_table",
            sa.Column("owner_id", sa.Integer, sa.ForeignKey("account.id"), nullable=True),
        )
        op.add_column(
            "some_table",
            sa.Column("code", sa.String(10), nullable=False, unique=True, server_default="c"),
        )
    cols = columns(engine, "some_table")
    assert list(cols) == ["id", "x", "account_id", "q", "note", "size", "owner_id", "code"]
    assert cols["code"]["nullable"] is False
    assert unique_sets(engine, "some_table") == {"uq_some_table_code": ("code",)}
    assert index_map(engine, "some_table")["ix_some_table_note"]["column_names"] == ["note"]
    assert "ck_some_table_positive" in check_names(engine, "some_table")
    assert rows(engine, "SELECT id, x, note FROM some_table") == [(1, 10, "n/a")]
    if backend != "postgresql":  # PostgreSQL's BOOLEAN needs no CHECK
        assert "ck_some_table_q_bool" in check_names(engine, "some_table")
    assert fk_map(engine, "some_table")["fk_some_table_owner_id_account"]["referred_columns"] == [
        "id"
    ]
    with migration(engine):
        op.drop_index("ix_some_table_note", table_name="some_table")
        op.drop_column("some_table", "note")
        op.drop_column("some_table", "x")
    assert column_names(engine, "some_table") == [
        "id",
        "account_id",
        "q",
        "size",
        "owner_id",
        "code",
    ]


def test_alter_column_every_attribute(engine, backend):
    _parent_and_child(engine)
    with migration(engine):
        op.execute("INSERT INTO some_table (id, x) VALUES (1, 10)")
        op.alter_column("some_table", "x", nullable=False, existing_type=sa.Integer)
        op.alter_column("some_table", "x", type_=sa.BigInteger, existing_type=sa.Integer)
        op.alter_column("some_table", "x", server_default="5", existing_type=sa.BigInteger)
        op.alter_column("some_table", "x", comment="the x", existing_type=sa.BigInteger)
        op.alter_column("some_table", "x", new_column_name="y", existing_type=sa.BigInteger)
    col = columns(engine, "some_table")["y"]
    assert col["nullable"] is False
    assert isinstance(col["type"], sa.BigInteger)
    assert "5" in str(col["default"])
    if backend != "sqlite":
        assert col["comment"] == "the x"
    assert rows(engine, "SELECT id, y FROM some_table") == [(1, 10)]
    with migration(engine):
        op.alter_column("some_table", "y", server_default=None, nullable=True, comment=None)
    col = columns(engine, "some_table")["y"]
    assert col["default"] is None and col["nullable"] is True and not col.get("comment")


def test_alter_column_keeps_what_the_script_does_not_mention(engine):
    """MySQL's MODIFY restates the column: default, NOT NULL, AUTO_INCREMENT come
    from the live column when the script gives no existing_* hints."""
    with migration(engine):
        op.create_table(
            "t",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("name", sa.String(20), nullable=False, server_default="x", comment="c"),
        )
        op.alter_column("t", "name", type_=sa.String(40))
        op.alter_column("t", "id", comment="the key")
    col = columns(engine, "t")["name"]
    assert col["nullable"] is False and "x" in str(col["default"]) and col["type"].length == 40
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO t (name) VALUES ('auto')")
        conn.exec_driver_sql("INSERT INTO t (id) VALUES (100)")
    assert rows(engine, "SELECT id, name FROM t ORDER BY id") == [(1, "auto"), (100, "x")]


def test_indexes(engine):
    _parent_and_child(engine)
    with migration(engine, convention_metadata()):
        op.create_index(None, "some_table", ["x"])
        op.create_index("ix_pair", "some_table", ["x", "account_id"], unique=True)
    indexes = index_map(engine, "some_table")
    assert indexes["ix_some_table_x"]["column_names"] == ["x"]
    assert indexes["ix_pair"]["unique"] and indexes["ix_pair"]["column_names"] == [
        "x",
        "account_id",
    ]
    with migration(engine):
        op.drop_index("ix_pair", table_name="some_table")
        op.drop_index(op.f("ix_some_table_x"), table_name="some_table")
    assert {n for n in index_map(engine, "some_table")} == set()


def test_unique_constraint_named_none_takes_the_convention(engine):
    _parent_and_child(engine)
    with migration(engine, convention_metadata()):
        op.create_unique_constraint(None, "some_table", ["x"])
    assert unique_sets(engine, "some_table") == {"uq_some_table_x": ("x",)}
    with migration(engine, convention_metadata()):
        op.drop_constraint("uq_some_table_x", "some_table", type_="unique")
    assert unique_sets(engine, "some_table") == {}


def test_primary_key(engine, backend):
    with migration(engine, convention_metadata()):
        op.create_table(
            "keyless", sa.Column("a", sa.Integer, nullable=False), sa.Column("b", sa.Integer)
        )
        op.create_primary_key(None, "keyless", ["a"])
    pk = sa.inspect(engine).get_pk_constraint("keyless")
    assert pk["constrained_columns"] == ["a"]
    if backend != "mysql":  # MySQL calls every primary key PRIMARY
        assert pk["name"] == "pk_keyless"


def test_foreign_key_created_and_dropped(engine, backend):
    _parent_and_child(engine)
    with migration(engine, convention_metadata()):
        op.create_foreign_key(
            None, "some_table", "account", ["account_id"], ["id"], ondelete="SET NULL"
        )
        op.create_foreign_key("fk_self", "some_table", "some_table", ["x"], ["id"])
    fks = fk_map(engine, "some_table")
    assert fks["fk_some_table_account_id_account"]["options"]["ondelete"] == "SET NULL"
    assert fks["fk_self"]["referred_table"] == "some_table"
    with migration(engine):
        # MySQL learns the kind from the database when type_ is not given
        op.drop_constraint("fk_some_table_account_id_account", "some_table")
        op.drop_constraint("fk_self", "some_table", type_="foreignkey")
    assert fk_map(engine, "some_table") == {}
    assert index_map(engine, "some_table") == {}  # nor MySQL's implicit key indexes


def test_check_constraint(engine):
    _parent_and_child(engine)
    with migration(engine, convention_metadata()):
        op.create_check_constraint("positive", "some_table", "x > 0")
        op.create_check_constraint(op.f("literal_name"), "some_table", sa.column("x") < 100)
    assert check_names(engine, "some_table") >= {"ck_some_table_positive", "literal_name"}
    with migration(engine):
        op.drop_constraint("ck_some_table_positive", "some_table", type_="check")
        op.drop_constraint("literal_name", "some_table")
    assert check_names(engine, "some_table") == set()


def test_table_comments(engine, backend):
    _parent_and_child(engine)

    def comment() -> str | None:
        if backend == "sqlite":
            return None  # SQLite keeps no comments: the directives do nothing there
        return sa.inspect(engine).get_table_comment("some_table")["text"]

    with migration(engine):
        op.create_table_comment("some_table", "it's a table")
    assert comment() == (None if backend == "sqlite" else "it's a table")
    with migration(engine):
        op.drop_table_comment("some_table", existing_comment="it's a table")
    assert not comment()


def test_execute_bulk_insert_inline_literal_and_context(engine):
    _parent_and_child(engine)
    account = sa.table("account", sa.column("id", sa.Integer), sa.column("name", sa.String))
    with migration(engine) as operations:
        op.bulk_insert(account, [{"id": 1, "name": "ann"}, {"id": 2, "name": "bob"}])
        op.execute(account.update().where(account.c.id == 2).values(name=op.inline_literal("b'o")))
        op.execute("UPDATE account SET name = 'ANN' WHERE id = 1")
        op.execute(sa.text("DELETE FROM account WHERE id = :i").bindparams(i=3))
        assert op.get_context() is operations.migration_context
        assert op.get_bind() is operations.migration_context.connection
        assert op.get_bind().execute(sa.text("SELECT count(*) FROM account")).scalar() == 2
    assert rows(engine, "SELECT id, name FROM account ORDER BY id") == [(1, "ANN"), (2, "b'o")]


def test_f_keeps_a_name_away_from_the_convention(engine):
    _parent_and_child(engine)
    with migration(engine, convention_metadata()):
        op.create_unique_constraint(op.f("my_exact_name"), "some_table", ["x"])
    assert unique_sets(engine, "some_table") == {"my_exact_name": ("x",)}
