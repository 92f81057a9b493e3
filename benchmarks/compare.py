"""Time a full autogenerate comparison, schemadiff against Alembic.

For each backend and schema size N the generated schema
(:func:`benchmarks.schema_gen.build_metadata`) is created in an isolated
scratch schema (PostgreSQL), database (MariaDB/MySQL) or file (SQLite), then
the database is compared with that same MetaData by both tools, with type and
server-default comparison on.  Since database and model are identical every
reported difference is a false positive, which is why the differences are
counted and printed next to the timings.

Both tools run in the same process against the same database, interleaved
(the order alternates between repeats so neither tool always runs on a
warmer server), each run on a new DBAPI connection (``NullPool``) so that no
SQLAlchemy inspector cache and no server-side per-connection catalog cache
survives from the previous run.  Wall time is measured without tracemalloc,
whose overhead would distort it; peak memory comes from one extra traced run
per tool.
"""

from __future__ import annotations

import contextlib
import gc
import os
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.pool import NullPool

from benchmarks.report import (
    fmt_mib,
    fmt_ratio,
    fmt_seconds,
    format_table,
    log,
    median,
    ratio,
)
from benchmarks.schema_gen import build_metadata

BACKENDS = ("sqlite", "postgresql", "mysql")
DEFAULT_TABLES = (100, 1000, 3000)

#: Sizes run when none are given.  N=3,000 is opt-in on MariaDB/MySQL:
#: InnoDB commits every CREATE TABLE to disk, so creating the schema alone
#: takes 85 s on an idle 2-core machine and 7 minutes when other jobs share
#: the disk, which breaks the 15-minute budget of ``make bench``.  Pass
#: ``--tables 100,1000,3000`` to include it.
DEFAULT_TABLES_BY_BACKEND: dict[str, tuple[int, ...]] = {
    "sqlite": DEFAULT_TABLES,
    "postgresql": DEFAULT_TABLES,
    "mysql": (100, 1000),
}

DEFAULT_URLS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "mysql": "mysql+pymysql://root@127.0.0.1:3306/test",
}
URL_ENV = {
    "postgresql": "SCHEMADIFF_TEST_POSTGRESQL_URL",
    "mysql": "SCHEMADIFF_TEST_MYSQL_URL",
}

#: Tables created (and dropped) per transaction.  PostgreSQL keeps a lock per
#: created relation until commit and its shared lock table holds only
#: ``max_locks_per_transaction * max_connections`` (6,400 by default); one
#: table here is ~5 relations (table, sequence, PK, unique, 2 indexes).
BATCH = 200

#: How many example differences of each kind are kept per tool.
EXAMPLES_PER_KIND = 2

TOOLS = ("schemadiff", "alembic")

#: Size of the unrecorded warm-up schema (see :func:`run_suite`).
WARMUP_TABLES = 5


# -- the two tools -----------------------------------------------------------
def run_schemadiff(connection: Connection, metadata: sa.MetaData) -> list[tuple[str, str]]:
    """Full schemadiff comparison; returns ``(kind, description)`` per difference."""
    import schemadiff

    changes = schemadiff.compare_metadata(
        connection, metadata, compare_type=True, compare_server_default=True
    )
    out = []
    for change in changes:
        where = ".".join(p for p in (change.schema, change.table, change.name) if p)
        out.append((change.kind, f"{change.kind} {where} {change.detail!r}"))
    return out


def run_alembic(connection: Connection, metadata: sa.MetaData) -> list[tuple[str, str]]:
    """Full Alembic comparison; returns ``(kind, description)`` per difference.

    Alembic groups the column modifications of one column in a list; they
    are flattened so both tools count one entry per changed attribute.
    """
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    mc = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    diffs = compare_metadata(mc, metadata)
    out: list[tuple[str, str]] = []
    for diff in diffs:
        entries = diff if isinstance(diff, list) else [diff]
        for entry in entries:
            out.append((str(entry[0]), repr(entry)))
    return out


TOOL_FUNCS: dict[str, Callable[[Connection, sa.MetaData], list[tuple[str, str]]]] = {
    "schemadiff": run_schemadiff,
    "alembic": run_alembic,
}


# -- results -----------------------------------------------------------------
@dataclass
class ToolResult:
    """Everything measured for one tool at one (backend, N)."""

    tool: str
    times: list[float] = field(default_factory=list)
    statements: int | None = None
    statements_per_run: list[int] = field(default_factory=list)
    peak_memory: int | None = None
    differences: int | None = None
    kinds: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)
    error: str | None = None

    @property
    def median(self) -> float | None:
        return median(self.times)


