"""``upgrade`` on a terminal: the progress bar and the log share the screen.

Run in a pseudo-terminal and replayed through a terminal emulator (pyte),
so the assertions are about what a user sees once the run is over, not
about escape sequences.
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pyte

from tests.helpers import make_project

SCRIPT = '''"""step {n}"""
revision = "{rev}"
down_revision = {down!r}
branch_labels = None
depends_on = None
from schemadiff import op
import sqlalchemy as sa

def upgrade():
    op.create_table("t{n}", sa.Column("id", sa.Integer, primary_key=True))

def downgrade():
    op.drop_table("t{n}")
'''

STEPS = 8
BAR = re.compile(r"migrating|\b\d+/\d+\b")


def _project(tmp_path: Path) -> Path:
    project = make_project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    down = None
    for n in range(1, STEPS + 1):
        rev = f"{n:012d}"
        path = project.root / "migrations" / "versions" / f"{rev}_step.py"
        path.write_text(SCRIPT.format(n=n, rev=rev, down=down))
        down = rev
    return project.root


def _in_terminal(cwd: Path, *args: str) -> tuple[int, bytes]:
    """Run the command line with stdin/stdout/stderr on a pseudo-terminal."""
    primary, secondary = pty.openpty()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "TERM": "xterm", "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "schemadiff", *args],
        cwd=cwd,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env=env,
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    return proc.wait(timeout=60), b"".join(chunks)


def _screen(raw: bytes) -> list[str]:
    screen = pyte.Screen(100, 60)
    stream = pyte.ByteStream(screen)
    stream.feed(raw)
    return [line.rstrip() for line in screen.display if line.strip()]


def test_log_lines_go_above_the_bar_and_no_frame_stays(tmp_path):
    root = _project(tmp_path)
    code, raw = _in_terminal(root, "upgrade", "head")
    assert code == 0, raw.decode(errors="replace")
    assert b"migrating" in raw, "the bar was never drawn: the test would prove nothing"
    lines = _screen(raw)
    running = [line for line in lines if "Running upgrade" in line]
    expected = [
        f"INFO  [schemadiff.runtime.migration] Running upgrade "
        f"{'' if n == 1 else f'{n - 1:012d}'}".rstrip()
        for n in range(1, STEPS + 1)
    ]
    assert len(running) == STEPS, "\n".join(lines)
    for line, start in zip(running, expected, strict=True):
        # each record starts its own line, whole, with nothing of a bar frame in it
        assert line.startswith(start), "\n".join(lines)
        assert not BAR.search(line.split("->")[-1]), "\n".join(lines)
    stale = [line for line in lines if BAR.search(line) and "Running upgrade" not in line]
    assert stale == [], "\n".join(lines)


def test_a_pipe_gets_the_plain_log(tmp_path):
    root = _project(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "schemadiff", "upgrade", "head"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stderr
    assert proc.stderr.splitlines()[-STEPS:] == [
        "INFO  [schemadiff.runtime.migration] Running upgrade "
        + (f"{n - 1:012d} -> " if n > 1 else " -> ")
        + f"{n:012d}, step {n}"
        for n in range(1, STEPS + 1)
    ]
