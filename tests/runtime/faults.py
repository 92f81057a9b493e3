"""A small history with a fault planted where a test wants it, and what to expect.

Revisions r1 and r2 each create a table; r3 creates ``t3a`` and ``t3b``; r4
creates ``t4``.  A fault sits in r3 (``before`` its first statement or
``between`` its two) or at the start of r4 (``after`` r3's version update).
Faults: a SQL error, a Python exception, a syntax error (the script does not
import), and SIGKILL of the process (the run then happens in a subprocess).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

REVS = ("fa0000000001", "fa0000000002", "fa0000000003", "fa0000000004")
TABLES = {REVS[0]: ("t1",), REVS[1]: ("t2",), REVS[2]: ("t3a", "t3b"), REVS[3]: ("t4",)}

FAULTS = {
    "sql": '    op.execute("INSERT INTO no_such_table (id) VALUES (1)")',
    "python": '    raise RuntimeError("planted fault")',
    "syntax": "    this is not python",
    "sigkill": "    import os, signal; os.kill(os.getpid(), signal.SIGKILL)",
}

SCRIPT = '''"""{rev} step"""
revision = "{rev}"
down_revision = {down!r}
branch_labels = None
depends_on = None
from schemadiff import op
import sqlalchemy as sa


def upgrade():
{body}


def downgrade():
{down_body}
'''


def create(table: str) -> str:
    return f'    op.create_table("{table}", sa.Column("id", sa.Integer, primary_key=True))'


def write_history(root: Path, point: str | None = None, fault: str | None = None) -> None:
    """The four scripts, with ``fault`` at ``point`` (or none)."""
    versions = root / "migrations" / "versions"
    for i, rev in enumerate(REVS):
        lines = [create(t) for t in TABLES[rev]]
        if fault is not None:
            planted = FAULTS[fault]
            if rev == REVS[2] and point == "before":
                lines.insert(0, planted)
            elif rev == REVS[2] and point == "between":
                lines.insert(1, planted)
            elif rev == REVS[3] and point == "after":
                lines.insert(0, planted)
        down_body = "\n".join(f'    op.drop_table("{t}")' for t in reversed(TABLES[rev]))
        (versions / f"{rev}_step.py").write_text(
            SCRIPT.format(
                rev=rev, down=REVS[i - 1] if i else None, body="\n".join(lines), down_body=down_body
            )
        )


@dataclass(frozen=True)
class State:
    version: tuple[str, ...]
    tables: frozenset[str]
    journal: bool


def state(engine: sa.Engine) -> State:
    names = set(sa.inspect(engine).get_table_names())
    version: tuple[str, ...] = ()
    if "schemadiff_version" in names:
        with engine.connect() as conn:
            version = tuple(
                conn.exec_driver_sql("SELECT version_num FROM schemadiff_version").scalars()
            )
    journal = False
    if "schemadiff_version_journal" in names:
        with engine.connect() as conn:
            found = conn.exec_driver_sql("SELECT revision FROM schemadiff_version_journal")
            journal = bool(found.all())
    names -= {"schemadiff_version", "schemadiff_version_journal"}
    return State(version, frozenset(names), journal)


def expected(backend: str, per_migration: bool, point: str, fault: str) -> State:
    """What the database must hold after the fault: the backend's rules, written out."""
    transactional = backend != "mysql"
    if fault == "syntax" and point == "between":  # pragma: no cover - not a cell
        raise AssertionError("a syntax error has no 'between'")
    if transactional and not per_migration:
        return State((), frozenset(), False)
    if point == "after":
        done = REVS[:3]
        return State((REVS[2],), frozenset(t for r in done for t in TABLES[r]), False)
    tables = {"t1", "t2"}
    partial = not transactional and point == "between" and fault != "syntax"
    if partial:
        tables.add("t3a")
    # the journal remembers r3 only when part of it was committed
    return State((REVS[1],), frozenset(tables), partial)


def run_killed(root: Path, per_migration: bool) -> subprocess.CompletedProcess[str]:
    """``upgrade head`` in a process that SIGKILLs itself at the planted point."""
    code = (
        "import sys\n"
        "from schemadiff import command\n"
        "from schemadiff.config import Config\n"
        "cfg = Config('schemadiff.ini')\n"
        f"cfg.attributes['configure'] = {{'transaction_per_migration': {per_migration}}}\n"
        "command.upgrade(cfg, 'head')\n"
    )
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, env=env
    )
