"""Time loading a large revision graph: ``heads`` and ``history`` vs Alembic.

The same graph of N revision scripts (default 5,000: a long main line with
a few branches that merge back, and one branch left open so there are two
heads) is written twice, once importing ``schemadiff.op`` into an
environment made by ``schemadiff init``, once importing ``alembic.op`` into
one made by ``alembic init``.  Each command runs as a subprocess, as a user
would run it, so the figures include interpreter start-up and imports; the
``startup`` row (the same command on an empty versions folder) shows how
much of the total that is.

*Cold* is the first run after the scripts were written, i.e. without a
bytecode cache for them (``versions/__pycache__`` is removed before it);
*warm* is the median of the following runs, when the bytecode cache exists.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.report import fmt_ratio, fmt_seconds, format_table, log, median, ratio

TOOLS = ("schemadiff", "alembic")
COMMANDS = ("heads", "history")
DEFAULT_REVISIONS = 5000

#: Per-command time limit; a hang is recorded as an error, not waited out.
TIMEOUT = 600

#: Seconds to wait after writing the scripts before measuring.  schemadiff
#: does not cache a script whose mtime/ctime is under 2 s old (an edit in the
#: same timestamp tick could go unseen), and real revision files are old; so
#: without the wait its "warm" figure would measure a cache that cannot work.
SETTLE_SECONDS = 2.5

_BASE_DATE = _dt.datetime(2024, 1, 1, 9, 0, 0)


@dataclass(frozen=True)
class Revision:
    """One generated revision: id, parents and message."""

    index: int
    rev_id: str
    down: tuple[str, ...]
    message: str


def rev_id(index: int) -> str:
    """A deterministic 12-hex-digit id, shaped like the generated ones."""
    return hashlib.sha1(f"schemadiff-bench-{index}".encode()).hexdigest()[:12]


def build_graph(n: int, branches: int = 4) -> list[Revision]:
    """A linear-ish graph of exactly ``n`` revisions in dependency order.

    ``branches`` side branches fork off the main line at evenly spaced
    points, run in parallel with it for a while and are merged back by a
    merge revision (two parents); one more branch forks near the end and
    stays open, so the graph ends with two heads.  Graph walking code
    behaves differently on merges and multiple heads than on a plain chain,
    which is why both are present.
    """
    if n < 50:
        raise ValueError("the revision graph needs at least 50 revisions")
    side_len = max(2, min(25, n // 50))
    revs: list[Revision] = []

    def new(down: tuple[str, ...], message: str) -> str:
        rid = rev_id(len(revs))
        revs.append(Revision(len(revs), rid, down, message))
        return rid

    tip = new((), "initial schema")
    events = sorted(n * (k + 1) // (branches + 2) for k in range(branches))
    open_at = n * (branches + 1) // (branches + 2)
    branch_no = 0
    while len(revs) < n:
        if events and len(revs) >= events[0]:
            events.pop(0)
            branch_no += 1
            side = tip
            for j in range(side_len):
                side = new((side,), f"feature {branch_no} step {j + 1}")
            for j in range(side_len // 2):
                tip = new((tip,), f"main while feature {branch_no} step {j + 1}")
            tip = new((tip, side), f"merge feature {branch_no}")
        elif open_at is not None and len(revs) >= open_at:
            open_at = None
            side = tip
            for j in range(min(10, n - len(revs) - 1)):
                side = new((side,), f"open feature step {j + 1}")
        else:
            tip = new((tip,), f"change number {len(revs)}")
    return revs[:n]


def _slug(message: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", message.lower()).strip("_")[:40]


def render_script(rev: Revision, op_module: str) -> str:
    """The text of one revision file, in the standard script layout."""
    if not rev.down:
        down_repr, revises = "None", ""
    elif len(rev.down) == 1:
        down_repr, revises = repr(rev.down[0]), rev.down[0]
    else:
        down_repr, revises = repr(rev.down), ", ".join(rev.down)
    created = _BASE_DATE + _dt.timedelta(minutes=rev.index)
    column = f"c{rev.index}"
    return (
        f'"""{rev.message}\n\n'
        f"Revision ID: {rev.rev_id}\n"
        f"Revises: {revises}\n"
        f"Create Date: {created.isoformat(sep=' ')}.000000\n\n"
        '"""\n\n'
        "# revision identifiers, used by the migration tool.\n"
        f"revision = {rev.rev_id!r}\n"
        f"down_revision = {down_repr}\n"
        "branch_labels = None\n"
        "depends_on = None\n\n"
        f"from {op_module} import op\n"
        "import sqlalchemy as sa\n\n\n"
        "def upgrade():\n"
        f"    op.add_column('t', sa.Column({column!r}, sa.Integer()))\n\n\n"
        "def downgrade():\n"
        f"    op.drop_column('t', {column!r})\n"
    )