@dataclass
class RawResult:
    """The raw catalog read baseline (PostgreSQL only)."""

    times: list[float] = field(default_factory=list)
    statements: int = 0
    rows: int = 0
    error: str | None = None

    @property
    def median(self) -> float | None:
        return median(self.times)


@dataclass
class CaseResult:
    """One (backend, N): setup cost and the figures of each tool."""

    backend: str
    tables: int
    server_version: str | None = None
    create_seconds: float | None = None
    #: seconds waited, after creating the tables, for the machine to go quiet
    settle_seconds: float | None = None
    wall_seconds: float | None = None
    error: str | None = None
    tools: dict[str, ToolResult] = field(default_factory=dict)
    raw: RawResult | None = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name, tool in self.tools.items():
            data["tools"][name]["median"] = tool.median
        if self.raw is not None:
            data["raw"]["median"] = self.raw.median
        sd = self.tools.get("schemadiff")
        al = self.tools.get("alembic")
        data["ratio_alembic_over_schemadiff"] = ratio(
            al.median if al else None, sd.median if sd and not sd.error else None
        )
        return data


# -- statement counting ------------------------------------------------------
class StatementCounter:
    """Counts cursor executions on an engine between :meth:`reset` calls."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, *args: Any, **kwargs: Any) -> None:
        self.count += 1

    def reset(self) -> None:
        self.count = 0


# -- scratch databases -------------------------------------------------------
def backend_url(backend: str) -> str:
    """The server URL of ``backend`` from the environment, else the default."""
    return os.environ.get(URL_ENV[backend], DEFAULT_URLS[backend])


def _scratch_name(n_tables: int) -> str:
    return f"sdbench_{os.getpid()}_{n_tables}"


@contextlib.contextmanager
def scratch_engine(backend: str, n_tables: int) -> Iterator[Engine]:
    """Yield an engine on a fresh, empty scratch area; remove it afterwards.

    The engine uses ``NullPool``, so every ``connect()`` is a new DBAPI
    connection: nothing cached per connection (SQLAlchemy's or the server's)
    carries over from one measured run to the next.
    """
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="sdbench-") as tmp:
            engine = sa.create_engine(f"sqlite:///{Path(tmp) / 'bench.db'}", poolclass=NullPool)
            try:
                yield engine
            finally:
                engine.dispose()
        return

    base = make_url(backend_url(backend))
    name = _scratch_name(n_tables)
    admin = sa.create_engine(base, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if backend == "postgresql":
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
                conn.exec_driver_sql(f"CREATE SCHEMA {name}")
                url: URL = base.update_query_dict({"options": f"-csearch_path={name}"})
            else:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
                conn.exec_driver_sql(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
                url = base.set(database=name)
        engine = sa.create_engine(url, poolclass=NullPool)
        try:
            yield engine
        finally:
            engine.dispose()
            _drop_scratch(backend, admin, name)
    finally:
        admin.dispose()


def _drop_scratch(backend: str, admin: Engine, name: str) -> None:
    """Drop the scratch schema/database; PostgreSQL in batches (lock table)."""
    try:
        with admin.connect() as conn:
            if backend == "postgresql":
                tables = [
                    r[0]
                    for r in conn.exec_driver_sql(
                        "SELECT tablename FROM pg_tables WHERE schemaname = %(s)s "
                        "ORDER BY tablename DESC",
                        {"s": name},
                    )
                ]
                for start in range(0, len(tables), BATCH):
                    batch = ", ".join(f"{name}.{t}" for t in tables[start : start + BATCH])
                    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {batch} CASCADE")
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
            else:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
    except Exception as exc:  # noqa: BLE001 - cleanup must not hide the results
        log(f"  warning: could not drop scratch {name}: {exc}")


def create_tables(engine: Engine, backend: str, metadata: sa.MetaData) -> float:
    """Create every table on one connection, committing every ``BATCH`` tables.

    Tables are defined in dependency order, so a batch only references
    tables of earlier batches.  MariaDB skips FK checks for speed (the
    tables are empty anyway).  Returns the seconds taken.
    """
    t0 = time.perf_counter()
    tables = metadata.sorted_tables
    with engine.connect() as conn:
        if backend == "mysql":
            conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS=0")
        for start in range(0, len(tables), BATCH):
            metadata.create_all(conn, tables=tables[start : start + BATCH], checkfirst=False)
            conn.commit()
    return time.perf_counter() - t0


#: The machine counts as quiet when this share of its CPU time is idle ...
QUIET_IDLE_SHARE = 0.9
#: ... over a sample of this many seconds; waiting gives up after QUIET_TIMEOUT.
QUIET_SAMPLE_SECONDS = 0.5
QUIET_TIMEOUT = 60.0


def _cpu_times() -> tuple[int, int] | None:
    """(idle, total) jiffies of all CPUs from /proc/stat; None off Linux."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    return fields[3] + (fields[4] if len(fields) > 4 else 0), sum(fields)


