"""How long a busy writer waits while an index is built: plain vs ``safe_migrations``.

``python -m benchmarks.writer_stall [--backend postgresql] [--rows N]`` (or
``make bench BENCH_ARGS="--suite stall"``) fills a table with N rows (1M by
default) in a scratch schema / database, starts a second connection that
keeps inserting and updating rows one statement at a time (autocommit, as
an application would), and builds an index through schemadiff's
``op.create_index`` twice: once plain, once with ``safe_migrations=True``
(PostgreSQL: ``CREATE INDEX CONCURRENTLY``; MariaDB/MySQL: ``ALGORITHM=
INPLACE, LOCK=NONE``).  The figure is the writer's worst stall: the
longest a single write statement took while the build ran (with the time
the build took, and the writes done meanwhile, for scale).
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from benchmarks.compare import backend_url
from benchmarks.report import format_table, log
from schemadiff.operations import Operations, activate
from schemadiff.runtime.migration import MigrationContext, MigrationOptions

BACKENDS = ("postgresql", "mysql")
DEFAULT_ROWS = 1_000_000
#: how long the writer runs alone before and after the build
SETTLE_SECONDS = 1.0


@dataclass
class StallCase:
    backend: str
    mode: str  # "plain" or "safe"
    rows: int
    build_seconds: float
    worst_stall_seconds: float
    writes_during_build: int
    #: the writer's worst statement when nothing else runs, for scale
    baseline_stall_seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Writer(threading.Thread):
    """One connection writing as fast as it can; each statement's time is kept."""

    def __init__(self, engine: sa.Engine, rows: int, first_id: int) -> None:
        super().__init__(daemon=True)
        self.engine = engine
        self.rows = rows
        self.first_id = first_id
        self.stop = threading.Event()
        #: (start, end) of every write, perf_counter seconds
        self.spans: list[tuple[float, float]] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        rng = random.Random(7)
        next_id = self.first_id
        try:
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                while not self.stop.is_set():
                    start = time.perf_counter()
                    if rng.random() < 0.5:
                        conn.exec_driver_sql(
                            f"INSERT INTO busy (id, k, v) VALUES ({next_id}, {next_id // 1000}, 'w')"
                        )
                        next_id += 1
                    else:
                        key = rng.randint(1, self.rows)
                        conn.exec_driver_sql(f"UPDATE busy SET v = 'u' WHERE id = {key}")
                    self.spans.append((start, time.perf_counter()))
        except BaseException as exc:  # reported by the caller, not lost in a thread
            self.error = exc

    def worst(self, since: float, until: float) -> tuple[float, int]:
        """The longest write overlapping [since, until], and how many writes ended inside it."""
        inside = [(s, e) for s, e in self.spans if e >= since and s <= until]
        worst = max((e - s for s, e in inside), default=0.0)
        return worst, sum(1 for _, e in inside if e <= until)


@contextmanager
def scratch(backend: str) -> Iterator[sa.Engine]:
    url = sa.make_url(backend_url(backend))
    name = f"sd_stall_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(
            f"CREATE SCHEMA {name}" if backend == "postgresql" else f"CREATE DATABASE {name}"
        )
    if backend == "postgresql":
        target = url.update_query_dict({"options": f"-csearch_path={name}"})
    else:
        target = url.set(database=name)
    engine = sa.create_engine(target, pool_size=4)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(
                f"DROP SCHEMA {name} CASCADE"
                if backend == "postgresql"
                else f"DROP DATABASE {name}"
            )
        admin.dispose()


def fill(engine: sa.Engine, backend: str, rows: int) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE busy (id INTEGER PRIMARY KEY, k INTEGER, v VARCHAR(40))")
        if backend == "postgresql":
            conn.exec_driver_sql(
                "INSERT INTO busy SELECT g, mod(g, 1000), md5(g::text) "
                f"FROM generate_series(1, {rows}) g"
            )
            conn.exec_driver_sql("ANALYZE busy")
        else:
            conn.exec_driver_sql(
                f"INSERT INTO busy SELECT seq, mod(seq, 1000), md5(seq) FROM seq_1_to_{rows}"
            )


def build_index(engine: sa.Engine, safe: bool) -> None:
    """``op.create_index`` in one migration transaction, as ``upgrade`` runs it."""
    with engine.connect() as conn:
        mc = MigrationContext(conn.dialect, conn, MigrationOptions(safe_migrations=safe))
        operations = Operations(mc)
        with mc.begin_transaction(), activate(operations):
            operations.create_index("ix_busy_v", "busy", ["v"])


def drop_index(engine: sa.Engine, backend: str) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "DROP INDEX ix_busy_v" if backend == "postgresql" else "DROP INDEX ix_busy_v ON busy"
        )


def measure(backend: str, rows: int) -> list[StallCase]:
    out: list[StallCase] = []
    with scratch(backend) as engine:
        log(f"stall: filling {rows:,} rows on {backend}")
        fill(engine, backend, rows)
        for run, mode in enumerate(("plain", "safe")):
            writer = Writer(engine, rows, first_id=rows + 1 + run * 10_000_000)
            writer.start()
            time.sleep(SETTLE_SECONDS)
            start = time.perf_counter()
            build_index(engine, safe=mode == "safe")
            end = time.perf_counter()
            time.sleep(SETTLE_SECONDS)
            writer.stop.set()
            writer.join()
            if writer.error is not None:
                raise writer.error
            worst, writes = writer.worst(start, end)
            baseline, _ = writer.worst(start - SETTLE_SECONDS, start - 0.05)
            case = StallCase(backend, mode, rows, end - start, worst, writes, baseline)
            log(
                f"stall: {backend} {mode}: build {case.build_seconds:.2f}s, worst stall {worst:.3f}s"
            )
            out.append(case)
            drop_index(engine, backend)
    return out


def run_suite(backends: Sequence[str], rows: int = DEFAULT_ROWS) -> list[StallCase]:
    cases: list[StallCase] = []
    for backend in backends:
        if backend in BACKENDS:
            cases.extend(measure(backend, rows))
    return cases


def format_results(cases: Sequence[StallCase]) -> str:
    headers = ["backend", "index build", "rows", "build s", "worst write s", "writes meanwhile"]
    body = [
        [
            c.backend,
            c.mode,
            f"{c.rows:,}",
            f"{c.build_seconds:.2f}",
            f"{c.worst_stall_seconds:.3f}",
            str(c.writes_during_build),
        ]
        for c in cases
    ]
    baseline = max((c.baseline_stall_seconds for c in cases), default=0.0)
    return (
        "Writer stall while an index is built (plain vs safe_migrations):\n"
        + format_table(headers, body)
        + f"\n(worst write with no build running: {baseline:.3f}s)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.writer_stall", description=__doc__)
    parser.add_argument("--backend", action="append", choices=BACKENDS)
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    args = parser.parse_args(argv)
    print(format_results(run_suite(args.backend or ["postgresql"], args.rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
