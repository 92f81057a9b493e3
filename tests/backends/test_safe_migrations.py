"""``safe_migrations=True`` on every backend: online, offline, and what it leaves alone."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from schemadiff import command
from schemadiff.errors import ConfigError, MigrationError
from schemadiff.runtime.safe import lock_timeout_ms
from tests.backends.object_support import Loop
from tests.operations.support import index_map, migration, rows

SAFE = {"safe_migrations": True}


def _before() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table("owner", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "item",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("owner_id", sa.Integer),
        sa.Column("price", sa.Integer),
    )
    return md


def _after(constraints: bool = True) -> sa.MetaData:
    md = sa.MetaData()
    sa.Table("owner", md, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "item",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("owner_id", sa.Integer),
        sa.Column("price", sa.Integer),
        sa.Column("note", sa.String(40)),
        *(
            [
                sa.ForeignKeyConstraint(["owner_id"], ["owner.id"], name="fk_item_owner"),
                sa.CheckConstraint("price >= 0", name="ck_item_price"),
            ]
            if constraints
            else []
        ),
        sa.Index("ix_item_price", "price"),
    )
    sa.Table(
        "tag",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("item.id")),
        sa.Index("ix_tag_item", "item_id"),
    )
    return md


def _fill(loop: Loop) -> None:
    with loop.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO owner (id) VALUES (1), (2)")
        conn.exec_driver_sql(
            "INSERT INTO item (id, owner_id, price) VALUES (1, 1, 10), (2, 2, 0), (3, NULL, 5)"
        )


def _offline(
    loop: Loop, model: sa.MetaData, *, safe: bool, downgrade: bool = False, timeout: str = ""
) -> str:
    """``upgrade --sql`` (or ``downgrade head:base --sql``), the option from the config file:
    the offline env.py passes no extra options to configure()."""
    cfg = loop.config(model)
    cfg.stdout = io.StringIO()
    out = io.StringIO()
    cfg.attributes["output_buffer"] = out
    if safe:
        cfg.set_main_option("safe_migrations", "true")
    if timeout:
        cfg.set_main_option("safe_lock_timeout", timeout)
    if downgrade:
        command.downgrade(cfg, "head:base", sql=True)
    else:
        command.upgrade(cfg, "head", sql=True)
    return out.getvalue() or str(cfg.stdout.getvalue())


@contextmanager
def _statements(engine: sa.Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(" ".join(statement.split()))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def test_generated_migration_runs_safely_and_round_trips(loop: Loop) -> None:
    loop.options.update(SAFE)
    loop.generate(_before, _after)
    _fill(loop)
    loop.upgrade(_after)
    assert rows(loop.engine, "SELECT id, price FROM item ORDER BY id") == [(1, 10), (2, 0), (3, 5)]
    if loop.database.backend == "postgresql":
        assert rows(
            loop.engine,
            "SELECT conname, convalidated FROM pg_constraint WHERE conrelid = 'item'::regclass "
            "AND contype IN ('f', 'c') ORDER BY 1",
        ) == [("ck_item_price", True), ("fk_item_owner", True)]
        assert rows(
            loop.engine,
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_item_price'::regclass",
        ) == [(True,)]
    loop.downgrade(_before)


def test_offline_script_says_what_runs(loop: Loop) -> None:
    backend = loop.database.backend
    # SQLite rebuilds a table for a new constraint, which offline needs copy_from for
    constraints = backend != "sqlite"
    loop.generate(_before, lambda: _after(constraints))
    safe_sql = _offline(loop, _after(constraints), safe=True)
    plain_sql = _offline(loop, _after(constraints), safe=False)
    if backend == "sqlite":
        assert safe_sql == plain_sql  # nothing to gain with one writer
        return
    if backend == "postgresql":
        assert "SET lock_timeout = '5000ms';" in safe_sql
        assert "CREATE INDEX CONCURRENTLY ix_item_price ON item (price);" in safe_sql
        # the index build runs between a COMMIT and the next BEGIN, without the timeout
        assert (
            "COMMIT;\n\nSET lock_timeout = 0;\n\n"
            "CREATE INDEX CONCURRENTLY ix_item_price ON item (price);\n\n"
            "SET lock_timeout = '5000ms';\n\nBEGIN;"
        ) in safe_sql
        assert "REFERENCES owner (id) NOT VALID;" in safe_sql
        assert "CHECK (price >= 0) NOT VALID;" in safe_sql
        assert "ALTER TABLE item VALIDATE CONSTRAINT fk_item_owner;" in safe_sql
        # a table the migration creates gets the plain build
        assert "CREATE INDEX ix_tag_item ON tag (item_id);" in safe_sql
        assert "CONCURRENTLY" not in plain_sql and "NOT VALID" not in plain_sql
    else:
        assert "SET SESSION lock_wait_timeout = 5;" in safe_sql
        assert "CREATE INDEX ix_item_price ON item (price) ALGORITHM=INPLACE LOCK=NONE;" in safe_sql
        assert "ADD COLUMN note VARCHAR(40), ALGORITHM=INPLACE, LOCK=NONE;" in safe_sql
        assert "CREATE INDEX ix_tag_item ON tag (item_id);" in safe_sql
        assert "ALGORITHM" not in plain_sql


def test_downgrade_drops_indexes_online(loop: Loop) -> None:
    # (no constraints on MariaDB: once a test in the same worker has imported Alembic,
    # its compiler hook for MySQL's DROP CONSTRAINT rejects offline compile arguments)
    constraints = loop.database.backend == "postgresql"
    loop.generate(_before, lambda: _after(constraints))
    out = _offline(loop, _before(), safe=True, downgrade=True)
    if loop.database.backend == "postgresql":
        assert "DROP INDEX CONCURRENTLY ix_item_price;" in out
    elif loop.database.backend == "mysql":
        assert "ALTER TABLE item DROP INDEX ix_item_price, ALGORITHM=INPLACE, LOCK=NONE;" in out
    else:
        assert out == _offline(loop, _before(), safe=False, downgrade=True)


def test_explicit_choices_and_new_tables_are_left_alone(engine: sa.Engine, backend: str) -> None:
    if backend == "sqlite":
        pytest.skip("no safe rules on SQLite")
    with engine.begin() as conn:
        _before().create_all(conn)
    with _statements(engine) as seen, migration(engine, **SAFE) as op:
        op.create_table("fresh", sa.Column("id", sa.Integer, primary_key=True))
        op.create_index("ix_fresh_id", "fresh", ["id"])
        op.create_index("ix_item_owner", "item", ["owner_id"])
        with op.get_context().autocommit_block():  # asked for explicitly: as written
            op.create_index(
                "ix_item_both", "item", ["owner_id", "price"], postgresql_concurrently=True
            )
    ddl = [s for s in seen if s.startswith("CREATE INDEX")]
    if backend == "postgresql":
        assert ddl == [
            "CREATE INDEX ix_fresh_id ON fresh (id)",
            "CREATE INDEX CONCURRENTLY ix_item_owner ON item (owner_id)",
            "CREATE INDEX CONCURRENTLY ix_item_both ON item (owner_id, price)",
        ]
    else:
        assert ddl[1] == "CREATE INDEX ix_item_owner ON item (owner_id) ALGORITHM=INPLACE LOCK=NONE"
    assert {"ix_fresh_id"} <= set(index_map(engine, "fresh"))


def test_hand_written_autocommit_block_is_not_nested(engine: sa.Engine, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("PostgreSQL's CONCURRENTLY")
    with engine.begin() as conn:
        _before().create_all(conn)
    with migration(engine, **SAFE) as op:
        with op.get_context().autocommit_block():
            op.create_index("ix_item_price", "item", ["price"])
        op.add_column("item", sa.Column("note", sa.String(10)))
    assert "ix_item_price" in index_map(engine, "item")


def test_partitioned_tables_get_the_plain_build(engine: sa.Engine, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("PostgreSQL's partitioned tables")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE part (id INTEGER, k INTEGER) PARTITION BY RANGE (id)")
        conn.exec_driver_sql("CREATE TABLE part_1 PARTITION OF part FOR VALUES FROM (0) TO (1000)")
    with _statements(engine) as seen, migration(engine, **SAFE) as op:
        op.create_index("ix_part_k", "part", ["k"])
    with migration(engine, **SAFE) as op:
        op.drop_index("ix_part_k", table_name="part")
    assert "CREATE INDEX ix_part_k ON part (k)" in seen
    assert "ix_part_k" not in index_map(engine, "part")


def test_mysql_rules_keep_the_plain_ddl_where_it_would_lock(
    engine: sa.Engine, backend: str
) -> None:
    if backend != "mysql":
        pytest.skip("MySQL / MariaDB rules")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE doc (id INT PRIMARY KEY, body TEXT) ENGINE=InnoDB")
    with _statements(engine) as seen, migration(engine, **SAFE) as op:
        # a first FULLTEXT index rebuilds the table: never sent with LOCK=NONE
        op.create_index("ft_doc_body", "doc", ["body"], mysql_prefix="FULLTEXT")
        # an auto-increment column needs a copy: the plain path
        op.add_column("doc", sa.Column("seq", sa.Integer, unique=True))
    assert not [s for s in seen if "LOCK=NONE" in s]
    assert "ft_doc_body" in index_map(engine, "doc")


def test_lock_timeout_is_set_per_migration(loop: Loop) -> None:
    if loop.database.backend != "postgresql":
        pytest.skip("read back through SHOW lock_timeout")
    loop.generate(_before, _after)
    out = _offline(loop, _after(), safe=True, timeout="750ms")
    assert "SET lock_timeout = '750ms';" in out


def test_lock_timeout_turns_a_wait_into_a_failure(loop: Loop) -> None:
    if loop.database.backend != "postgresql":
        pytest.skip("PostgreSQL's lock_timeout")
    loop.options.update(SAFE, safe_lock_timeout="200ms")
    loop.generate(_before, _after)
    blocker = loop.engine.connect()
    blocker.exec_driver_sql("BEGIN")
    blocker.exec_driver_sql("LOCK TABLE item IN ACCESS EXCLUSIVE MODE")
    # a safety net: without the timeout the upgrade would wait for this connection
    release = threading.Timer(60, blocker.rollback)
    release.start()
    try:
        with pytest.raises(MigrationError, match="lock timeout"):
            command.upgrade(loop.config(_after()), "head")
    finally:
        release.cancel()
        blocker.rollback()
        blocker.close()
    loop.upgrade(_after)


def test_lock_timeout_values() -> None:
    assert lock_timeout_ms("5s") == 5000
    assert lock_timeout_ms("250ms") == 250
    assert lock_timeout_ms("2min") == 120_000
    assert lock_timeout_ms("40") == 40
    with pytest.raises(ConfigError, match="safe_lock_timeout"):
        lock_timeout_ms("5s; DROP TABLE x")


def test_mysql_falls_back_when_the_server_refuses(
    engine: sa.Engine, backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    if backend != "mysql":
        pytest.skip("MySQL / MariaDB rules")
    with engine.begin() as conn:  # MyISAM has no online DDL at all
        conn.exec_driver_sql("CREATE TABLE flat (id INT PRIMARY KEY, k INT) ENGINE=MyISAM")
    with _statements(engine) as seen, migration(engine, **SAFE) as op:
        op.create_index("ix_flat_k", "flat", ["k"])
        op.add_column("flat", sa.Column("note", sa.String(10)))
    assert [s for s in seen if "flat" in s] == [
        "CREATE INDEX ix_flat_k ON flat (k) ALGORITHM=INPLACE LOCK=NONE",
        "CREATE INDEX ix_flat_k ON flat (k)",
        "ALTER TABLE flat ADD COLUMN note VARCHAR(10), ALGORITHM=INPLACE, LOCK=NONE",
        "ALTER TABLE flat ADD COLUMN note VARCHAR(10)",
    ]
    assert "ix_flat_k" in index_map(engine, "flat")
    assert "Not possible without locking the table" in caplog.text
