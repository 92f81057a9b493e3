"""How many statements an upgrade costs, and that the saved ones were unobservable.

In one transaction, the version-row updates of consecutive migrations with
no statement between them are written as one (``runtime.version_writes``);
every statement a script runs, and every commit, still finds the row of the
migration before it.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from schemadiff import command
from schemadiff.errors import MigrationError
from tests.helpers import make_project

SCRIPT = '''"""step {index}"""
revision = "{rev}"
down_revision = {down!r}
branch_labels = None
depends_on = None
from schemadiff import op
import sqlalchemy as sa

def upgrade():
{body}

def downgrade():
    pass
'''

#: a script that asserts the version row says its predecessor when it starts
READS_ITS_PREDECESSOR = """\
    found = op.get_bind().exec_driver_sql("SELECT version_num FROM schemadiff_version").all()
    assert [r[0] for r in found] == [{down!r}], found"""

UPDATE = re.compile(r"^\s*UPDATE\s+\W?schemadiff_version\b", re.IGNORECASE)


def _rev(index: int) -> str:
    return f"{index:04d}aaaabbbb"


def _write(root: Path, bodies: list[str]) -> None:
    versions = root / "migrations" / "versions"
    for index, body in enumerate(bodies, start=1):
        down = _rev(index - 1) if index > 1 else None
        (versions / f"{_rev(index)}_step.py").write_text(
            SCRIPT.format(index=index, rev=_rev(index), down=down, body=body.format(down=down))
        )


@contextmanager
def _statements() -> Iterator[list[str]]:
    """Every statement any engine of this process runs meanwhile."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(sa.Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(sa.Engine, "before_cursor_execute", record)


def _versions(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.exec_driver_sql("SELECT version_num FROM schemadiff_version").scalars())


def test_revisions_that_run_nothing_cost_one_update_in_one_transaction(
    database, tmp_path: Path
) -> None:
    project = make_project(tmp_path, database.url_string)
    _write(project.root, ["    pass"] * 30)
    with _statements() as seen:
        command.upgrade(project.config(), "head")
    updates = [s for s in seen if UPDATE.match(s)]
    assert len(updates) == 1
    engine = database.engine()
    try:
        assert _versions(engine) == [_rev(30)]
    finally:
        engine.dispose()


def test_a_transaction_per_migration_writes_every_row(database, tmp_path: Path) -> None:
    project = make_project(tmp_path, database.url_string)
    _write(project.root, ["    pass"] * 12)
    with _statements() as seen:
        command.upgrade(project.config(configure={"transaction_per_migration": True}), "head")
    assert len([s for s in seen if UPDATE.match(s)]) == 11


def test_every_script_finds_the_row_of_the_migration_before_it(database, tmp_path: Path) -> None:
    bodies = ["    pass", "    pass", READS_ITS_PREDECESSOR, "    pass", "    pass"]
    bodies += [READS_ITS_PREDECESSOR, "    op.get_bind().commit()", READS_ITS_PREDECESSOR]
    project = make_project(tmp_path, database.url_string)
    _write(project.root, bodies)
    command.upgrade(project.config(), "head")
    engine = database.engine()
    try:
        assert _versions(engine) == [_rev(len(bodies))]
    finally:
        engine.dispose()


def test_a_failure_after_quiet_revisions_leaves_rows_matching_the_schema(
    database, tmp_path: Path
) -> None:
    """Held rows go with the transaction.  Where DDL commits as it runs (MariaDB)
    the migration that created a table keeps its row; the quiet ones after it
    are undone with the failure, as everything is where the run is one transaction."""
    create = '    op.create_table("made", sa.Column("id", sa.Integer, primary_key=True))'
    bodies = (
        [create] + ["    pass"] * 3 + ['    op.execute("INSERT INTO no_such_table VALUES (1)")']
    )
    project = make_project(tmp_path, database.url_string)
    _write(project.root, bodies)
    with pytest.raises(MigrationError, match="no_such_table"):
        command.upgrade(project.config(), "head")
    engine = database.engine()
    try:
        made = sa.inspect(engine).has_table("made")
        assert made is (database.backend == "mysql")
        rows = _versions(engine) if sa.inspect(engine).has_table("schemadiff_version") else []
        assert rows == ([_rev(1)] if made else [])
    finally:
        engine.dispose()


def test_the_journal_costs_one_insert_and_one_delete_per_early_commit(
    database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A migration committing early is journaled: its row goes in with that commit and
    out with its version row.  The run asks the catalog about the journal table once
    and writes no defensive DELETE for a revision it knows has no row: on MySQL and
    MariaDB, where every DDL statement commits, that was three more statements for
    nearly every migration."""
    count = 6
    bodies = [
        "    with op.get_context().autocommit_block():\n"
        f'        op.execute("CREATE TABLE early_{index} (id INTEGER)")'
        for index in range(1, count + 1)
    ]
    project = make_project(tmp_path, database.url_string)
    _write(project.root, bodies)
    caplog.set_level(logging.DEBUG, logger="schemadiff.runtime.raw")
    with _statements() as seen:
        command.upgrade(project.config(), "head")
    raw = [r.getMessage() for r in caplog.records if r.name == "schemadiff.runtime.raw"]
    journal = [s for s in seen + raw if "schemadiff_version_journal" in s]
    verbs = Counter(s.split()[0].upper() for s in journal)
    assert verbs["INSERT"] == count
    assert verbs["DELETE"] == count
    assert verbs["CREATE"] == 1
    assert verbs["DROP"] == 1  # the run ended well: no empty journal is left behind
    engine = database.engine()
    try:
        assert _versions(engine) == [_rev(count)]
        assert not sa.inspect(engine).has_table("schemadiff_version_journal")
    finally:
        engine.dispose()
