"""A model compared with the database it created yields no difference."""

from __future__ import annotations

import sqlalchemy as sa

from schemadiff import compare_metadata
from tests.helpers import describe


def realistic_metadata(backend: str) -> sa.MetaData:
    md = sa.MetaData()
    sa.Table(
        "account",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("description", sa.Unicode(200)),
        sa.Column("bio", sa.Text),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("balance", sa.Numeric(12, 2)),
        sa.Column("ratio", sa.Float),
        sa.Column("big", sa.BigInteger),
        sa.Column("small", sa.SmallInteger),
        sa.Column("born", sa.Date),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("wakes", sa.Time),
        sa.Column("blob", sa.LargeBinary),
        sa.Column("kind", sa.Enum("personal", "business", name="account_kind")),
        sa.Column("email", sa.String(120), unique=True),
        sa.Column("note", sa.String(30), comment="free text"),
        sa.Column("settings", sa.JSON),
        sa.Column("public_id", sa.Uuid),
        sa.Column("seen_at", sa.DateTime(timezone=True)),
        sa.Column("score", sa.Double),
        sa.Column("tiny", sa.Boolean(create_constraint=True)),
        sa.Column("code", sa.CHAR(3)),
        sa.Column("plain_text", sa.UnicodeText),
        sa.Column("status", sa.String(10), nullable=False, server_default="new"),
        sa.Column("counter", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("updated", sa.DateTime, server_default=sa.func.now()),
        sa.CheckConstraint("small >= 0", name="ck_account_small"),
        sa.UniqueConstraint("name", "born", name="uq_account_name_born"),
        sa.Index("ix_account_created", "created_at", "name"),
        comment="people with money",
    )
    sa.Table(
        "shopping_cart",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("account.id"), nullable=False),
        sa.Column("total", sa.Numeric(10, 2), nullable=False),
        sa.Index("ix_cart_account", "account_id"),
    )
    return md


def test_model_against_its_own_database_gives_nothing(engine, backend):
    md = realistic_metadata(backend)
    with engine.begin() as conn:
        md.create_all(conn)
    with engine.connect() as conn:
        changes = compare_metadata(conn, md, compare_type=True, compare_server_default=True)
    assert changes == [], f"spurious differences on {backend}:\n{describe(changes)}"


def test_detects_added_removed_and_altered(engine, backend):
    md = realistic_metadata(backend)
    with engine.begin() as conn:
        md.create_all(conn)
    target = sa.MetaData()
    sa.Table(
        "account",
        target,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=True),
        sa.Column("extra", sa.Integer),
    )
    sa.Table("audit", target, sa.Column("id", sa.Integer, primary_key=True))
    with engine.connect() as conn:
        changes = compare_metadata(conn, target, compare_type=False)
    kinds = {(c.kind, c.table, c.name) for c in changes}
    assert ("add_table", "audit", "audit") in kinds
    assert ("remove_table", "shopping_cart", "shopping_cart") in kinds
    assert ("add_column", "account", "extra") in kinds
    assert ("remove_column", "account", "bio") in kinds
    assert ("modify_nullable", "account", "name") in kinds, describe(changes)


def test_backend_specific_types_match_their_database(engine, backend):
    from sqlalchemy.dialects import mysql, postgresql

    md = sa.MetaData()
    if backend == "postgresql":
        cols = [
            sa.Column("tags", postgresql.ARRAY(sa.String(20))),
            sa.Column("doc", postgresql.JSONB),
            sa.Column("addr", postgresql.INET),
            sa.Column("span", sa.Interval),
            sa.Column("mood", postgresql.ENUM("sad", "ok", "happy", name="mood")),
            sa.Column(
                "ident", postgresql.UUID(as_uuid=True), server_default=sa.text("gen_random_uuid()")
            ),
            sa.Column("money_", sa.Numeric(19, 4), server_default=sa.text("0.00")),
            sa.Column(
                "ts",
                postgresql.TIMESTAMP(precision=3),
                server_default=sa.text("CURRENT_TIMESTAMP(3)"),
            ),
        ]
    elif backend == "mysql":
        cols = [
            sa.Column("u", mysql.INTEGER(unsigned=True)),
            sa.Column("big_u", mysql.BIGINT(unsigned=True), nullable=False, server_default="0"),
            sa.Column("e", mysql.ENUM("a", "b", "c")),
            sa.Column("s", mysql.SET("x", "y")),
            sa.Column("tt", mysql.TINYTEXT),
            sa.Column("mt", mysql.MEDIUMTEXT),
            sa.Column("dt6", mysql.DATETIME(fsp=6)),
            sa.Column("ts", mysql.TIMESTAMP, server_default=sa.func.current_timestamp()),
            sa.Column("yr", mysql.YEAR),
            sa.Column("bin", mysql.VARBINARY(16)),
        ]
    else:
        cols = [
            sa.Column("r", sa.REAL),
            sa.Column("blob", sa.BLOB),
            sa.Column("d", sa.DATE, server_default=sa.text("(date('now'))")),
            sa.Column("n", sa.NUMERIC, server_default=sa.text("1.5")),
        ]
    sa.Table("specific", md, sa.Column("id", sa.Integer, primary_key=True), *cols)
    with engine.begin() as conn:
        md.create_all(conn)
    with engine.connect() as conn:
        changes = compare_metadata(conn, md, compare_type=True, compare_server_default=True)
    assert changes == [], f"spurious differences on {backend}:\n{describe(changes)}"
