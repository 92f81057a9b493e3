"""``check`` as a whole process on large schemas: time and peak memory.

The ``compare`` suite times the comparison function inside one process;
this suite times what a user waits for and what the machine must hold:
``schemadiff check`` and ``alembic check`` as subprocesses (interpreter,
imports, building the N-table model in env.py, connecting, reading the
catalog, comparing), against a database that matches the model, so both
must find nothing.  Peak memory is the child's maximum resident set size,
read with ``os.wait4``.  Linux counts in it what the parent held when it
started the child (measured: a parent holding 600 MiB gives ``python -c
pass`` a 611 MiB peak, with ``fork``, ``vfork`` or ``posix_spawn`` alike),
so the parent builds no model itself: the tables are created by a child
process, and a figure that is not above what the parent held is reported
as unknown rather than as the tool's.

Alembic at 10,000 tables takes very long (its reflection reads the catalog
table by table), so it runs only up to ``--alembic-max-tables``; above
that its row says "not run", and any figure derived from smaller sizes is
labelled an extrapolation in the README, never passed off as measured.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.compare import scratch_engine, wait_for_quiet_machine
from benchmarks.report import (
    TOOLS,
    BothTools,
    fmt_ratio,
    fmt_seconds,
    format_table,
    log,
    median,
    no_times,
    ratio,
)
from benchmarks.revisions import tool_command
from benchmarks.startup import _env, _ini_url, _run, write_projects

DEFAULT_SIZES = {"sqlite": (1000,), "postgresql": (1000, 10000), "mysql": (1000,)}
#: Alembic runs up to this many tables (see the module docstring)
ALEMBIC_MAX_TABLES = 3000
TIMEOUT = 3600


@dataclass
class CheckCase(BothTools):
    backend: str
    tables: int
    times: dict[str, list[float]] = field(default_factory=no_times)
    #: peak resident set size of each run, in MiB
    peak_mib: dict[str, list[float]] = field(default_factory=no_times)
    #: CPU seconds (user + system) of each run: steadier than wall time on a busy machine
    cpu: dict[str, list[float]] = field(default_factory=no_times)
    error: str | None = None

    def peak(self, tool: str) -> float | None:
        values = self.peak_mib[tool]
        return max(values) if values else None

    def cpu_median(self, tool: str) -> float | None:
        return median(self.cpu[tool])

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), **self.timing()}


def _own_rss_mib() -> float:
    """This process's resident set now: a child's peak is not known below it
    (0 where there is no ``/proc``)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


#: creates the N-table schema (argv: URL, backend, N) and prints the seconds taken
_CREATE = """\
import sys
import sqlalchemy as sa
from benchmarks import schema_gen
from benchmarks.compare import create_tables
engine = sa.create_engine(sys.argv[1])
print(create_tables(engine, sys.argv[2], schema_gen.build_metadata(int(sys.argv[3]))))
engine.dispose()
"""


def _create_in_child(url: str, backend: str, tables: int) -> float:
    """The schema, created by a child, so that this process never holds the model."""
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(
        [sys.executable, "-c", _CREATE, url, backend, str(tables)],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    return float(proc.stdout.strip().splitlines()[-1])


def timed_child(args: list[str], cwd: Path) -> tuple[float, float, float | None, int, str]:
    """Run a command; its wall time, CPU time, peak RSS (MiB, None when it is not
    known: module docstring), exit status, stderr tail."""
    parent_mib = _own_rss_mib()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=err, env=_env())
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read()[-1500:].decode("utf-8", "replace")
    # ru_maxrss is in KiB on Linux
    cpu = usage.ru_utime + usage.ru_stime
    peak = usage.ru_maxrss / 1024
    return elapsed, cpu, (peak if peak > parent_mib * 1.05 else None), proc.returncode, tail


@contextmanager
def _projects(backend: str, tables: int) -> Iterator[dict[str, Path]]:
    with (
        scratch_engine(backend, tables) as engine,
        tempfile.TemporaryDirectory(prefix="sdbench-check-") as tmp,
    ):
        projects = write_projects(Path(tmp), _ini_url(engine), tables)
        _run("alembic", ["upgrade", "head"], projects["alembic"])
        url = engine.url.render_as_string(hide_password=False)
        seconds = _create_in_child(url, backend, tables)
        waited = wait_for_quiet_machine()
        log(f"  check {backend} {tables}: created in {seconds:.0f}s, waited {waited:.0f}s")
        yield projects


def run_case(backend: str, tables: int, repeat: int, alembic_max: int) -> CheckCase:
    case = CheckCase(backend, tables)
    tools = [t for t in TOOLS if t == "schemadiff" or tables <= alembic_max]
    try:
        with _projects(backend, tables) as projects:
            for tool in tools:  # bytecode of env.py and the model, as a warm project has
                subprocess.run(
                    [sys.executable, "-m", "compileall", "-q", str(projects[tool])], check=True
                )
            for run in range(1, repeat + 1):
                for tool in tools if run % 2 else tools[::-1]:
                    elapsed, cpu, peak, code, tail = timed_child(
                        [*tool_command(tool), "check"], projects[tool]
                    )
                    if code != 0:
                        raise RuntimeError(f"{tool} check exited {code}: {tail}")
                    case.times[tool].append(elapsed)
                    if peak is not None:
                        case.peak_mib[tool].append(peak)
                    case.cpu[tool].append(cpu)
                    memory = "peak unknown" if peak is None else f"{peak:.0f} MiB"
                    log(
                        f"  check {backend} {tables} {tool}: {elapsed:.2f}s (CPU {cpu:.2f}s) {memory}"
                    )
    except Exception as exc:  # a broken backend is an error row, not a crash
        case.error = f"{type(exc).__name__}: {exc}"[:2000]
        log(f"  check {backend} {tables}: {case.error}")
    return case


def run_suite(
    backends: list[str], repeat: int, alembic_max: int = ALEMBIC_MAX_TABLES
) -> list[CheckCase]:
    return [
        run_case(backend, tables, repeat, alembic_max)
        for backend in backends
        for tables in DEFAULT_SIZES[backend]
    ]


def format_results(cases: list[CheckCase], repeat: int) -> str:
    rows = []
    for case in cases:
        if case.error:
            rows.append(
                [case.backend, str(case.tables), "error", "", "", "", "", "", case.error[:60]]
            )
            continue
        ours, theirs = case.median("schemadiff"), case.median("alembic")
        peak_ours, peak_theirs = case.peak("schemadiff"), case.peak("alembic")
        rows.append(
            [
                case.backend,
                str(case.tables),
                fmt_seconds(ours),
                fmt_seconds(theirs) if theirs is not None else "not run",
                fmt_ratio(ratio(ours, theirs)) if theirs is not None else "",
                fmt_ratio(ratio(case.cpu_median("schemadiff"), case.cpu_median("alembic")))
                if theirs is not None
                else "",
                f"{peak_ours:.0f}" if peak_ours is not None else "",
                f"{peak_theirs:.0f}" if peak_theirs is not None else "",
                fmt_ratio(ratio(peak_ours, peak_theirs)) if peak_theirs is not None else "",
            ]
        )
    headers = [
        "backend",
        "tables",
        "schemadiff s",
        "Alembic s",
        "time ratio",
        "CPU ratio",
        "schemadiff MiB",
        "Alembic MiB",
        "memory ratio",
    ]
    return (
        f"check, whole process, matching database (median of {repeat}; peak RSS, max):\n"
        + format_table(headers, rows)
    )
