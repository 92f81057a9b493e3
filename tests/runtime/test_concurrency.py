"""Two ``upgrade`` runs at once never both apply a migration.

Two real processes run ``schemadiff upgrade head`` against one database.
The migration of the first one pauses until the test has seen the second
one report that it waits for the lock; nothing here depends on timing
(the deadlines only stop a broken run from hanging the suite).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from schemadiff.errors import MigrationError
from schemadiff.runtime.migration import MigrationContext, MigrationOptions
from tests.helpers import make_project

PAUSING = '''"""create thing"""
revision = "aaa000000001"
down_revision = None
branch_labels = None
depends_on = None
import os
import pathlib
import time

import sqlalchemy as sa
from schemadiff import op


def upgrade():
    sync = pathlib.Path(os.environ["SCHEMADIFF_TEST_SYNC"])
    with open(sync / "applications.log", "a") as log:
        log.write(f"{os.getpid()}\\n")
    (sync / "started").write_text("")
    deadline = time.monotonic() + 60
    while not (sync / "release").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    op.create_table("thing", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("thing")
'''

DEADLINE = 60.0


def _wait_for(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def _start(root: Path, sync: Path, name: str) -> tuple[subprocess.Popen[bytes], Path]:
    err = sync / f"{name}.stderr"
    env = {**os.environ, "SCHEMADIFF_TEST_SYNC": str(sync), "PYTHONDONTWRITEBYTECODE": "1"}
    with open(err, "wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "schemadiff", "upgrade", "head"],
            cwd=root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    return proc, err


def test_two_concurrent_upgrades_apply_each_migration_once(database, engine, tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    sync = tmp_path / "sync"
    sync.mkdir()
    make_project(root, database.url_string)
    (root / "migrations" / "versions" / "aaa000000001_create_thing.py").write_text(PAUSING)

    first, first_err = _start(root, sync, "first")
    try:
        _wait_for(lambda: (sync / "started").exists(), "the first run to start migrating")
        second, second_err = _start(root, sync, "second")
        try:
            _wait_for(
                lambda: "Waiting for the migration lock" in second_err.read_text(),
                "the second run to wait for the lock",
            )
            (sync / "release").write_text("")
            assert first.wait(DEADLINE) == 0, first_err.read_text()
            assert second.wait(DEADLINE) == 0, second_err.read_text()
        finally:
            if second.poll() is None:
                second.kill()
    finally:
        (sync / "release").write_text("")
        if first.poll() is None:
            first.kill()

    assert len((sync / "applications.log").read_text().split()) == 1
    assert "Running upgrade" in first_err.read_text()
    second_log = second_err.read_text()
    assert "Acquired the migration lock" in second_log and "Running upgrade" not in second_log
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT version_num FROM schemadiff_version").all()
    assert rows == [("aaa000000001",)]
    assert sa.inspect(engine).has_table("thing")


def test_lock_wait_gives_up_after_the_timeout(engine):
    """A run that cannot get the lock in time stops with a message saying why."""
    with engine.connect() as holder, engine.connect() as waiter:
        held = MigrationContext(holder.dialect, holder, MigrationOptions())
        held.lock_run = True
        blocked = MigrationContext(waiter.dialect, waiter, MigrationOptions(lock_timeout=0))
        blocked.lock_run = True
        with held.begin_transaction():
            with pytest.raises(
                MigrationError, match="Timed out after 0s waiting for the migration lock"
            ):
                with blocked.begin_transaction():
                    pass  # pragma: no cover - never entered
        with blocked.begin_transaction():  # free again once the holder is done
            pass
