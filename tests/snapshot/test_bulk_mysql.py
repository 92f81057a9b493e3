"""The MySQL/MariaDB catalog reader reports exactly what the generic path reports.

Each test builds a schema, reflects it twice (``use_bulk=False`` through
SQLAlchemy's per-table SHOW CREATE TABLE parsing, ``use_bulk=True`` through
``schemadiff.backends.mysql.catalog``) and compares the snapshots field by
field, types by their compiled form, printing every difference on failure.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from schemadiff.plugins import default_registries
from schemadiff.snapshot import SchemaSnapshot, reflect_snapshot


def _differences(dialect: sa.Dialect, generic: SchemaSnapshot, bulk: SchemaSnapshot) -> list[str]:
    out: list[str] = []
    if generic.tables.keys() != bulk.tables.keys():
        out.append(f"tables: {sorted(generic.tables, key=str)} != {sorted(bulk.tables, key=str)}")
    for key in generic.tables.keys() & bulk.tables.keys():
        g, b = generic.tables[key], bulk.tables[key]
        for field in dataclasses.fields(g):
            gv, bv = getattr(g, field.name), getattr(b, field.name)
            if field.name == "columns":
                if [c.name for c in gv] != [c.name for c in bv]:
                    out.append(
                        f"{key}: column names {[c.name for c in gv]} != {[c.name for c in bv]}"
                    )
                for gc, bc in zip(gv, bv, strict=False):  # lengths compared above
                    if gc != bc:
                        out.append(f"{key}.{gc.name}:\n  generic {gc}\n  bulk    {bc}")
                    gt, bt = _compiled(gc.type, dialect), _compiled(bc.type, dialect)
                    if gt != bt or type(gc.type) is not type(bc.type):
                        out.append(f"{key}.{gc.name} type: {gc.type!r} != {bc.type!r}")
            elif gv != bv:
                out.append(f"{key} {field.name}:\n  generic {gv}\n  bulk    {bv}")
    return out


def _compiled(type_: sa.types.TypeEngine[Any], dialect: sa.Dialect) -> str:
    if isinstance(type_, sa.types.NullType):
        return "NULLTYPE"  # an unknown type (GEOMETRY) has no DDL
    return str(type_.compile(dialect=dialect))


def _assert_same(conn: sa.Connection, **kw: Any) -> SchemaSnapshot:
    with warnings.catch_warnings():
        # both paths warn alike about types SQLAlchemy does not know (GEOMETRY)
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        generic = reflect_snapshot(conn, use_bulk=False, **kw)
        bulk = reflect_snapshot(conn, use_bulk=True, **kw)
    diffs = _differences(conn.dialect, generic, bulk)
    assert not diffs, "bulk snapshot differs from the generic one:\n" + "\n".join(diffs)
    return bulk


def _is_mariadb(conn: sa.Connection) -> bool:
    return bool(getattr(conn.dialect, "is_mariadb", False))


def _rich_metadata() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table(
        "parent",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("region", sa.String(10), nullable=False),
        sa.Column("code", sa.String(20), nullable=False, unique=True),
        sa.Column("name", sa.String(100, collation="utf8mb4_bin"), comment="it's \\ a\nname"),
        sa.Column("latin", mysql.VARCHAR(30, charset="latin1")),
        sa.Column("latin_bin", mysql.VARCHAR(30, charset="latin1", collation="latin1_bin")),
        sa.Column("national", mysql.NVARCHAR(12)),
        sa.Column("kind", sa.Enum("a", "b'c", "d e", name="kind"), server_default="a"),
        sa.Column("flags", mysql.SET("x", "y", "z"), server_default="x,y"),
        sa.Column("doc", sa.JSON),
        sa.Column("uid", sa.Uuid),
        sa.UniqueConstraint("region", "code", name="uq_parent_region_code"),
        sa.Index("ix_parent_name_prefix", "name", mysql_length=10),
        sa.Index("ux_parent_latin", "latin", unique=True),
        sa.Index("ft_parent_name", "name", mysql_prefix="FULLTEXT"),
        comment="parents' table \\ with\ncomment",
    )
    sa.Table(
        "kitchen_sink",
        md,
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("parent.id", name="fk_sink_parent")),
        # the table is utf8mb4_bin; FK columns must match the parent's collation
        sa.Column("region", sa.String(10, collation="utf8mb4_general_ci")),
        sa.Column("code", sa.String(20, collation="utf8mb4_general_ci")),
        sa.Column("mom_id", sa.BigInteger),
        sa.Column("small", sa.SmallInteger, server_default=sa.text("-1")),
        sa.Column("tiny", mysql.TINYINT(1), server_default=sa.text("1")),
        sa.Column("flag", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("medium", mysql.MEDIUMINT(unsigned=True)),
        sa.Column("uint", mysql.INTEGER(unsigned=True), server_default="7"),
        sa.Column("zf", mysql.INTEGER(display_width=5, zerofill=True)),
        sa.Column("big_u", mysql.BIGINT(unsigned=True)),
        sa.Column("money", sa.Numeric(10, 2), server_default=sa.text("0.00")),
        sa.Column("udec", mysql.DECIMAL(8, 3, unsigned=True)),
        sa.Column("ratio", sa.Float, server_default=sa.text("1.5")),
        sa.Column("dbl", mysql.DOUBLE),
        sa.Column("fl73", mysql.FLOAT(7, 3)),
        sa.Column("born", sa.Date, server_default=sa.text("(curdate())")),
        sa.Column("created", sa.DateTime, server_default=sa.func.current_timestamp()),
        sa.Column(
            "updated",
            mysql.TIMESTAMP(fsp=3),
            nullable=False,
            server_default=sa.text("CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)"),
        ),
        sa.Column("precise", mysql.DATETIME(fsp=6), server_default="2020-01-02 03:04:05.123456"),
        sa.Column(
            "touched",
            sa.DateTime,
            server_default=sa.text("'2020-01-01 00:00:00' ON UPDATE CURRENT_TIMESTAMP"),
        ),
        sa.Column("at", sa.Time),
        sa.Column("at2", mysql.TIME(fsp=2)),
        sa.Column("yr", mysql.YEAR),
        sa.Column("label", sa.String(40), server_default="it's"),
        sa.Column("path", sa.String(40), server_default="a\\b"),
        sa.Column("expr", sa.Integer, server_default=sa.text("(1 + 1)")),
        sa.Column("concat", sa.String(40), server_default=sa.text("(concat('a', 'b'))")),
        sa.Column("nulldef", sa.Integer, server_default=sa.text("NULL")),
        sa.Column("fixed", sa.CHAR(3), server_default="a b"),
        sa.Column("body", sa.Text),
        sa.Column("tiny_text", mysql.TINYTEXT),
        sa.Column("med_text", mysql.MEDIUMTEXT(collation="utf8mb4_unicode_ci")),
        sa.Column("long_text", mysql.LONGTEXT),
        sa.Column("blob", sa.LargeBinary),
        sa.Column("tiny_blob", mysql.TINYBLOB),
        sa.Column("med_blob", mysql.MEDIUMBLOB),
        sa.Column("long_blob", mysql.LONGBLOB),
        sa.Column("vbin", sa.VARBINARY(16)),
        sa.Column("bin", sa.BINARY(4), server_default="ab"),
        sa.Column("bits", mysql.BIT(3), server_default=sa.text("b'101'")),
        sa.Column("payload", sa.JSON, comment="json"),
        sa.Column("positive", sa.Integer, sa.CheckConstraint("positive > 0"), comment="col ck"),
        sa.Column("plus_one", sa.Integer, sa.Computed("small + 1")),
        sa.Column("shout", sa.String(50), sa.Computed("upper(label)", persisted=True), comment="g"),
        sa.ForeignKeyConstraint(
            ["region", "code"],
            ["parent.region", "parent.code"],
            name="fk_sink_parent_code",
            ondelete="CASCADE",
            onupdate="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["mom_id"], ["kitchen_sink.id"], name="fk_sink_mom", ondelete="SET NULL"
        ),
        sa.CheckConstraint("money >= 0", name="ck_sink_money"),
        sa.CheckConstraint("small < 100"),
        sa.Index("ix_sink_multi", "small", "tiny"),
        sa.Index("ix_sink_body", "body", mysql_length=20),
        mysql_collate="utf8mb4_bin",
    )
    sa.Table(
        "no_pk",
        md,
        sa.Column("a", sa.Integer, nullable=False),
        sa.Column("b", sa.String(10)),
        sa.Column("parent_id", sa.Integer),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["parent.id"], name="fk_nopk_restrict", ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["a"],
            ["parent.id"],
            name="fk_nopk_noaction",
            onupdate="NO ACTION",
            ondelete="NO ACTION",
        ),
        sa.UniqueConstraint("a", name="uq_nopk_a"),
    )
    sa.Table(
        "heap",
        md,
        sa.Column("x", sa.Integer),
        sa.Column("y", sa.Unicode(20)),
        mysql_charset="latin1",
    )
    return md


# What SQLAlchemy cannot emit from a MetaData, as DDL, with the MariaDB
# version each needs.
_MARIADB_DDL = [
    (10, 6),
    "CREATE TABLE quirks ("
    " id INT PRIMARY KEY,"
    # SQLAlchemy's column parse gives up on these defaults, losing the comments
    " c1 VARCHAR(40) DEFAULT concat('a','b)') COMMENT 'lost',"
    " d1 DATETIME DEFAULT '2020-01-01 00:00:00' ON UPDATE current_timestamp() COMMENT 'lost',"
    " d2 TIMESTAMP NULL DEFAULT NULL ON UPDATE current_timestamp() COMMENT 'lost',"
    " n9 DOUBLE DEFAULT 1e20 COMMENT 'kept',"
    " t1 TEXT,"
    " hidden INT INVISIBLE DEFAULT 3 COMMENT 'lost',"
    # a greedy generated-expression parse swallows these comments and CHECKs
    " g3 INT AS (id * 2) VIRTUAL COMMENT 'x (y) z',"
    " g4 DOUBLE AS (n9 + 1) VIRTUAL CHECK (g4 > 0),"
    " g5 JSON AS (json_object('a', id)) STORED,"
    " g6 INT AS (id - 1) VIRTUAL INVISIBLE COMMENT 'g',"
    " UNIQUE KEY ux_quirks_t1 (t1) USING HASH,"
    " KEY ix_quirks_ignored (n9) IGNORED,"
    " KEY ix_quirks_mixed (c1(5), n9) COMMENT 'ix comment',"
    " CONSTRAINT ck_quirks CHECK (n9 > 0 OR n9 IS NULL)"
    ") COMMENT 'q'",
    (10, 8),
    "CREATE INDEX ix_quirks_desc ON quirks (n9 DESC, id)",
    (10, 2),
    "CREATE TABLE shapes (id INT PRIMARY KEY, g GEOMETRY NOT NULL, SPATIAL KEY sx_shapes (g))",
    # SQLAlchemy leaves doubled backticks in names, and skips a foreign key
    # whose REFERENCES clause quotes one
    "CREATE TABLE `odd``names` (`i``d` INT PRIMARY KEY, `r``ef` INT, v VARCHAR(20),"
    " KEY `ix``v` (v(3)), CONSTRAINT `ck``odd` CHECK (`i``d` > 0),"
    " CONSTRAINT `fk``odd` FOREIGN KEY (`r``ef`) REFERENCES `odd``names` (`i``d`))",
    "CREATE TABLE latin ("
    " en ENUM('a,b','c)d','','x''y') DEFAULT '', st SET('','p','q') DEFAULT '',"
    " s1 VARCHAR(30) DEFAULT 'x ON UPDATE y' COMMENT 'has ''quote'', \\\\ and ( paren )',"
    " s2 VARCHAR(30) DEFAULT '' COMMENT 'trailing paren)',"
    " n2 DECIMAL(5,2) DEFAULT -0.5, n3 FLOAT(7,3) UNSIGNED, n4 DOUBLE(8,2) DEFAULT 3.14,"
    " t1 TIMESTAMP(6) NULL DEFAULT current_timestamp(6),"
    " t2 DATETIME(3) NOT NULL DEFAULT '2001-01-01 00:00:00.000' ON UPDATE current_timestamp(3),"
    " t3 TIMESTAMP NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp() COMMENT 'x',"
    " t4 TIMESTAMP NULL ON UPDATE current_timestamp(),"
    " u1 VARCHAR(10) COLLATE utf8mb4_unicode_ci DEFAULT (lower('ABC')),"
    " u2 TEXT DEFAULT 'txt', c1 CHAR(1) CHARACTER SET ascii, c2 VARCHAR(5) CHARACTER SET utf8mb3,"
    " g1 VARCHAR(20) AS (concat(s1, ')')) VIRTUAL COMMENT 'par ) en',"
    " g2 INT AS (n2 * 2) PERSISTENT, b1 BIT(1) DEFAULT b'1', y1 YEAR DEFAULT 2000,"
    " x1 INT(3) ZEROFILL DEFAULT 7, x2 TINYINT UNSIGNED DEFAULT 255, x3 SMALLINT(2),"
    " UNIQUE KEY (c1, c2), FULLTEXT KEY ft (s1, s2)"
    ") DEFAULT CHARSET=latin1 COMMENT='multi\\nline\ttab'",
    (10, 7),
    "CREATE TABLE newer (id INT PRIMARY KEY, i6 INET6, uu UUID DEFAULT uuid(),"
    # SQLAlchemy stops reading the line at the COMPRESSED comment
    " a VARCHAR(100) COMPRESSED NOT NULL DEFAULT 'x' COMMENT 'c', b BLOB COMPRESSED)",
    (10, 3),
    "CREATE SEQUENCE seq_versioned",
    # system versioning words end SQLAlchemy's read of a column line early
    "CREATE TABLE versioned ("
    " id INT AUTO_INCREMENT PRIMARY KEY WITHOUT SYSTEM VERSIONING COMMENT 'lost',"
    " t TIMESTAMP NULL DEFAULT NULL ON UPDATE current_timestamp() WITHOUT SYSTEM VERSIONING,"
    " n INT DEFAULT nextval(seq_versioned) COMMENT 'lost', v INT,"
    " rs TIMESTAMP(6) GENERATED ALWAYS AS ROW START, re TIMESTAMP(6) GENERATED ALWAYS AS ROW END,"
    " PERIOD FOR SYSTEM_TIME(rs, re)) WITH SYSTEM VERSIONING",
]


def test_rich_schema_matches_generic(engine, backend):
    if backend != "mysql":
        pytest.skip("MySQL catalog reader")
    with engine.begin() as conn:
        mariadb = _is_mariadb(conn)
        _rich_metadata().create_all(conn)
        version = conn.dialect.server_version_info or ()
        needs: tuple[int, ...] = ()
        for item in _MARIADB_DDL if mariadb else ():
            if isinstance(item, tuple):
                needs = item
            elif version >= needs:
                conn.exec_driver_sql(item)
    with engine.connect() as conn:
        # the backend package loads on first use and registers its reader
        assert conn.dialect.name in default_registries().backend(conn.dialect.name).reflectors
        snapshot = _assert_same(conn)
    sink = snapshot.tables[(None, "kitchen_sink")]
    # the schema really exercises what it claims to
    assert {f.name for f in sink.foreign_keys} == {
        "fk_sink_parent",
        "fk_sink_parent_code",
        "fk_sink_mom",
    }
    assert sink.column("shout") is not None and sink.column("shout").computed is not None
    assert snapshot.tables[(None, "no_pk")].primary_key is None
    assert any(u.name == "uq_parent_region_code" for u in snapshot.tables[(None, "parent")].uniques)
    # a few tables only: the server filters by name instead of reading everything
    few = {"parent", "kitchen_sink"}
    with engine.connect() as conn:
        subset = _assert_same(conn, include_table_name=lambda name, schema: name in few)
    assert {name for _, name in subset.tables} == few
    assert subset.tables[(None, "kitchen_sink")] == sink
    if mariadb:
        odd = snapshot.tables[(None, "odd`names")]
        assert [c.name for c in odd.columns][:2] == ["i``d", "r``ef"]
        assert odd.foreign_keys == ()
        assert {"latin", "shapes", "versioned"} <= {name for _, name in snapshot.tables}


@pytest.fixture
def second_database(database, engine) -> Iterator[str]:
    name = f"{database.url.database}_x"
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE `{name}`")
    try:
        yield name
    finally:
        with engine.connect() as conn:
            conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")  # the test's database refers here
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")


def test_foreign_keys_across_databases_match_generic(engine, backend, request):
    if backend != "mysql":
        pytest.skip("MySQL catalog reader")
    other = request.getfixturevalue("second_database")
    home = engine.url.database
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE home (id INT PRIMARY KEY)")
        conn.exec_driver_sql(
            f"CREATE TABLE `{other}`.away (id INT PRIMARY KEY, home_id INT, self_id INT,"
            f" CONSTRAINT fk_away_home FOREIGN KEY (home_id) REFERENCES `{home}`.home (id)"
            " ON DELETE CASCADE,"
            f" CONSTRAINT fk_away_self FOREIGN KEY (self_id) REFERENCES `{other}`.away (id))"
        )
        conn.exec_driver_sql(
            f"CREATE TABLE back (id INT PRIMARY KEY, away_id INT,"
            f" CONSTRAINT fk_back_away FOREIGN KEY (away_id) REFERENCES `{other}`.away (id))"
        )
    with engine.connect() as conn:
        snapshot = _assert_same(conn, schemas=(None, other))
    away = snapshot.tables[(other, "away")]
    assert {(f.name, f.referred_schema) for f in away.foreign_keys} == {
        ("fk_away_home", None),
        ("fk_away_self", other),
    }
    back = snapshot.tables[(None, "back")]
    assert [(f.referred_schema, f.referred_table) for f in back.foreign_keys] == [(other, "away")]


def _numbered_tables(md: sa.MetaData, start: int, stop: int) -> None:
    for i in range(start, stop):
        sa.Table(
            f"t{i:03d}",
            md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("ref_id", sa.Integer, sa.ForeignKey(f"t{max(i - 1, 0):03d}.id")),
            sa.Column("name", sa.String(30), unique=True, server_default="n"),
            sa.Column("doc", sa.JSON),
            sa.CheckConstraint("ref_id > 0", name=f"ck_t{i:03d}"),
            sa.Index(f"ix_t{i:03d}_ref", "ref_id", "name"),
        )


@contextmanager
def _statements(conn: sa.Connection) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    sa.event.listen(conn, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(conn, "before_cursor_execute", record)


def test_statement_count_does_not_grow_with_tables(engine, backend):
    if backend != "mysql":
        pytest.skip("MySQL catalog reader")
    md = sa.MetaData()
    _numbered_tables(md, 0, 3)
    with engine.begin() as conn:
        md.create_all(conn)
    with engine.connect() as conn:
        reflect_snapshot(conn)  # warm the dialect's first-connect caches
        with _statements(conn) as few:
            small = reflect_snapshot(conn)
    _numbered_tables(md, 3, 30)
    with engine.begin() as conn:
        md.create_all(conn)
    with engine.connect() as conn:
        with _statements(conn) as many:
            large = reflect_snapshot(conn)
        _assert_same(conn)
    assert (len(small), len(large)) == (3, 30)
    assert len(few) == len(many), f"{len(few)} statements for 3 tables, {len(many)} for 30"
    catalog = [s for s in many if "information_schema" in s]
    assert len(catalog) <= 8, "\n".join(many)
