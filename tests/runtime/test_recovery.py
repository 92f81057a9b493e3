"""Ways out of a bad state, and failures that must say what they left (issue 19)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from schemadiff import command
from schemadiff.errors import MigrationError
from tests.helpers import make_project
from tests.runtime.faults import REVS, state, write_history

ROOT = Path(__file__).resolve().parents[2]


def _rows(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.exec_driver_sql("SELECT version_num FROM schemadiff_version").scalars())


def _set_rows(engine: sa.Engine, *rows: str) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM schemadiff_version")
        for row in rows:
            conn.exec_driver_sql(f"INSERT INTO schemadiff_version (version_num) VALUES ('{row}')")


def test_an_unknown_row_is_explained_and_can_be_cleared(database, engine, tmp_path):
    project = make_project(tmp_path, database.url_string)
    write_history(tmp_path)
    command.upgrade(project.config(), REVS[1])
    _set_rows(engine, "deadbeef")
    failed = project.cli("current", expect=2).stderr
    assert "FAILED: Can't locate revision identified by 'deadbeef'" in failed
    assert "no revision script defines it" in failed and "stamp --purge" in failed
    command.stamp(project.config(), REVS[1], purge=True)
    assert _rows(engine) == [REVS[1]]
    _set_rows(engine, REVS[1], "deadbeef")
    command.stamp(project.config(), "base")
    assert _rows(engine) == []


def test_current_with_an_empty_versions_directory_says_why(database, engine, tmp_path):
    project = make_project(tmp_path, database.url_string)
    write_history(tmp_path)
    command.upgrade(project.config(), REVS[0])
    for script in project.versions():
        script.unlink()
    failed = project.cli("current", expect=2).stderr
    assert f"Can't locate revision identified by '{REVS[0]}'" in failed
    assert "no revision script defines it" in failed


def test_env_py_calling_sys_exit_is_reported(database, tmp_path):
    project = make_project(tmp_path, database.url_string)
    env_py = tmp_path / "migrations" / "env.py"
    env_py.write_text("import sys\nsys.exit(3)\n" + env_py.read_text())
    proc = project.cli("current", expect=2)
    assert f"FAILED: {env_py} called sys.exit(3); the command stopped there" in proc.stderr


def test_raiseerr_prints_the_traceback_and_exits_2_as_documented(database, tmp_path):
    project = make_project(tmp_path, database.url_string)
    proc = project.cli("--raiseerr", "upgrade", "nosuchrev", expect=2)
    assert "Traceback" in proc.stderr and "FAILED" not in proc.stderr
    docs = (ROOT / "docs" / "commands.md").read_text()
    assert "With `--raiseerr` the full Python traceback is printed" in docs
    assert "the exit status stays 2" in docs


def test_autocommit_block_work_is_reported_as_kept(database, engine, tmp_path, backend):
    """Issue 11: the FAILED line claimed a full rollback while an index stayed."""
    project = make_project(tmp_path, database.url_string)
    write_history(tmp_path)
    versions = tmp_path / "migrations" / "versions"
    script = versions / f"{REVS[2]}_step.py"
    script.write_text(
        script.read_text().replace(
            '    op.create_table("t3a"',
            "    with op.get_context().autocommit_block():\n"
            '        op.create_index("ix_t1_id", "t1", ["id"])\n'
            '    raise RuntimeError("after the block")\n'
            '    op.create_table("t3a"',
        )
    )
    (versions / f"{REVS[3]}_step.py").unlink()
    with pytest.raises(MigrationError) as info:
        command.upgrade(project.config(), "head")
    message = str(info.value)
    assert [i["name"] for i in sa.inspect(engine).get_indexes("t1")] == ["ix_t1_id"]
    assert "CREATE INDEX ix_t1_id ON t1 (id)  [ran in autocommit_block()]" in message
    assert f"Kept: revisions {REVS[0]}, {REVS[1]} of this run" in message
    assert f"The version table says {REVS[1]}." in message
    assert _rows(engine) == [REVS[1]]
    # the next command warns: part of r3 is in the schema, the version table says r2
    warned = project.cli("current").stderr
    assert f"The upgrade of revision {REVS[2]} ({REVS[1]} -> {REVS[2]}) did not finish" in warned
    # the documented way out: undo by hand, fix, upgrade again; the warning goes
    with engine.begin() as conn:
        conn.execute(sa.text("DROP INDEX ix_t1_id" + (" ON t1" if backend == "mysql" else "")))
    write_history(tmp_path)
    command.upgrade(project.config(), "head")
    assert "did not finish" not in project.cli("current").stderr
    assert state(engine).version == (REVS[3],) and not state(engine).journal


def test_stamp_plans_from_rows_read_under_the_write_lock(database, engine, tmp_path, monkeypatch):
    """Issue 19 item 5: another run moves the table between stamp's first read and its write."""
    import schemadiff.revisions as revisions

    project = make_project(tmp_path, database.url_string)
    write_history(tmp_path)
    per_migration = {"transaction_per_migration": True}
    command.upgrade(project.config(configure=per_migration), REVS[0])
    real = revisions.plan_stamp
    calls: list[tuple[str, ...]] = []

    def racing_plan(graph, rows, targets, purge):  # type: ignore[no-untyped-def]
        calls.append(tuple(rows))
        if len(calls) == 1:  # a concurrent upgrade commits right after our first read
            _set_rows(engine, REVS[3])
        return real(graph, rows, targets, purge)

    monkeypatch.setattr(revisions, "plan_stamp", racing_plan)
    command.stamp(project.config(configure=per_migration), REVS[2])
    assert _rows(engine) == [REVS[2]]
    assert calls == [(REVS[0],), (REVS[3],)]


