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
