"""Time ``upgrade head`` of a long realistic history: schemadiff vs Alembic.

The history is ``benchmarks.alembic_history`` (default 300 revisions:
tables, columns, data migrations, batch steps, autocommit blocks, scripts
that commit, branches and merges).  It is written once as an Alembic
project; a copy is moved over with ``schemadiff import-alembic``.  Each run
is the whole command as a user runs it (a subprocess: interpreter start-up,
imports, loading every script, connecting, running every step), against
the same scratch database, emptied between runs.  The tools alternate, so
load on the machine falls on both alike; after the timed runs both
catalogs are dumped and compared, so a fast wrong result cannot pass.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.alembic_history import (
    dump_catalog,
    write_history_project,
    write_trivial_project,
)
from benchmarks.compare import scratch_engine
from benchmarks.report import (
    TOOLS,
    BothTools,
    fmt_ratio,
    fmt_seconds,
    format_table,
    log,
    no_times,
    ratio,
)
from benchmarks.revisions import SETTLE_SECONDS, tool_command
from benchmarks.startup import _env

DEFAULT_REVISIONS = 300
#: revisions of the trivial history (each ``upgrade()`` is ``pass``)
DEFAULT_TRIVIAL = 5000
TIMEOUT = 900


@dataclass
class UpgradeCase(BothTools):
    backend: str
    revisions: int
    #: "realistic" (``alembic_history``) or "trivial" (revisions that do nothing)
    history: str = "realistic"
    times: dict[str, list[float]] = field(default_factory=no_times)
    same_schema: bool | None = None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {**asdict(self), **self.timing()}
        return out


def _wipe(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        md = sa.MetaData()
        md.reflect(conn)
        md.drop_all(conn)


def _timed(tool: str, project: Path) -> float:
    # a project that has run before has its scripts' bytecode (as in the startup suite);
    # the untimed first round writes it
    started = time.perf_counter()
    proc = subprocess.run(
        [*tool_command(tool), "upgrade", "head"],
        cwd=project,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=TIMEOUT,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{tool} upgrade head failed:\n{proc.stdout}\n{proc.stderr[-3000:]}")
    return elapsed


def run_case(backend: str, revisions: int, repeat: int, history: str = "realistic") -> UpgradeCase:
    case = UpgradeCase(backend, revisions, history)
    try:
        with (
            scratch_engine(backend, revisions) as engine,
            tempfile.TemporaryDirectory(prefix="sdbench-upgrade-") as tmp,
        ):
            url = engine.url.render_as_string(hide_password=False)
            original = Path(tmp) / "alembic_project"
            original.mkdir()
            if history == "trivial":
                write_trivial_project(original, url, revisions)
            else:
                write_history_project(original, url, revisions, log_level="WARNING")
            moved = Path(tmp) / "schemadiff_project"
            shutil.copytree(original, moved)
            subprocess.run(
                [sys.executable, "-m", "schemadiff", "import-alembic"],
                cwd=moved,
                check=True,
                capture_output=True,
            )
            # real scripts are old: let schemadiff's header cache take them (SETTLE_SECONDS)
            time.sleep(SETTLE_SECONDS)
            catalogs: dict[str, Any] = {}
            for run in range(repeat + 1):  # the first round warms bytecode caches, untimed
                order = TOOLS if run % 2 == 0 else TOOLS[::-1]
                for tool in order:
                    _wipe(engine)
                    elapsed = _timed(tool, moved if tool == "schemadiff" else original)
                    if run:
                        case.times[tool].append(elapsed)
                        log(f"  upgrade {backend} {history} {revisions} {tool}: {elapsed:.2f}s")
                    if run == repeat:
                        catalogs[tool] = dump_catalog(url)
            _wipe(engine)
            case.same_schema = catalogs["schemadiff"] == catalogs["alembic"]
    except Exception as exc:  # a broken backend is an error row, not a crash
        case.error = f"{type(exc).__name__}: {exc}"[:2000]
        log(f"  upgrade {backend}: {case.error}")
    return case


def run_suite(
    backends: list[str], revisions: int, repeat: int, trivial: int = DEFAULT_TRIVIAL
) -> list[UpgradeCase]:
    cases = [run_case(backend, revisions, repeat) for backend in backends]
    if trivial:
        cases += [run_case(backend, trivial, repeat, "trivial") for backend in backends]
    return cases


def format_results(cases: list[UpgradeCase], repeat: int) -> str:
    rows = []
    for case in cases:
        if case.error:
            rows.append(
                [case.backend, case.history, str(case.revisions), "error", "", "", case.error[:60]]
            )
            continue
        rows.append(
            [
                case.backend,
                case.history,
                str(case.revisions),
                fmt_seconds(case.median("schemadiff")),
                fmt_seconds(case.median("alembic")),
                fmt_ratio(ratio(case.median("schemadiff"), case.median("alembic"))),
                "yes" if case.same_schema else "NO",
            ]
        )
    headers = [
        "backend",
        "history",
        "revisions",
        "schemadiff",
        "Alembic",
        "time ratio",
        "same schema",
    ]
    return f"upgrade head, whole process (median of {repeat}):\n" + format_table(headers, rows)
