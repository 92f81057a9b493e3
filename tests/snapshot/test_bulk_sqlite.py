"""The SQLite catalog reader gives exactly what SQLAlchemy's reflection gives.

Each test builds a schema, reflects it through both readers and compares
the snapshots field by field (types by their compiled form), printing every
difference on failure.  The schemas mix DDL emitted by SQLAlchemy with
hand-written DDL in the spellings SQLite accepts.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from schemadiff.backends.sqlite.ddl_parser import parse_create_index, parse_create_table
from schemadiff.snapshot import SchemaSnapshot, reflect_snapshot

# The generic reader warns about what it cannot read (expression indexes,
# keys and predicates its expressions miss); those spellings are here on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")


def _only_sqlite(backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite catalog reader")


def rich_metadata() -> sa.MetaData:
    """Tables as SQLAlchemy emits them: every feature the snapshot records."""
    md = sa.MetaData()
    parent = sa.Table(
        "parent",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(20), nullable=False, unique=True),
        sa.Column("name", sa.Unicode(50), server_default="it's"),
        sa.Column("created", sa.DateTime, server_default=sa.text("CURRENT_TIMESTAMP")),
        sa.Column("flag", sa.Boolean(create_constraint=True, name="ck_parent_flag")),
        sa.Column("unnamed_flag", sa.Boolean(create_constraint=True)),
        sa.Column("kind", sa.Enum("a", "b", name="kind", create_constraint=True)),
        sa.Column("amount", sa.Numeric(10, 2), server_default=sa.text("0.00")),
        sa.Column("ratio", sa.Float, server_default=sa.text("-1.5")),
        sa.Column("big", sa.BigInteger, server_default=sa.text("(abs(-3))")),
        sa.Column("small", sa.SmallInteger, server_default="7"),
        sa.Column("born", sa.Date),
        sa.Column("wakes", sa.Time),
        sa.Column("blob", sa.LargeBinary),
        sa.Column("doc", sa.JSON),
        sa.Column("notes", sa.Text, server_default=sa.text("''")),
        sa.UniqueConstraint("name", "born", name="uq_parent_name_born"),
        sa.UniqueConstraint("ratio"),
        sa.CheckConstraint("amount >= 0", name="ck_parent_amount"),
        sa.CheckConstraint("big <> 5"),
    )
    sa.Index("ix_parent_name", parent.c.name)
    sa.Index("uix_parent_small", parent.c.small, unique=True)
    sa.Index("ix_parent_lower_code", sa.func.lower(parent.c.code))
    sa.Index("ix_parent_partial", parent.c.ratio, parent.c.big, sqlite_where=sa.text("ratio > 0"))
    sa.Table(
        "child",
        md,
        sa.Column("a", sa.Integer),
        sa.Column("b", sa.String(10)),
        sa.Column("parent_id", sa.Integer),
        sa.Column("parent_code", sa.String(20), sa.ForeignKey("parent.code")),
        sa.Column("up_a", sa.Integer),
        sa.Column("up_b", sa.String(10)),
        sa.PrimaryKeyConstraint("a", "b", name="pk_child"),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["parent.id"],
            name="fk_child_parent",
            ondelete="CASCADE",
            onupdate="SET NULL",
            deferrable=True,
            initially="DEFERRED",
        ),
        sa.ForeignKeyConstraint(
            ["up_a", "up_b"], ["child.a", "child.b"], name="fk_child_up", ondelete="SET DEFAULT"
        ),
    )
    sa.Table(
        "generated",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("x", sa.Integer),
        sa.Column("doubled", sa.Integer, sa.Computed("x * 2", persisted=True)),
        sa.Column("label", sa.String(30), sa.Computed("'n' || (x + 1)")),
    )
    sa.Table(
        "odd table",
        md,
        sa.Column("my key", sa.String(40), primary_key=True),
        sa.Column("Other Col", sa.Integer, nullable=False, server_default="0"),
        sa.UniqueConstraint("Other Col", name="uq odd"),
        sqlite_with_rowid=False,
    )
    sa.Table("no_pk", md, sa.Column("a", sa.Integer), sa.Column("b", sa.Text))
    return md


# Hand-written DDL in spellings SQLAlchemy never emits.
RAW_DDL = (
    """CREATE TABLE odd_types (
        c1, c2 MEDIUMINT, c3 UNSIGNED BIG INT, c4 CHARACTER(20), c5 NVARCHAR(100), c6 CLOB,
        c7 BLOB, c8 DOUBLE PRECISION, c9 DECIMAL(10,5), c10 DATETIME, c11 BOOLEAN, c12 STRING,
        c13 custom_thing, c14 FLOATING POINT, c15 INT8, c16 TIMESTAMP, c17 varchar ( 30 ),
        c18 "quoted type", c19 VARCHAR(10) COLLATE NOCASE, c20 datetime2(7), c21 real, c22 TEXT(5)
    )""",
    """CREATE TABLE odd_defaults (
        d1 INTEGER DEFAULT 0, d2 TEXT DEFAULT 'it''s', d3 TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        d4 REAL DEFAULT -1.5, d5 TEXT DEFAULT (datetime('now', 'localtime')),
        d6 INTEGER DEFAULT NULL, d7 TEXT DEFAULT "dq", d8 BLOB DEFAULT x'00ff', d9 INT DEFAULT +5,
        d10 INTEGER DEFAULT TRUE, d11 TEXT NOT NULL DEFAULT '', d12 DATE DEFAULT CURRENT_DATE
    )""",
    """CREATE TABLE odd_constraints (
        id INTEGER, [bracket col] TEXT CONSTRAINT uq_inline UNIQUE, `bt col` INT NOT NULL UNIQUE,
        `bt` INT NOT NULL UNIQUE, u1 VARCHAR(10) UNIQUE, u2 UNIQUE, u3 TEXT DEFAULT 'a' UNIQUE,
        "U 4" TEXT UNIQUE, u5 TEXT /* a comment, with (parens */ NOT NULL,
        p_id INTEGER REFERENCES parent(id) ON DELETE CASCADE,
        CONSTRAINT "pk raw" PRIMARY KEY (id),
        CONSTRAINT [ck bracket] CHECK (id > -1), CHECK(u1 <> 'x'),
        CONSTRAINT `ck bt` CHECK (u2 IS NOT NULL), CONSTRAINT 'ck sq' CHECK (length(u3) < 10),
        CONSTRAINT "ck""dq" CHECK (id <> 7), CHECK /* hidden */ (id <> 8),
        FOREIGN KEY (id) REFERENCES parent,
        FOREIGN KEY (u1) REFERENCES parent (code) MATCH FULL ON DELETE CASCADE,
        CONSTRAINT [fk br] FOREIGN KEY (u2) REFERENCES [parent] (id) ON DELETE SET DEFAULT,
        CONSTRAINT fk_x FOREIGN KEY ("U 4") REFERENCES parent ("code")
            ON DELETE RESTRICT ON UPDATE NO ACTION NOT DEFERRABLE
    )""",
    """CREATE TABLE odd_generated (
        id INTEGER PRIMARY KEY AUTOINCREMENT, a INT,
        g1 INT AS (a * 2),
        g2 INTEGER GENERATED ALWAYS AS (a + 1) VIRTUAL,
        g3 TEXT GENERATED ALWAYS AS (
            'x' || a
        ) STORED,
        g4 NUMERIC(10,2) GENERATED ALWAYS AS (a / 3.0),
        g5 INT GENERATED ALWAYS AS(a),
        CHECK (a > 0)
    )""",
    """CREATE TABLE "Mixed Case" (
        "Some Col" INTEGER NOT NULL, "other""q" TEXT,
        CONSTRAINT "PK Mixed" PRIMARY KEY ("Some Col")
    )""",
    """CREATE TABLE self_ref (a INT, b INT, sa INT, sb INT, PRIMARY KEY (a, b),
        CONSTRAINT fk_self FOREIGN KEY (sa, sb) REFERENCES self_ref (a, b)
            ON DELETE CASCADE ON UPDATE SET NULL DEFERRABLE INITIALLY IMMEDIATE,
        FOREIGN KEY (sb, sa) REFERENCES self_ref)""",
    "CREATE TABLE fk_case (x INT, FOREIGN KEY (X) REFERENCES PARENT (ID))",
    # one line, double quotes throughout (as other tools write it)
    'CREATE TABLE "one_line" ("id" integer NOT NULL PRIMARY KEY, "email" text NOT NULL UNIQUE, '
    '"name" text UNIQUE, "p" integer, CONSTRAINT "ck_one" CHECK ("id" > 0), '
    'CONSTRAINT "uq_one" UNIQUE ("name", "email"), '
    'CONSTRAINT "fk_one" FOREIGN KEY ("p") REFERENCES "parent" ("id") ON DELETE CASCADE)',
    'CREATE TABLE "one_line_pk" ("a" INT, CONSTRAINT "ck" CHECK (a > 0), '
    'CONSTRAINT "pk" PRIMARY KEY ("a"))',
    """CREATE TABLE dup_uniques (a INT, b INT, UNIQUE (a), CONSTRAINT u2 UNIQUE (a),
        UNIQUE (a, b), UNIQUE (b COLLATE NOCASE), UNIQUE (
            b, a
        ))""",
    "CREATE TABLE rowidless (k TEXT PRIMARY KEY, v BLOB, UNIQUE (v)) WITHOUT ROWID",
    "CREATE INDEX ix_partial ON odd_defaults (d1) WHERE d1 > 0",
    """CREATE INDEX ix_partial_lines ON odd_defaults (d1, d4)
        WHERE d1 > 0
          AND d4 < 3""",
    "CREATE UNIQUE INDEX ix_collate ON odd_defaults (d2 COLLATE NOCASE DESC)",
    "CREATE INDEX ix_expression ON odd_defaults (lower(d2), d1)",
    'CREATE INDEX "ix q" ON "Mixed Case" ("Some Col", "other""q")',
    "CREATE INDEX ix_tight ON no_pk (a)WHERE a > 1",
)


def _type_key(type_: Any, dialect: sa.Dialect) -> str:
    try:
        return str(type_.compile(dialect=dialect))
    except sa.exc.CompileError:  # NullType has no DDL form
        return repr(type_)


def assert_same_snapshot(
    generic: SchemaSnapshot, bulk: SchemaSnapshot, dialect: sa.Dialect
) -> None:
    """Equal table by table and field by field (``source`` ignored, types compiled)."""
    problems: list[str] = []
    if list(generic.tables) != list(bulk.tables):
        problems.append(f"tables: generic {list(generic.tables)} != bulk {list(bulk.tables)}")
    for key, g_table in generic.tables.items():
        b_table = bulk.tables.get(key)
        if b_table is None:
            continue
        for f in fields(g_table):
            if f.name == "source":
                continue
            g_value, b_value = getattr(g_table, f.name), getattr(b_table, f.name)
            if g_value != b_value:
                problems.append(f"{key} {f.name}:\n  generic {g_value}\n  bulk    {b_value}")
        for g_col, b_col in zip(g_table.columns, b_table.columns, strict=False):
            g_type, b_type = _type_key(g_col.type, dialect), _type_key(b_col.type, dialect)
            if g_type != b_type:
                problems.append(f"{key} {g_col.name} type: generic {g_type} != bulk {b_type}")
    assert not problems, "\n".join(problems)
    assert generic == bulk


def _fts5_available(conn: sa.Connection) -> bool:
    try:
        conn.exec_driver_sql("CREATE VIRTUAL TABLE temp.fts_probe USING fts5(x)")
    except sa.exc.OperationalError:
        return False
    conn.exec_driver_sql("DROP TABLE temp.fts_probe")
    return True


def test_bulk_snapshot_equals_generic_on_rich_schema(engine, backend):
    _only_sqlite(backend)
    with engine.begin() as conn:
        rich_metadata().create_all(conn)
        for ddl in RAW_DDL:
            conn.exec_driver_sql(ddl)
        if _fts5_available(conn):
            conn.exec_driver_sql("CREATE VIRTUAL TABLE docs USING fts5(title, body)")
    with engine.connect() as conn:
        generic = reflect_snapshot(conn, use_bulk=False)
        bulk = reflect_snapshot(conn)
        assert len(bulk) >= 15
        assert_same_snapshot(generic, bulk, conn.dialect)


def test_bulk_snapshot_equals_generic_for_a_filtered_subset(engine, backend):
    """A key whose referred columns are implicit needs the referred table's
    primary key, even when that table is not among those reflected."""
    _only_sqlite(backend)
    with engine.begin() as conn:
        rich_metadata().create_all(conn)
        for ddl in RAW_DDL:
            conn.exec_driver_sql(ddl)

    def keep(name: str, schema: str | None) -> bool:
        return name in ("odd_constraints", "self_ref", "child")

    with engine.connect() as conn:
        generic = reflect_snapshot(conn, include_table_name=keep, use_bulk=False)
        bulk = reflect_snapshot(conn, include_table_name=keep)
        assert sorted(name for _, name in bulk.tables) == ["child", "odd_constraints", "self_ref"]
        assert_same_snapshot(generic, bulk, conn.dialect)


def test_bulk_snapshot_equals_generic_for_an_attached_database(engine, backend, tmp_path):
    _only_sqlite(backend)
    with engine.connect() as conn:
        conn.exec_driver_sql(f"ATTACH DATABASE '{tmp_path / 'other.db'}' AS other")
        md = rich_metadata()
        for table in md.tables.values():
            table.schema = "other"
        md.create_all(conn)
        conn.exec_driver_sql(
            "CREATE TABLE other.extra (id INTEGER PRIMARY KEY, p INT, "
            "CONSTRAINT fk_extra FOREIGN KEY (p) REFERENCES parent (id) ON DELETE CASCADE)"
        )
        conn.exec_driver_sql("CREATE INDEX other.ix_extra ON extra (p) WHERE p > 0")
        conn.commit()
        generic = reflect_snapshot(conn, schemas=("other",), use_bulk=False)
        bulk = reflect_snapshot(conn, schemas=("other",))
        assert ("other", "extra") in bulk.tables
        assert bulk.tables[("other", "extra")].foreign_keys[0].referred_schema == "other"
        assert_same_snapshot(generic, bulk, conn.dialect)


def _numbered_metadata(n: int) -> sa.MetaData:
    md = sa.MetaData()
    for i in range(n):
        t = sa.Table(
            f"t{i:03d}",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("code", sa.String(20), unique=True),
            sa.Column("up", sa.Integer, sa.ForeignKey(f"t{max(i - 1, 0):03d}.id", name=f"fk{i}")),
            sa.Column("total", sa.Integer, sa.Computed("id * 2")),
            sa.CheckConstraint("id > 0", name=f"ck{i}"),
        )
        sa.Index(f"ix{i}", t.c.code, sqlite_where=sa.text("code IS NOT NULL"))
    return md


def _count_statements(engine: sa.Engine, n_tables: int) -> int:
    with engine.begin() as conn:
        _numbered_metadata(n_tables).create_all(conn)
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    with engine.connect() as conn:
        event.listen(engine, "before_cursor_execute", count)
        try:
            snapshot = reflect_snapshot(conn)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert len(snapshot) == n_tables
    return len(statements)


def test_statement_count_does_not_depend_on_table_count(database, backend, tmp_path):
    _only_sqlite(backend)
    few = sa.create_engine(f"sqlite:///{tmp_path / 'few.db'}")
    many = sa.create_engine(f"sqlite:///{tmp_path / 'many.db'}")
    try:
        assert _count_statements(few, 3) == _count_statements(many, 30) <= 6
    finally:
        few.dispose()
        many.dispose()


def test_parser_reads_quotes_comments_and_nested_parentheses():
    sql = (
        'CREATE TABLE "a ""b""" (\n'
        "  [x)] TEXT DEFAULT ')' CONSTRAINT `ck, 1` CHECK (length([x)]) > (1)), -- ) ,\n"
        '  y INT /* , ( */ REFERENCES "a ""b""" ([x)]) ON DELETE SET NULL DEFERRABLE,\n'
        "  CONSTRAINT pk PRIMARY KEY (y DESC, [x)])\n"
        ") WITHOUT ROWID"
    )
    table = parse_create_table(sql)
    assert table.name is not None and table.name.value == 'a "b"'
    assert [c.name.value for c in table.columns] == ["x)", "y"]
    check = table.columns[0].constraints[-1]
    assert check.kind == "check" and check.name is not None and check.name.value == "ck, 1"
    assert check.body_span is not None
    assert sql[check.body_span[0] + 1 : check.body_span[1]] == "length([x)]) > (1)"
    fk = table.columns[1].constraints[0].references
    assert fk is not None and fk.table.value == 'a "b"' and [c.value for c in fk.columns] == ["x)"]
    assert fk.clauses == [("ON DELETE", "SET NULL"), ("DEFERRABLE", "DEFERRABLE")]
    pk = table.constraints[0]
    assert pk.kind == "primary_key" and [c.value for c in pk.columns] == ["y", "x)"]

    sql = "CREATE INDEX ix ON t (lower(a), b) WHERE a > ')'"
    index = parse_create_index(sql)
    assert index.columns_span is not None and index.where_keyword is not None
    assert sql[index.columns_span[0] : index.columns_span[1] + 1] == "(lower(a), b)"
    assert sql[index.where_keyword.end :] == " a > ')'"


@pytest.mark.parametrize(
    "sql",
    [
        "(a int AS (b), c_as int, as_ x, $as, x.as, [as], CONSTRAINT\tk unique(a) check(x))",
        "(p Primary key references Foreign generated, xas as asx, AS)",
        "(é as ä CHECK, naïve_check int)",  # not ASCII: the regular expression decides
        "(a AS(b))",
    ],
)
def test_constraint_word_scan_matches_the_word_boundary_rule(sql):
    """The find-based scan reports what a word-boundary search reports, in any window."""
    from schemadiff.backends.sqlite.ddl_lexer import _CONSTRAINT_WORD_RE, constraint_words

    for start, end in [(0, len(sql)), (1, len(sql) - 1), (3, 9), (len(sql) - 4, len(sql))]:
        expected = [m.start() for m in _CONSTRAINT_WORD_RE.finditer(sql, start, end)]
        assert constraint_words(sql, start, end) == expected, (start, end)
