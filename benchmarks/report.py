"""Shared helpers of the benchmark suites: progress logging, tables, metadata.

Kept apart from the suites so that both print in the same format and the
JSON file records the same description of the machine, whichever suites ran.
"""

from __future__ import annotations

import datetime as _dt
import importlib.metadata
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: The repository root (the parent of ``benchmarks/``).
REPO_ROOT = Path(__file__).resolve().parent.parent

#: Where JSON results go; git-ignored.
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def log(message: str) -> None:
    """Print progress on stderr, so stdout carries only the result tables."""
    print(message, file=sys.stderr, flush=True)


def median(values: Sequence[float]) -> float | None:
    """Median of ``values``, or None when there are none (e.g. every run failed)."""
    return statistics.median(values) if values else None


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator / denominator`` or None when either is missing or zero."""
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator


#: the two tools every whole-process suite times, in the order of their columns
TOOLS = ("schemadiff", "alembic")


def no_times() -> dict[str, list[float]]:
    return {t: [] for t in TOOLS}


class BothTools:
    """A case timed for both tools: medians and the schemadiff / Alembic ratio."""

    times: dict[str, list[float]]

    def median(self, tool: str) -> float | None:
        return median(self.times[tool])

    def timing(self) -> dict[str, Any]:
        return {
            "median": {t: self.median(t) for t in TOOLS},
            "ratio": ratio(self.median("schemadiff"), self.median("alembic")),
        }


def fmt_seconds(value: float | None) -> str:
    """Seconds with 3 significant decimals, or ``-`` for a missing figure."""
    if value is None:
        return "-"
    if value < 10:
        return f"{value:.3f}"
    return f"{value:.1f}"


def fmt_ratio(value: float | None) -> str:
    """A speed ratio like ``2.41x``, or ``-``."""
    return "-" if value is None else f"{value:.2f}x"


def fmt_mib(value: int | None) -> str:
    """Bytes as MiB with one decimal, or ``-``."""
    return "-" if value is None else f"{value / 1048576:.1f}"


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Render a plain-text table with columns padded to their widest cell.

    Plain text rather than rich so that output redirected to a file or a CI
    log stays readable and diffable.
    """
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(cells)).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out.extend(line(row) for row in rows)
    return "\n".join(out)


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def _git_commit() -> str | None:
    """The checked-out commit, read-only, so results can be traced to code."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def environment_info() -> dict[str, Any]:
    """Describe the machine and library versions the figures were taken on.

    Timings are meaningless without this context (core count in particular:
    the database server shares the machine with the benchmark).
    """
    return {
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "sqlalchemy": _version("SQLAlchemy"),
        "alembic": _version("alembic"),
        "schemadiff": _version("schemadiff"),
        "psycopg": _version("psycopg"),
        "pymysql": _version("PyMySQL"),
        "git_commit": _git_commit(),
    }


def format_environment(info: dict[str, Any]) -> str:
    """One-paragraph text form of :func:`environment_info` for stdout."""
    keys = ("date", "cpu_count", "platform", "python", "sqlalchemy", "alembic", "schemadiff")
    return "  ".join(f"{k}={info.get(k)}" for k in keys)