def wait_for_quiet_machine() -> float:
    """Wait until the database servers' background work has died down.

    Creating (or, for the previous case, dropping) thousands of tables
    leaves the servers busy for a while afterwards: PostgreSQL vacuums and
    analyzes its catalogs, InnoDB computes table statistics and flushes
    pages.  Measured during that, a tool that keeps two cores busy (the
    database and itself) loses more than one that mostly waits, so each
    case starts once CPU time is mostly idle again.  Returns the seconds
    waited (not part of any figure).
    """
    started = time.perf_counter()
    before = _cpu_times()
    if before is None:
        time.sleep(2)
        return time.perf_counter() - started
    while time.perf_counter() - started < QUIET_TIMEOUT:
        time.sleep(QUIET_SAMPLE_SECONDS)
        after = _cpu_times()
        assert after is not None
        idle, total = after[0] - before[0], after[1] - before[1]
        before = after
        if total > 0 and idle / total >= QUIET_IDLE_SHARE:
            break
    return time.perf_counter() - started


def server_version(engine: Engine, backend: str) -> str | None:
    """The database server's version string, for the record."""
    query = {"sqlite": "SELECT sqlite_version()", "postgresql": "SHOW server_version"}.get(
        backend, "SELECT VERSION()"
    )
    with engine.connect() as conn:
        return str(conn.exec_driver_sql(query).scalar())


# -- raw catalog baseline (PostgreSQL) --------------------------------------
#: Set-based reads of every fact a comparison needs, one query per catalog.
PG_CATALOG_QUERIES = (
    # relations
    """SELECT c.oid, c.relname, c.relkind, c.relpersistence, c.reloptions
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = current_schema()""",
    # columns with type, nullability, default, identity
    """SELECT a.attrelid, a.attnum, a.attname,
              pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
              pg_catalog.pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated,
              co.collname
       FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
       WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
         AND a.attnum > 0 AND NOT a.attisdropped""",
    # indexes (including those backing constraints)
    """SELECT i.indrelid, ic.relname, i.indisunique, i.indisprimary, i.indkey::int2[],
              pg_catalog.pg_get_indexdef(i.indexrelid),
              pg_catalog.pg_get_expr(i.indpred, i.indrelid), am.amname
       FROM pg_catalog.pg_index i
       JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_catalog.pg_am am ON am.oid = ic.relam
       JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
       WHERE n.nspname = current_schema()""",
    # constraints: primary, unique, foreign, check
    """SELECT con.conrelid, con.conname, con.contype, con.conkey, con.confrelid, con.confkey,
              con.confupdtype, con.confdeltype, con.condeferrable, con.condeferred,
              pg_catalog.pg_get_constraintdef(con.oid)
       FROM pg_catalog.pg_constraint con
       JOIN pg_catalog.pg_namespace n ON n.oid = con.connamespace
       WHERE n.nspname = current_schema()""",
    # table and column comments
    """SELECT d.objoid, d.objsubid, d.description
       FROM pg_catalog.pg_description d
       JOIN pg_catalog.pg_class c ON c.oid = d.objoid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
       WHERE d.classoid = 'pg_catalog.pg_class'::regclass AND n.nspname = current_schema()""",
)


def raw_catalog_read(connection: Connection) -> int:
    """Run :data:`PG_CATALOG_QUERIES`, fetching every row; returns the row count."""
    rows = 0
    for query in PG_CATALOG_QUERIES:
        rows += len(connection.exec_driver_sql(query).fetchall())
    return rows


# -- measuring ---------------------------------------------------------------
def _error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".replace("\n", " ")
    return text if len(text) <= 300 else text[:297] + "..."


def _record_differences(result: ToolResult, diffs: list[tuple[str, str]]) -> None:
    result.differences = len(diffs)
    kinds = Counter(kind for kind, _ in diffs)
    result.kinds = dict(kinds.most_common())
    examples: dict[str, list[str]] = {}
    for kind, text in diffs:
        bucket = examples.setdefault(kind, [])
        if len(bucket) < EXAMPLES_PER_KIND:
            bucket.append(text if len(text) <= 400 else text[:397] + "...")
    result.examples = examples


