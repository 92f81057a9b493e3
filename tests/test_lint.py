"""The code base stays ruff-clean and ``mypy --strict`` clean: both are part of the test run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
TARGETS = ["schemadiff", "tests", "benchmarks", "demo"]


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, *TARGETS], cwd=ROOT, capture_output=True, text=True
    )


@pytest.fixture(autouse=True)
def _needs_ruff() -> None:
    found = subprocess.run([sys.executable, "-m", "ruff", "--version"], capture_output=True)
    if found.returncode:
        pytest.fail("ruff is part of the dev extra that `make test` installs")


def test_ruff_check():
    proc = _ruff("check")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format():
    proc = _ruff("format", "--check")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_strict(tmp_path):
    """``[tool.mypy] strict = true`` over the package: a new type error fails the suite."""
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
