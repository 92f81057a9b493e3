"""Commands racing each other: no double apply, no torn version table.

Two real processes start together against one database, per backend and
transaction mode; whichever order the run lock (or SQLite's write lock)
gives them, both must finish and leave one row that matches the schema.
Each pair runs REPEAT times (bounded: the point is the invariant, not a
stress test).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import make_project
from tests.runtime.faults import REVS, TABLES, state, write_history

#: how often each pair runs (SCHEMADIFF_RACE_REPEAT=20 to hunt for interleavings)
REPEAT = int(os.environ.get("SCHEMADIFF_RACE_REPEAT", "1"))


def _start(root: Path, per_migration: bool, *args: str) -> subprocess.Popen[str]:
    code = (
        "import sys\n"
        "from schemadiff.cli import run\n"
        "from schemadiff.runtime.environment import PROGRESS_ATTRIBUTE\n"
        "import schemadiff.config as c\n"
        "real = c.find_config\n"
        "def find(*a, **k):\n"
        "    cfg = real(*a, **k)\n"
        f"    cfg.attributes['configure'] = {{'transaction_per_migration': {per_migration}}}\n"
        "    return cfg\n"
        "import schemadiff.cli as cli\n"
        "cli.find_config = find\n"
        "sys.exit(run(sys.argv[1:]))\n"
    )
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _both(root: Path, per_migration: bool, first: list[str], second: list[str]) -> None:
    procs = [_start(root, per_migration, *first), _start(root, per_migration, *second)]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, f"{proc.args[3:]} exited {proc.returncode}\n{err}"


def _tables_of(version: tuple[str, ...]) -> frozenset[str]:
    if not version:
        return frozenset()
    upto = REVS.index(version[0])
    return frozenset(t for r in REVS[: upto + 1] for t in TABLES[r])


@pytest.mark.parametrize("mode", ["run", "migration"])
def test_racing_pairs_keep_one_consistent_row(database, engine, tmp_path, backend, mode):
    from schemadiff import command

    project = make_project(tmp_path, database.url_string)
    write_history(tmp_path)
    per_migration = mode == "migration"
    for _ in range(REPEAT):
        # upgrade and downgrade: the schema always matches the one row left
        command.upgrade(project.config(), REVS[1])
        _both(tmp_path, per_migration, ["upgrade", "head"], ["downgrade", "base"])
        found = state(engine)
        assert len(found.version) <= 1 and found.tables == _tables_of(found.version), found
        # stamp and upgrade: exactly one row, never both (issue 19 item 5)
        command.stamp(project.config(), "base", purge=True)
        for table in sorted(found.tables):
            with engine.begin() as conn:
                conn.exec_driver_sql(f"DROP TABLE {table}")
        command.upgrade(project.config(), REVS[0])
        _both(tmp_path, per_migration, ["upgrade", "head"], ["stamp", REVS[1]])
        found = state(engine)
        assert len(found.version) == 1 and found.version[0] in REVS, found
        assert not found.journal
        command.stamp(project.config(), "base", purge=True)
        for table in sorted(found.tables):
            with engine.begin() as conn:
                conn.exec_driver_sql(f"DROP TABLE {table}")


def test_a_stamp_between_planning_and_running_is_planned_around(
    database, engine, tmp_path, monkeypatch
):
    """One transaction per migration: the rows moved after the plan was made.

    A stamp committed between the upgrade's planning read and its first
    step (on SQLite nothing holds a lock there) used to make the step
    update a row that was gone ("expected to match one row ... 0 found").
    """
    import schemadiff.revisions as revisions
    from schemadiff import command

    if database.backend != "sqlite":
        pytest.skip(
            "PostgreSQL and MariaDB hold the run lock from the planning read to the last "
            "step, so a real stamp waits for it (the racing pairs above cover them)"
        )
    project = make_project(tmp_path, database.url_string)
    write_history(tmp_path)
    per_migration = {"transaction_per_migration": True}
    command.upgrade(project.config(configure=per_migration), REVS[0])
    real = revisions.plan_upgrade
    moved: list[bool] = []

    def plan_then_stamp(graph, rows, target):  # type: ignore[no-untyped-def]
        steps = real(graph, rows, target)
        if not moved:  # another command stamps r2 right after our planning read
            moved.append(True)
            with engine.begin() as conn:
                conn.exec_driver_sql(f"UPDATE schemadiff_version SET version_num = '{REVS[1]}'")
        return steps

    monkeypatch.setattr(revisions, "plan_upgrade", plan_then_stamp)
    command.upgrade(project.config(configure=per_migration), "head")
    found = state(engine)
    assert found.version == (REVS[3],)
    assert found.tables == {"t1", "t3a", "t3b", "t4"}  # r2 was stamped, not run