def _timed_run(
    engine: Engine,
    counter: StatementCounter,
    fn: Callable[[Connection, sa.MetaData], Any],
    metadata: sa.MetaData,
    trace_memory: bool = False,
) -> tuple[float, int, int | None, Any]:
    """One run on a new connection: (seconds, statements, peak bytes, result).

    The connection is opened before the clock starts: connecting is not
    part of a comparison and differs between drivers, not between tools.
    """
    gc.collect()
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1").fetchall()  # finish any lazy connect work
        counter.reset()
        if trace_memory:
            tracemalloc.start()
            tracemalloc.reset_peak()
        try:
            t0 = time.perf_counter()
            value = fn(conn, metadata)
            elapsed = time.perf_counter() - t0
            peak = tracemalloc.get_traced_memory()[1] if trace_memory else None
        finally:
            if trace_memory:
                tracemalloc.stop()
        statements = counter.count
        conn.rollback()
    return elapsed, statements, peak, value


def run_case(
    backend: str,
    n_tables: int,
    repeat: int,
    memory: bool = True,
    tools: Sequence[str] = TOOLS,
) -> CaseResult:
    """Create the N-table schema on ``backend`` and measure every tool on it."""
    started = time.perf_counter()
    case = CaseResult(backend=backend, tables=n_tables)
    metadata = build_metadata(n_tables)
    try:
        with scratch_engine(backend, n_tables) as engine:
            case.server_version = server_version(engine, backend)
            log(f"[compare] {backend} N={n_tables}: creating tables ...")
            case.create_seconds = create_tables(engine, backend, metadata)
            log(f"[compare] {backend} N={n_tables}: created in {case.create_seconds:.1f}s")
            case.settle_seconds = wait_for_quiet_machine()
            log(f"[compare] {backend} N={n_tables}: machine quiet after {case.settle_seconds:.1f}s")
            counter = StatementCounter(engine)
            _measure(case, engine, counter, metadata, repeat, memory, tools)
    except Exception as exc:  # noqa: BLE001 - one broken backend must not end the suite
        case.error = _error_text(exc)
        log(f"[compare] {backend} N={n_tables}: ERROR {case.error}")
    case.wall_seconds = time.perf_counter() - started
    log(f"[compare] {backend} N={n_tables}: done in {case.wall_seconds:.0f}s")
    return case


def _measure(
    case: CaseResult,
    engine: Engine,
    counter: StatementCounter,
    metadata: sa.MetaData,
    repeat: int,
    memory: bool,
    tools: Sequence[str],
) -> None:
    results = {name: ToolResult(tool=name) for name in tools}
    case.tools = results
    if case.backend == "postgresql":
        case.raw = RawResult()
    for r in range(repeat):
        # Alternate the order so neither tool systematically runs second.
        order = list(tools) if r % 2 == 0 else list(reversed(tools))
        for name in order:
            result = results[name]
            if result.error is not None:
                continue  # a tool that failed once is not retried at this size
            try:
                elapsed, statements, _, diffs = _timed_run(
                    engine, counter, TOOL_FUNCS[name], metadata
                )
            except Exception as exc:  # noqa: BLE001 - record and go on
                result.error = _error_text(exc)
                log(f"[compare] {case.backend} N={case.tables} {name}: ERROR {result.error}")
                continue
            result.times.append(elapsed)
            result.statements = statements
            result.statements_per_run.append(statements)
            if result.differences is None:
                _record_differences(result, diffs)
            log(
                f"[compare] {case.backend} N={case.tables} {name} run {r + 1}/{repeat}: "
                f"{elapsed:.3f}s, {statements} statements, {len(diffs)} differences"
            )
        if case.raw is not None and case.raw.error is None:
            try:
                elapsed, statements, _, rows = _timed_run(
                    engine, counter, lambda c, _m: raw_catalog_read(c), metadata
                )
            except Exception as exc:  # noqa: BLE001
                case.raw.error = _error_text(exc)
            else:
                case.raw.times.append(elapsed)
                case.raw.statements = statements
                case.raw.rows = rows
    if memory:
        for name in tools:
            result = results[name]
            if result.error is not None:
                continue
            try:
                _, _, peak, _ = _timed_run(
                    engine, counter, TOOL_FUNCS[name], metadata, trace_memory=True
                )
            except Exception as exc:  # noqa: BLE001
                result.error = _error_text(exc)
                continue
            result.peak_memory = peak
            log(f"[compare] {case.backend} N={case.tables} {name}: peak {fmt_mib(peak)} MiB")


