"""The fault matrix: every kind of fault at every point of a run, per backend and mode.

After each fault the database must be exactly what the backend's rules say
(``faults.expected``), the FAILED message must say what it holds (the
version table's rows, each statement that stayed), a SIGKILL must be
reported by the next command when part of a migration stayed, and the
recovery the message documents must bring the database to head.

Set ``SCHEMADIFF_FAULT_MATRIX=FILE`` to append one line per cell with the
observed outcome (the table in the closing note of issue 19).
"""

from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa

from schemadiff import command
from schemadiff.errors import MigrationError
from tests.helpers import make_project
from tests.runtime.faults import (
    FAULTS,
    REVS,
    TABLES,
    State,
    expected,
    run_killed,
    state,
    write_history,
)

POINTS = ("before", "between", "after")
CELLS = [
    (mode, point, fault)
    for mode in ("run", "migration")
    for fault in FAULTS
    for point in POINTS
    if not (fault == "syntax" and point == "between")
]
HEAD = State((REVS[3],), frozenset(t for r in REVS for t in TABLES[r]), False)


def _record(backend: str, mode: str, point: str, fault: str, found: State, said: str) -> None:
    path = os.environ.get("SCHEMADIFF_FAULT_MATRIX")
    if not path:
        return
    with open(path, "a") as out:
        tables = ",".join(sorted(found.tables)) or "-"
        version = ",".join(found.version) or "base"
        out.write(
            f"{backend}\t{mode}\t{point}\t{fault}\tversion={version}\ttables={tables}"
            f"\tjournal={found.journal}\t{said}\n"
        )


def _check_message(message: str, found: State, failing: str) -> None:
    """The FAILED message describes the database as it is."""
    says = re.search(r"the version table says ([^.)]+)", message, re.IGNORECASE)
    assert says is not None, message
    assert says.group(1).strip() == (", ".join(found.version) or "base"), message
    for table in TABLES[failing]:
        stayed = f"CREATE TABLE {table} " in message
        assert stayed == (table in found.tables), (table, message)
    if found.journal:
        assert f"run 'schemadiff stamp {failing}'" in message, message


@pytest.mark.parametrize(("mode", "point", "fault"), CELLS, ids=["-".join(c) for c in CELLS])
def test_fault_cell(database, engine, tmp_path, backend, mode, point, fault):
    project = make_project(tmp_path, database.url_string)
    per_migration = mode == "migration"
    configure = {"transaction_per_migration": per_migration}
    write_history(tmp_path, point, fault)
    failing = REVS[3] if point == "after" else REVS[2]

    if fault == "sigkill":
        proc = run_killed(tmp_path, per_migration)
        assert proc.returncode == -9, proc.stderr
        found = state(engine)
        # nothing was printed: the next command must say what the kill left
        after = project.cli("current", expect=0)
        warned = f"The upgrade of revision {failing}" in after.stderr
        assert warned == found.journal, after.stderr
        said = "warning" if warned else "no warning"
    else:
        with pytest.raises(MigrationError) as info:
            command.upgrade(project.config(configure=configure), "head")
        message = str(info.value)
        assert f"upgrade of revision {failing}" in message, message
        found = state(engine)
        _check_message(message, found, failing)
        kept = re.findall(r"CREATE TABLE (\w+) ", message)
        said = ("kept " + ",".join(kept)) if kept else "rolled back"
    _record(backend, mode, point, fault, found, said)
    assert found == expected(backend, per_migration, point, fault)

    # the documented recovery: finish the partial revision by hand and stamp
    # it, or (nothing partial) fix the script and upgrade again
    write_history(tmp_path)
    if found.journal:
        metadata = sa.MetaData()
        for table in TABLES[failing]:
            if table not in found.tables:
                sa.Table(table, metadata, sa.Column("id", sa.Integer, primary_key=True))
        metadata.create_all(engine)
        command.stamp(project.config(configure=configure), failing)
    command.upgrade(project.config(configure=configure), "head")
    assert state(engine) == HEAD
