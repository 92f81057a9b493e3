"""Applying migrations: transactions, failures, callbacks, progress, stamping."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from schemadiff import command
from schemadiff.errors import MigrationError
from schemadiff.revisions import VersionChange
from schemadiff.runtime.environment import PROGRESS_ATTRIBUTE
from schemadiff.runtime.migration import MigrationContext, MigrationOptions
from schemadiff.runtime.progress import MigrationInfo, RichProgress
from tests.helpers import make_project

SCRIPT = '''"""{message}"""
revision = "{rev}"
down_revision = {down!r}
branch_labels = None
depends_on = None
from schemadiff import op
import sqlalchemy as sa

def upgrade():
{upgrade}

def downgrade():
{downgrade}
'''

FIRST = ("aaa000000001", None, "create thing",
         '    op.create_table("thing", sa.Column("id", sa.Integer, primary_key=True))',
         '    op.drop_table("thing")')  # fmt: skip
SECOND = ("bbb000000002", "aaa000000001", "add other",
          '    op.create_table("other", sa.Column("id", sa.Integer, primary_key=True))\n'
          '    op.execute("INSERT INTO other (id) VALUES (1)")',
          '    op.drop_table("other")')  # fmt: skip
BROKEN = ("ccc000000003", "bbb000000002", "half done",
          '    op.add_column("thing", sa.Column("name", sa.String(20)))\n'
          '    op.execute("INSERT INTO no_such_table (id) VALUES (1)")',
          "    pass")  # fmt: skip


def _write(project_root: Path, *scripts: tuple[str, str | None, str, str, str]) -> None:
    versions = project_root / "migrations" / "versions"
    for rev, down, message, up, down_body in scripts:
        (versions / f"{rev}_{message.replace(' ', '_')}.py").write_text(
            SCRIPT.format(rev=rev, down=down, message=message, upgrade=up, downgrade=down_body)
        )


def _versions(engine: sa.Engine) -> list[str]:
    if not sa.inspect(engine).has_table("schemadiff_version"):
        return []
    with engine.connect() as conn:
        return list(conn.exec_driver_sql("SELECT version_num FROM schemadiff_version").scalars())


def test_failure_mid_run_on_postgresql_leaves_nothing_behind(database, engine, tmp_path, backend):
    if backend != "postgresql":
        pytest.skip("the all-or-nothing run needs transactional DDL; see the SQLite/MySQL tests")
    project = make_project(tmp_path, database.url_string)
    _write(tmp_path, FIRST, SECOND, BROKEN)
    proc = project.cli("upgrade", "head", expect=2)
    assert proc.stderr.count("FAILED:") == 1
    failed = proc.stderr[proc.stderr.index("FAILED:") :]
    assert "upgrade of revision ccc000000003" in failed and "no_such_table" in failed
    assert "Statement: INSERT INTO no_such_table (id) VALUES (1)" in failed
    assert "Rolled back" in failed and "Traceback" not in proc.stderr
    assert set(sa.inspect(engine).get_table_names()) <= {"schemadiff_version"}
    assert _versions(engine) == []


def test_failure_with_a_transaction_per_migration_keeps_the_earlier_ones(
    database, engine, tmp_path, backend
):
    project = make_project(tmp_path, database.url_string)
    per_migration = {"transaction_per_migration": True}
    _write(tmp_path, FIRST, SECOND, BROKEN)
    with pytest.raises(MigrationError, match="ccc000000003") as info:
        command.upgrade(project.config(configure=per_migration), "head")
    assert _versions(engine) == ["bbb000000002"]
    tables = set(sa.inspect(engine).get_table_names())
    assert {"thing", "other"} <= tables
    cols = [c["name"] for c in sa.inspect(engine).get_columns("thing")]
    if backend == "mysql":
        assert "DDL is not transactional" in str(info.value)
        assert cols == ["id", "name"]  # MySQL committed the ADD COLUMN on its own
    else:
        assert cols == ["id"]
    _write(tmp_path, BROKEN[:3] + ("    pass", "    pass"))
    command.upgrade(project.config(configure=per_migration), "head")  # resumes there
    assert _versions(engine) == ["ccc000000003"]


def test_callbacks_and_progress_see_every_step(database, engine, tmp_path):
    project = make_project(tmp_path, database.url_string)
    _write(tmp_path, FIRST, SECOND)
    seen: list[tuple[MigrationInfo, set[str]]] = []

    def on_apply(*, ctx, step, heads, run_args):  # type: ignore[no-untyped-def]
        seen.append((step, heads))

    configure = {"on_version_apply": [on_apply]}
    screen = io.StringIO()
    from rich.console import Console

    progress = RichProgress(Console(file=screen, force_terminal=True, width=100))
    command.upgrade(project.config(configure=configure, **{PROGRESS_ATTRIBUTE: progress}), "head")
    assert [(s.up_revision_id, s.is_upgrade, h) for s, h in seen] == [
        ("aaa000000001", True, {"aaa000000001"}),
        ("bbb000000002", True, {"bbb000000002"}),
    ]
    assert seen[1][0].source_revision_ids == ("aaa000000001",)
    assert "bbb000000002 add other" in screen.getvalue()
    seen.clear()
    command.downgrade(project.config(configure=configure), "base")
    assert [(s.up_revision_id, s.is_upgrade, h) for s, h in seen] == [
        ("bbb000000002", False, {"aaa000000001"}),
        ("aaa000000001", False, set()),
    ]


def test_stamp_online(engine):
    with engine.connect() as conn:
        mc = MigrationContext(conn.dialect, conn, MigrationOptions())
        mc.lock_run = True
        with mc.begin_transaction():
            assert mc.stamp([VersionChange("insert", None, "aaa000000001")]) == ("aaa000000001",)
        with mc.begin_transaction():
            mc.stamp([VersionChange("update", "aaa000000001", "bbb000000002")])
    assert _versions(engine) == ["bbb000000002"]


def test_autocommit_block_runs_outside_the_transaction(engine, backend):
    from schemadiff import op
    from tests.operations.support import migration

    with migration(engine) as operations:
        op.create_table("t", sa.Column("x", sa.Integer))
        with op.get_context().autocommit_block():
            if backend == "postgresql":
                op.execute("CREATE INDEX CONCURRENTLY ix_t_x ON t (x)")
            else:
                op.create_index("ix_t_x", "t", ["x"])
        op.add_column("t", sa.Column("y", sa.Integer))
        assert operations.migration_context.connection.in_transaction()
    assert [i["name"] for i in sa.inspect(engine).get_indexes("t")] == ["ix_t_x"]
    assert [c["name"] for c in sa.inspect(engine).get_columns("t")] == ["x", "y"]