def write_versions(versions: Path, revs: Sequence[Revision], op_module: str) -> None:
    """Write every revision file into ``versions``."""
    for rev in revs:
        path = versions / f"{rev.rev_id}_{_slug(rev.message)}.py"
        path.write_text(render_script(rev, op_module), encoding="utf-8")


# -- running the commands ----------------------------------------------------
def tool_command(tool: str) -> list[str]:
    """The console script of ``tool`` next to this interpreter, else ``-m``."""
    script = Path(sys.executable).parent / tool
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", tool]


@dataclass
class Outcome:
    """One subprocess run."""

    seconds: float
    returncode: int | None
    stdout: str
    stderr: str

    @property
    def error(self) -> str | None:
        if self.returncode == 0:
            return None
        lines = [ln.strip() for ln in self.stderr.splitlines() if ln.strip()]
        # The CLI's own message when there is one, else the traceback's end.
        failed = [ln for ln in lines if ln.startswith(("FAILED:", "ERROR"))]
        text = " | ".join(failed or lines[-3:]) or f"exit status {self.returncode}"
        return f"exit {self.returncode}: {text}"[:400]


def run_command(tool: str, args: Sequence[str], cwd: Path) -> Outcome:
    """Run ``tool args`` in ``cwd`` and time it from spawn to exit."""
    cmd = [*tool_command(tool), *args]
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the warm runs need the bytecode cache
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        return Outcome(time.perf_counter() - t0, None, "", f"timed out after {TIMEOUT}s")
    return Outcome(time.perf_counter() - t0, proc.returncode, proc.stdout, proc.stderr)


@dataclass
class CommandResult:
    """Cold and warm figures of one (tool, command)."""

    tool: str
    command: str
    cold: float | None = None
    warm: list[float] = field(default_factory=list)
    output_lines: int | None = None
    heads: list[str] = field(default_factory=list)
    same_output_as_alembic: bool | None = None
    error: str | None = None
    stdout: str = field(default="", repr=False)

    @property
    def warm_median(self) -> float | None:
        return median(self.warm)


@dataclass
class RevisionSuiteResult:
    """Everything the revision suite measured."""

    revisions: int
    expected_heads: list[str]
    startup: dict[str, float | None] = field(default_factory=dict)
    startup_errors: dict[str, str] = field(default_factory=dict)
    setup_errors: dict[str, str] = field(default_factory=dict)
    results: list[CommandResult] = field(default_factory=list)

    def get(self, tool: str, command: str) -> CommandResult | None:
        for r in self.results:
            if r.tool == tool and r.command == command:
                return r
        return None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for item, result in zip(data["results"], self.results, strict=True):
            item["warm_median"] = result.warm_median
            del item["stdout"]
        data["ratios_alembic_over_schemadiff"] = {
            command: {
                "cold": ratio(*self._pair(command, cold=True)),
                "warm": ratio(*self._pair(command, cold=False)),
            }
            for command in COMMANDS
        }
        return data

    def _pair(self, command: str, cold: bool) -> tuple[float | None, float | None]:
        al, sd = self.get("alembic", command), self.get("schemadiff", command)

        def figure(r: CommandResult | None) -> float | None:
            if r is None or r.error:
                return None
            return r.cold if cold else r.warm_median

        return figure(al), figure(sd)


def _init_env(tool: str, root: Path) -> Path:
    """Create ``root`` with ``<tool> init migrations``; returns the versions dir."""
    root.mkdir(parents=True)
    outcome = run_command(tool, ["init", "migrations"], root)
    if outcome.error:
        raise RuntimeError(f"{tool} init failed: {outcome.error}")
    versions = root / "migrations" / "versions"
    versions.mkdir(exist_ok=True)
    return versions


def _parse_heads(stdout: str) -> list[str]:
    """Revision ids at the start of each line of ``heads`` output."""
    ids = []
    for line in stdout.splitlines():
        m = re.match(r"\s*([0-9a-f]{12})\b", line)
        if m:
            ids.append(m.group(1))
    return sorted(ids)


