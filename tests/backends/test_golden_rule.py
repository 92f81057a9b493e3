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
        changes = compare_metadata(conn, md)
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