def test_work_before_a_scripts_own_commit_is_reported_and_journaled(database, engine, tmp_path):
    """Issue 11: a script that commits on its own, then fails."""
    project = make_project(tmp_path, database.url_string)
    write_history(tmp_path)
    script = tmp_path / "migrations" / "versions" / f"{REVS[2]}_step.py"
    script.write_text(
        script.read_text().replace(
            '    op.create_table("t3b"',
            '    op.get_bind().commit()\n    raise RuntimeError("after commit")\n'
            '    op.create_table("t3b"',
        )
    )
    with pytest.raises(MigrationError) as info:
        command.upgrade(project.config(), "head")
    message = str(info.value)
    found = state(engine)
    assert found.version == (REVS[1],) and found.journal
    assert found.tables == {"t1", "t2", "t3a"}
    assert f"Kept: revisions {REVS[0]}, {REVS[1]} of this run" in message
    assert "CREATE TABLE t3a " in message and f"The version table says {REVS[1]}." in message
    warned = project.cli("current").stderr
    assert f"The upgrade of revision {REVS[2]} ({REVS[1]} -> {REVS[2]}) did not finish" in warned
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t3b (id INTEGER PRIMARY KEY)")
    command.stamp(project.config(), REVS[2])
    assert "did not finish" not in project.cli("current").stderr
    assert not state(engine).journal


def test_a_failed_downgrade_says_what_stayed(database, engine, tmp_path, backend):
    project = make_project(tmp_path, database.url_string)
    write_history(tmp_path)
    command.upgrade(project.config(), "head")
    script = tmp_path / "migrations" / "versions" / f"{REVS[2]}_step.py"
    script.write_text(
        script.read_text().replace(
            '    op.drop_table("t3a")',
            '    raise RuntimeError("half way")\n    op.drop_table("t3a")',
        )
    )
    with pytest.raises(MigrationError) as info:
        command.downgrade(project.config(), "base")
    message = str(info.value)
    found = state(engine)
    assert f"downgrade of revision {REVS[2]}" in message
    says = f"the version table says {', '.join(found.version) or 'base'}"
    assert says in message.lower()
    if backend == "mysql":  # each DROP TABLE committed as it ran; r4's downgrade is complete
        assert found.version == (REVS[2],) and found.tables == {"t1", "t2", "t3a"}
        assert f"Kept: revision {REVS[3]} of this run (downgrade complete" in message
        assert "DROP TABLE t3b  [MariaDB DDL is not transactional" in message
        assert f"run 'schemadiff stamp {REVS[1]}'" in message
        with engine.begin() as conn:  # complete it by hand, as the message says
            conn.exec_driver_sql("DROP TABLE t3a")
        command.stamp(project.config(), REVS[1])
    else:
        assert found.version == (REVS[3],) and found.tables == {"t1", "t2", "t3a", "t3b", "t4"}
        assert "Rolled back: schema and version table are as before this run" in message
    write_history(tmp_path)
    command.downgrade(project.config(), "base")
    after = state(engine)
    assert after.version == () and not after.tables and not after.journal