def run_suite(n: int = DEFAULT_REVISIONS, repeat: int = 3) -> RevisionSuiteResult:
    """Generate the graph for both tools and time ``heads`` and ``history``."""
    revs = build_graph(n)
    children = {d for r in revs for d in r.down}
    expected = sorted(r.rev_id for r in revs if r.rev_id not in children)
    suite = RevisionSuiteResult(revisions=n, expected_heads=expected)
    with tempfile.TemporaryDirectory(prefix="sdbench-revs-") as tmp:
        roots: dict[str, Path] = {}
        for tool in TOOLS:
            root = Path(tmp) / tool
            try:
                versions = _init_env(tool, root)
            except Exception as exc:  # noqa: BLE001 - record; the other tool still runs
                suite.setup_errors[tool] = str(exc)[:400]
                log(f"[revisions] {tool}: setup ERROR {exc}")
                continue
            roots[tool] = root
            # Start-up cost: the same command on an empty versions folder.
            times = []
            for _ in range(repeat):
                outcome = run_command(tool, ["heads"], root)
                if outcome.error:
                    suite.startup_errors[tool] = outcome.error
                    break
                times.append(outcome.seconds)
            suite.startup[tool] = median(times)
            log(f"[revisions] {tool}: writing {n} revision files ...")
            write_versions(versions, revs, tool)
        written = time.monotonic()
        time.sleep(max(0.0, SETTLE_SECONDS - (time.monotonic() - written)))
        for command in COMMANDS:
            for tool in TOOLS:
                if tool in roots:
                    suite.results.append(_measure(tool, command, roots[tool], repeat))
            sd, al = suite.get("schemadiff", command), suite.get("alembic", command)
            if sd and al and not sd.error and not al.error:
                sd.same_output_as_alembic = sd.stdout == al.stdout
    return suite


def _measure(tool: str, command: str, root: Path, repeat: int) -> CommandResult:
    """Cold run (bytecode cache removed), then ``repeat`` warm runs."""
    result = CommandResult(tool=tool, command=command)
    shutil.rmtree(root / "migrations" / "versions" / "__pycache__", ignore_errors=True)
    cold = run_command(tool, [command], root)
    log(f"[revisions] {tool} {command} cold: {cold.seconds:.2f}s rc={cold.returncode}")
    if cold.error:
        result.error = cold.error
        return result
    result.cold = cold.seconds
    result.stdout = cold.stdout
    result.output_lines = len(cold.stdout.splitlines())
    if command == "heads":
        result.heads = _parse_heads(cold.stdout)
    for i in range(repeat):
        warm = run_command(tool, [command], root)
        log(f"[revisions] {tool} {command} warm {i + 1}/{repeat}: {warm.seconds:.2f}s")
        if warm.error:
            result.error = warm.error
            break
        result.warm.append(warm.seconds)
    return result


def format_results(suite: RevisionSuiteResult) -> str:
    """The revision table: cold, warm and ratio per (command, tool)."""
    headers = [
        "command",
        "tool",
        "cold s",
        "warm s",
        "alembic/sd cold",
        "alembic/sd warm",
        "lines",
        "note",
    ]
    rows: list[list[str]] = []
    for tool in TOOLS:
        err = suite.setup_errors.get(tool) or suite.startup_errors.get(tool)
        rows.append(
            [
                "startup (0 revs)",
                tool,
                "",
                fmt_seconds(suite.startup.get(tool)),
                "",
                "",
                "",
                f"ERROR {err}" if err else "",
            ]
        )
    for command in COMMANDS:
        cold_ratio = ratio(*suite._pair(command, cold=True))
        warm_ratio = ratio(*suite._pair(command, cold=False))
        for tool in TOOLS:
            r = suite.get(tool, command)
            if r is None:
                rows.append(
                    [
                        command,
                        tool,
                        "-",
                        "-",
                        "",
                        "",
                        "-",
                        f"ERROR {suite.setup_errors.get(tool, 'not run')}",
                    ]
                )
                continue
            notes = []
            if r.error:
                notes.append(f"ERROR {r.error}")
            elif command == "heads":
                ok = r.heads == suite.expected_heads
                notes.append(f"heads {'ok' if ok else 'MISMATCH'}: {', '.join(r.heads)}")
            if r.same_output_as_alembic is not None:
                same = r.same_output_as_alembic
                notes.append(
                    "output identical to alembic" if same else "output DIFFERS from alembic"
                )
            note = "; ".join(notes)
            rows.append(
                [
                    command,
                    tool,
                    fmt_seconds(r.cold),
                    fmt_seconds(r.warm_median),
                    fmt_ratio(cold_ratio) if tool == "schemadiff" else "",
                    fmt_ratio(warm_ratio) if tool == "schemadiff" else "",
                    "-" if r.output_lines is None else str(r.output_lines),
                    note,
                ]
            )
    title = (
        f"Revision graph: {suite.revisions} scripts, expected heads "
        f"{', '.join(suite.expected_heads)}"
    )
    return title + "\n" + format_table(headers, rows)
