"""Which enum changes rewrite a table on PostgreSQL: measured, not assumed.

``python -m benchmarks.enum_rewrites [URL] [--rows N]`` builds a table with
an enum column (indexed) in a scratch schema, runs each of schemadiff's
``alter_enum`` paths through a real migration context, and reads
``pg_relation_filenode`` of the table and its index before and after: a
new file node means PostgreSQL wrote the table (or index) anew.  It prints
one line per path with the time it took.
"""

from __future__ import annotations

import argparse
import time
import uuid

import sqlalchemy as sa

from schemadiff.operations import Operations, activate
from schemadiff.ops import AlterEnumOp
from schemadiff.runtime.migration import MigrationContext, MigrationOptions

CASES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("ADD VALUE at the end", ("a", "b", "c"), ("a", "b", "c", "d")),
    ("ADD VALUE ... BEFORE", ("a", "b", "c"), ("z", "a", "b", "c")),
    ("ADD VALUE ... AFTER", ("a", "b", "c"), ("a", "m", "b", "c")),
    ("recreate: value removed", ("a", "b", "c", "d"), ("a", "b", "c")),
    ("recreate: values reordered", ("a", "b", "c"), ("c", "b", "a")),
)


def _nodes(conn: sa.Connection) -> tuple[int, int]:
    row = conn.exec_driver_sql(
        "SELECT pg_relation_filenode('item'), pg_relation_filenode('ix_item_status')"
    ).one()
    return int(row[0]), int(row[1])


def measure(url: str, rows: int) -> list[tuple[str, bool, bool, float]]:
    schema = f"sd_enum_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    engine = sa.create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    out: list[tuple[str, bool, bool, float]] = []
    try:
        for label, old, new in CASES:
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP TABLE IF EXISTS item; DROP TYPE IF EXISTS status")
                values = ", ".join(f"'{v}'" for v in old)
                conn.exec_driver_sql(f"CREATE TYPE status AS ENUM ({values})")
                conn.exec_driver_sql("CREATE TABLE item (id int PRIMARY KEY, s status)")
                conn.exec_driver_sql("CREATE INDEX ix_item_status ON item (s)")
                conn.exec_driver_sql(
                    f"INSERT INTO item SELECT g, '{old[0]}' FROM generate_series(1, {rows}) g"
                )
                before = _nodes(conn)
            with engine.connect() as conn:
                mc = MigrationContext(conn.dialect, conn, MigrationOptions())
                operations = Operations(mc)
                started = time.perf_counter()
                with mc.begin_transaction(), activate(operations):
                    operations.invoke(AlterEnumOp("status", new, old))
                took = time.perf_counter() - started
            with engine.connect() as conn:
                after = _nodes(conn)
            out.append((label, after[0] != before[0], after[1] != before[1], took))
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default="postgresql+psycopg://postgres@127.0.0.1/test")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    print(f"{'path':<28} {'table rewritten':<16} {'index rebuilt':<14} seconds ({args.rows} rows)")
    for label, table, index, took in measure(args.url, args.rows):
        print(
            f"{label:<28} {'yes' if table else 'no':<16} {'yes' if index else 'no':<14} {took:.3f}"
        )


if __name__ == "__main__":
    main()
