"""CHECK bodies and index expressions as the server stores them compare equal to the model.

Each backend rewrites what it is given (PostgreSQL: ``BETWEEN`` into two
comparisons, ``NOT IN`` into ``<> ALL (ARRAY[...])``, casts and
parentheses; MariaDB: ``length()`` into ``octet_length()``, ``NOT (a > b)``
into ``a <= b``, backquotes).  One table per backend carries the whole
corpus, so a single comparison proves that none of them is reported.
"""

from __future__ import annotations

import sqlalchemy as sa

from schemadiff import compare_metadata
from tests.helpers import describe

#: CHECK bodies every backend accepts
COMMON = [
    "x BETWEEN 1 AND 5",
    "x NOT BETWEEN 1 AND 5",
    "length(s) > 0",
    "lower(s) = s",
    "upper(s) <> s",
    "x IN (1, 2, 3)",
    "x NOT IN (1, 2)",
    "s IN ('a', 'b')",
    "s NOT IN ('a', 'b')",
    "s LIKE 'a%'",
    "s NOT LIKE 'a%'",
    "x != 0",
    "NOT (x > 10)",
    "NOT (x = y)",
    "x IS NOT NULL OR y IS NULL",
    "x > 0 AND (y > 0 OR y IS NULL)",
    "coalesce(x, 0) >= 0",
    "x + y < 100",
    "x * 2 - 1 > 0",
    "abs(x) < 10",
    "substr(s, 1, 1) = 'a'",
    "trim(s) = s",
    "s <> ''",
    "length(trim(s)) BETWEEN 1 AND 10",
    "CASE WHEN x > 0 THEN y > 0 ELSE y <= 0 END",
    "x >= 0 AND x <= 100",
    "flag IN (0, 1)",
    "x > -1",
    "f >= 0.5",
    "nullif(x, 0) IS NOT NULL",
]
#: PostgreSQL and MariaDB have these functions, SQLite does not
SERVERS = ["char_length(s) > 0", "mod(x, 2) = 0", "octet_length(s) < 100"]
#: and some that only one backend has
ONLY = {
    "postgresql": SERVERS
    + [
        "s ~ '^[a-z]+$'",
        "x IS DISTINCT FROM y",
        "s IS NOT DISTINCT FROM 'a'",
        "NOT (x BETWEEN 1 AND 2)",
        "(x, y) > (0, 0)",
        "ts > now() - interval '1 day'",
        "coalesce(s, '') <> ''",
        "x IN (1)",
    ],
    "mysql": SERVERS
    + ["s REGEXP '^[a-z]+$'", "ifnull(x, 0) >= 0", "x IN (1)", "x NOT IN (1)", "!(x > 1)"],
    "sqlite": ["ifnull(x, 0) >= 0", "x IS NOT y"],
}


def check_model(backend: str) -> sa.MetaData:
    md = sa.MetaData()
    checks = [
        sa.CheckConstraint(body, name=f"ck_{i}") for i, body in enumerate(COMMON + ONLY[backend])
    ]
    sa.Table(
        "checked",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("x", sa.Integer),
        sa.Column("y", sa.Integer),
        sa.Column("f", sa.Float),
        sa.Column("flag", sa.Integer),
        sa.Column("s", sa.String(20)),
        sa.Column("ts", sa.DateTime),
        *checks,
    )
    return md


def test_check_bodies_converge(engine, backend):
    md = check_model(backend)
    with engine.begin() as conn:
        md.create_all(conn)
    with engine.connect() as conn:
        changes = compare_metadata(conn, md)
    assert changes == [], f"{backend} stores these differently:\n{describe(changes)}"


def test_postgresql_index_expressions_converge(engine, backend):
    if backend != "postgresql":
        return  # SQLAlchemy does not reflect expression indexes on SQLite; MariaDB has none
    md = sa.MetaData()
    t = sa.Table(
        "indexed",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ticket_id", sa.Integer),
        sa.Column("at", sa.DateTime),
        sa.Column("email", sa.String(100)),
        sa.Column("x", sa.Integer),
        sa.Column("doc", sa.dialects.postgresql.JSONB),
    )
    sa.Index("ix_ticket_at", t.c.ticket_id, t.c.at.desc())
    sa.Index("ix_lower_email", sa.func.lower(t.c.email), unique=True)
    sa.Index("ix_coalesce", sa.func.coalesce(t.c.x, 0).desc())
    sa.Index("ix_sum", sa.text("(x + ticket_id)"), t.c.at.nulls_first())
    sa.Index("ix_doc_key", t.c.doc["kind"].astext)
    sa.Index("ix_partial", t.c.ticket_id, postgresql_where=t.c.x.between(1, 5))
    sa.Index("ix_not_in", t.c.x, postgresql_where=t.c.email.notin_(["a", "b"]))
    with engine.begin() as conn:
        md.create_all(conn)
    with engine.connect() as conn:
        changes = compare_metadata(conn, md)
    assert changes == [], describe(changes)