def run_suite(
    backends: Sequence[str],
    sizes: Sequence[int] | None,
    repeat: int,
    memory: bool = True,
) -> list[CaseResult]:
    """Every (backend, N) combination, smallest N first on each backend.

    ``sizes`` applies to every backend; None means each backend's
    :data:`DEFAULT_TABLES_BY_BACKEND`.

    Each backend starts with an unrecorded warm-up on a tiny schema: both
    tools import modules lazily (Alembic's dialect implementations, for
    one), and that one-time cost would otherwise land on whichever tool
    runs first at the first size.
    """
    cases = []
    for backend in backends:
        log(f"[compare] {backend}: warm-up on {WARMUP_TABLES} tables")
        run_case(backend, WARMUP_TABLES, repeat=1, memory=False)
        for n in sorted(sizes if sizes else DEFAULT_TABLES_BY_BACKEND[backend]):
            cases.append(run_case(backend, n, repeat, memory))
    return cases


# -- output ------------------------------------------------------------------
def format_results(cases: Sequence[CaseResult]) -> str:
    """The comparison table plus the list of differences reported."""
    headers = [
        "backend",
        "N",
        "tool",
        "median s",
        "min s",
        "alembic/sd",
        "SQL stmts",
        "peak MiB",
        "diffs",
        "note",
    ]
    rows: list[list[str]] = []
    for case in cases:
        if case.error is not None:
            rows.append(
                [
                    case.backend,
                    str(case.tables),
                    "-",
                    "-",
                    "-",
                    "-",
                    "-",
                    "-",
                    "-",
                    f"ERROR {case.error}",
                ]
            )
            continue
        sd = case.tools.get("schemadiff")
        al = case.tools.get("alembic")
        speedup = ratio(al.median if al else None, sd.median if sd and not sd.error else None)
        for name, result in case.tools.items():
            rows.append(
                [
                    case.backend,
                    str(case.tables),
                    name,
                    fmt_seconds(result.median),
                    fmt_seconds(min(result.times) if result.times else None),
                    fmt_ratio(speedup) if name == "schemadiff" else "",
                    _statements_text(result.statements_per_run),
                    fmt_mib(result.peak_memory),
                    "-" if result.differences is None else str(result.differences),
                    f"ERROR {result.error}" if result.error else _kinds_text(result.kinds),
                ]
            )
        if case.raw is not None:
            raw = case.raw
            note = (
                f"ERROR {raw.error}"
                if raw.error
                else f"{raw.rows} catalog rows; schemadiff is "
                f"{fmt_ratio(ratio(sd.median if sd and not sd.error else None, raw.median))} "
                "of this"
            )
            rows.append(
                [
                    case.backend,
                    str(case.tables),
                    "raw catalog",
                    fmt_seconds(raw.median),
                    fmt_seconds(min(raw.times) if raw.times else None),
                    "",
                    str(raw.statements),
                    "-",
                    "",
                    note,
                ]
            )
    out = [format_table(headers, rows)]
    setup = [
        f"  {c.backend} N={c.tables}: create_all {fmt_seconds(c.create_seconds)}s,"
        f" then {fmt_seconds(c.settle_seconds)}s until the machine was quiet"
        f" (server {c.server_version})"
        for c in cases
        if c.create_seconds is not None
    ]
    if setup:
        out.append("\nSchema creation (not part of the timings):")
        out.extend(setup)
    examples = _examples_text(cases)
    if examples:
        out.append("\nDifferences reported on an identical schema (false positives):")
        out.extend(examples)
    return "\n".join(out)


def _statements_text(counts: Sequence[int]) -> str:
    """One count, or ``low-high`` when runs differed (e.g. a one-time query)."""
    if not counts:
        return "-"
    low, high = min(counts), max(counts)
    return str(low) if low == high else f"{low}-{high}"


def _kinds_text(kinds: dict[str, int]) -> str:
    return ", ".join(f"{k}={v}" for k, v in kinds.items())


def _examples_text(cases: Sequence[CaseResult]) -> list[str]:
    lines = []
    for case in cases:
        for name, result in case.tools.items():
            for kind, texts in result.examples.items():
                for text in texts[:1]:
                    lines.append(
                        f"  {case.backend} N={case.tables} {name} {kind} "
                        f"(x{result.kinds.get(kind, 0)}): {text}"
                    )
    return lines
