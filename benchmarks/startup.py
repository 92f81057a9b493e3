"""Start-up: ``current``, ``heads``, ``history`` and ``check`` as whole processes.

Every pre-commit hook and CI step pays a command's start-up, so this suite
times what a user waits for: the command as a subprocess, from spawn to
exit (interpreter, imports, reading the config and the revision files,
connecting where the command connects).  The project is written once as an
Alembic project (``alembic init`` and three ``alembic revision``) and a copy
is moved over with ``schemadiff import-alembic``, so both tools read the same
scripts.  ``check`` compares a 50-table model (``schema_gen``) with a
database that matches it, so both tools must find nothing.

The tools alternate, the order swapping every round; a first untimed round
fills the bytecode caches, as an installed package has them.

Each round also times a *floor*: a process doing only what no tool can
skip.  For ``current`` and ``check`` that is what the project's own
``env.py`` makes any tool do (start the interpreter, import SQLAlchemy, open
and close one connection, and for ``check`` import the model module); for
``heads`` and ``history``, which need no ``env.py``, the bare interpreter.
The ratio of what is left above it, ``(schemadiff - floor) / (Alembic -
floor)``, is what each tool's own code costs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks import schema_gen
from benchmarks.compare import scratch_engine
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

LISTING = ("current", "heads", "history")
CHECK_TABLES = 50
#: the issue's targets: schemadiff's time at most this share of Alembic's
TARGETS = {"current": 0.5, "heads": 0.5, "history": 0.5, "check": 0.7}
#: start-up runs are short and noisy, so take at least this many per median
MIN_RUNS = 7
TIMEOUT = 300

_MODELS = """\
from bench_schema import build_metadata

metadata = build_metadata({tables})
"""

#: what the project's env.py alone costs: interpreter, SQLAlchemy, one connection,
#: and for ``check`` the model (argv: URL, and "models" when env.py imports one)
_ENV_FLOOR = """\
import sys
from logging.config import fileConfig
import sqlalchemy as sa
engine = sa.create_engine(sys.argv[1], poolclass=sa.pool.NullPool)
with engine.connect():
    pass
if len(sys.argv) > 2:
    import models
"""
#: commands that run env.py; the others' floor is the bare interpreter
_RUNS_ENV = ("current", "check")


@dataclass
class StartupCase(BothTools):
    command: str
    backend: str
    times: dict[str, list[float]] = field(default_factory=no_times)
    same_output: bool | None = None
    error: str | None = None
    #: the floor's times: what env.py alone costs (module docstring)
    floor: list[float] = field(default_factory=list)

    def own_ratio(self) -> float | None:
        """(schemadiff - floor) / (Alembic - floor): each tool's own share."""
        floor = median(self.floor)
        sd, al = self.median("schemadiff"), self.median("alembic")
        if floor is None or sd is None or al is None:
            return None
        return ratio(max(sd - floor, 0.0), al - floor)

    def as_dict(self) -> dict[str, Any]:
        out = {**asdict(self), **self.timing()}
        out["target"] = TARGETS[self.command]
        out["floor_median"] = median(self.floor)
        out["own_ratio"] = self.own_ratio()
        return out


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # installed packages have their bytecode
    env.pop("PYTHONPATH", None)
    return env


