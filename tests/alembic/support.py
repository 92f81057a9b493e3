"""Running the real Alembic and schemadiff side by side on one project."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

BIN = Path(sys.executable).parent


def run(
    tool: str, cwd: Path, *args: str, expect: int | None = 0
) -> subprocess.CompletedProcess[str]:
    """``alembic ...`` or ``schemadiff ...`` as a user runs it, in ``cwd``."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)
    command = [str(BIN / "alembic")] if tool == "alembic" else [sys.executable, "-m", "schemadiff"]
    proc = subprocess.run(
        [*command, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600
    )
    if expect is not None:
        assert proc.returncode == expect, (
            f"{tool} {' '.join(args)} exited {proc.returncode}, expected {expect}\n"
            f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
        )
    return proc


def wipe(url: str) -> None:
    """Drop every table, so the same database can take the other tool's replay."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            md = sa.MetaData()
            md.reflect(conn)
            md.drop_all(conn)
    finally:
        engine.dispose()


def twin(source: Path, target: Path) -> Path:
    """A copy of an Alembic project, to be moved to schemadiff while the original stays."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.db"))
    return target


def running_lines(stderr: str) -> list[str]:
    """The ``Running upgrade A -> B, message`` lines of either tool's log, tool name cut."""
    return [line.split("] ", 1)[1] for line in stderr.splitlines() if "Running " in line]


_DRIVER = r"""
import contextlib, io, json, sys

tool, calls = json.loads(sys.argv[1])
if tool == "alembic":
    import alembic.config

    class _Config(alembic.config.Config):  # its stdout default is bound at import time
        def __init__(self, *args, **kw):
            kw.setdefault("stdout", sys.stdout)
            super().__init__(*args, **kw)

    alembic.config.Config = _Config
results = []
for argv in calls:
    for name in [m for m in sys.modules if m == "models" or m.startswith("models.")]:
        del sys.modules[name]  # each command sees the models file as it is now
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            if tool == "alembic":
                from alembic.config import main

                main(argv=argv, prog="alembic")
                code = 0
            else:
                from schemadiff.cli import run

                code = run(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    results.append([code & 0xFF, out.getvalue(), err.getvalue()])
sys.__stdout__.write(json.dumps(results))
"""


def run_many(tool: str, cwd: Path, *calls: list[str]) -> list[subprocess.CompletedProcess[str]]:
    """Several commands of one tool in one interpreter, each as its command line would
    run it (fresh ``models`` import, own stdout/stderr): one start-up instead of many."""
    import json

    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        [sys.executable, "-c", _DRIVER, json.dumps([tool, [list(c) for c in calls]])],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return [
        subprocess.CompletedProcess([tool, *call], code, out, err)
        for call, (code, out, err) in zip(calls, json.loads(proc.stdout), strict=True)
    ]


def expect_ok(results: list[subprocess.CompletedProcess[str]]) -> None:
    for result in results:
        assert result.returncode == 0, (
            f"{' '.join(result.args)} exited {result.returncode}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