def _run(tool: str, args: list[str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(
        [*tool_command(tool), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=TIMEOUT,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:  # check: drift (or an error) in a matching database
        raise RuntimeError(
            f"{tool} {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()[-1500:]}"
        )
    return elapsed, proc.stdout


def _ini_url(engine: sa.Engine) -> str:
    """The URL as an ini value: configparser reads ``%`` as interpolation."""
    return engine.url.render_as_string(hide_password=False).replace("%", "%%")


def write_projects(root: Path, url: str, tables: int) -> dict[str, Path]:
    """The same 3-revision project for both tools; with ``tables``, ``env.py`` imports a model.

    Without a model the project is ``alembic init``'s own (``target_metadata
    = None``): what the listing commands pay, not what a model costs to build.
    """
    alembic_dir = root / "alembic_project"
    alembic_dir.mkdir()
    _run("alembic", ["init", "migrations"], alembic_dir)
    ini = alembic_dir / "alembic.ini"
    lines = [
        f"sqlalchemy.url = {url}" if line.startswith("sqlalchemy.url =") else line
        for line in ini.read_text().splitlines()
    ]
    ini.write_text("\n".join(lines) + "\n")
    if tables:
        env_py = alembic_dir / "migrations" / "env.py"
        env_py.write_text(
            env_py.read_text().replace(
                "target_metadata = None\n", "from models import metadata as target_metadata\n", 1
            )
        )
        shutil.copy(schema_gen.__file__, alembic_dir / "bench_schema.py")
        (alembic_dir / "models.py").write_text(_MODELS.format(tables=tables))
    for message in ("create account", "add orders", "index emails"):
        _run("alembic", ["revision", "-m", message], alembic_dir)
    moved = root / "schemadiff_project"
    shutil.copytree(alembic_dir, moved)
    _run("schemadiff", ["import-alembic"], moved)
    return {"alembic": alembic_dir, "schemadiff": moved}


@contextmanager
def _projects(backend: str, tables: int) -> Iterator[tuple[dict[str, Path], str]]:
    """Both projects on a scratch database at head, holding ``tables`` matching tables."""
    with (
        scratch_engine(backend, max(tables, 1)) as engine,
        tempfile.TemporaryDirectory(prefix="sdbench-startup-") as tmp,
    ):
        projects = write_projects(Path(tmp), _ini_url(engine), tables)
        # both tools share one version table (import-alembic keeps its name)
        _run("alembic", ["upgrade", "head"], projects["alembic"])
        if tables:
            with engine.begin() as conn:
                if backend == "mysql":
                    conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS=0")
                schema_gen.build_metadata(tables).create_all(conn)
        yield projects, engine.url.render_as_string(hide_password=False)


def _floor(command: str, url: str, project: Path) -> float:
    if command in _RUNS_ENV:
        model = ["models"] if command == "check" else []
        args = [sys.executable, "-c", _ENV_FLOOR, url, *model]
    else:
        args = [sys.executable, "-c", "pass"]
    started = time.perf_counter()
    subprocess.run(args, cwd=project, check=True, capture_output=True, env=_env(), timeout=TIMEOUT)
    return time.perf_counter() - started


def _measure(case: StartupCase, projects: dict[str, Path], url: str, runs: int) -> None:
    outputs: dict[str, str] = {}
    for run in range(runs + 1):  # the first round fills the bytecode caches, untimed
        for tool in TOOLS if run % 2 == 0 else TOOLS[::-1]:
            elapsed, stdout = _run(tool, [case.command], projects[tool])
            outputs[tool] = stdout
            if run:
                case.times[tool].append(elapsed)
        floor = _floor(case.command, url, projects["alembic"])
        if run:
            case.floor.append(floor)
    case.same_output = outputs["schemadiff"] == outputs["alembic"]
    log(
        f"  startup {case.backend} {case.command}: schemadiff "
        f"{fmt_seconds(case.median('schemadiff'))}s, alembic "
        f"{fmt_seconds(case.median('alembic'))}s, floor {fmt_seconds(median(case.floor))}s"
    )


def _run_cases(cases: list[StartupCase], tables: int, runs: int) -> None:
    backend = cases[0].backend
    try:
        with _projects(backend, tables) as (projects, url):
            for case in cases:
                _measure(case, projects, url, runs)
    except Exception as exc:  # a broken backend is an error row, not a crash
        error = f"{type(exc).__name__}: {exc}"[:2000]
        log(f"  startup {backend}: {error}")
        for case in cases:
            if not case.times["schemadiff"]:
                case.error = error


def run_suite(backends: list[str], repeat: int) -> list[StartupCase]:
    """The listing commands on SQLite, whatever the backends; ``check`` on each backend.

    The listing commands read files (only ``current`` connects, to read one
    row), so a server adds nothing to what they measure.
    """
    runs = max(repeat, MIN_RUNS)
    listing = [StartupCase(command, "sqlite") for command in LISTING]
    _run_cases(listing, 0, runs)
    checks = [StartupCase("check", backend) for backend in backends]
    for case in checks:
        _run_cases([case], CHECK_TABLES, runs)
    return [*listing, *checks]


def format_results(cases: list[StartupCase], repeat: int) -> str:
    rows = []
    for case in cases:
        if case.error:
            rows.append(
                [case.command, case.backend, "error", "", "", "", "", "", "", case.error[:60]]
            )
            continue
        share = ratio(case.median("schemadiff"), case.median("alembic"))
        target = TARGETS[case.command]
        rows.append(
            [
                case.command,
                case.backend,
                fmt_seconds(case.median("schemadiff")),
                fmt_seconds(case.median("alembic")),
                fmt_ratio(share),
                f"{target:.1f}x",
                "" if share is None else ("yes" if share <= target else "NO"),
                fmt_seconds(median(case.floor)),
                fmt_ratio(case.own_ratio()),
                "" if case.command == "check" else ("yes" if case.same_output else "no"),
            ]
        )
    headers = [
        "command",
        "backend",
        "schemadiff",
        "Alembic",
        "time ratio",
        "target",
        "met",
        "floor",
        "own-cost ratio",
        "same output",
    ]
    return (
        f"Start-up, whole process, 3-revision project, check on {CHECK_TABLES} tables "
        f"(median of {max(repeat, MIN_RUNS)}); floor: what env.py alone costs, own-cost ratio: "
        "(schemadiff - floor) / (Alembic - floor):\n" + format_table(headers, rows)
    )
