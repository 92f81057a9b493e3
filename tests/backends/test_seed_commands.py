"""Commands of the seeds' tool: ensure_version, current --check-heads, merge --splice."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from schemadiff import command
from schemadiff.errors import CommandError
from tests.helpers import make_project

SCRIPT = '''"""{rev}"""
revision = "{rev}"
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
'''


def _write(project, rev: str, down: str | None) -> None:
    path = project.root / "migrations" / "versions" / f"{rev}_x.py"
    path.write_text(SCRIPT.format(rev=rev, down=down))


def test_ensure_version_creates_the_table_once(tmp_path, database):
    project = make_project(tmp_path, database.url_string)
    engine = database.engine()
    try:
        assert not sa.inspect(engine).has_table("schemadiff_version")
        command.ensure_version(project.config())
        assert sa.inspect(engine).has_table("schemadiff_version")
        command.ensure_version(project.config())  # already there: nothing to do
        with engine.connect() as conn:
            count = conn.exec_driver_sql("SELECT COUNT(*) FROM schemadiff_version").scalar()
        assert count == 0
        cfg = project.config()
        cfg.stdout = cfg.output_buffer = io.StringIO()
        command.ensure_version(cfg, sql=True)
        assert "CREATE TABLE schemadiff_version" in cfg.stdout.getvalue()
    finally:
        engine.dispose()


def test_current_check_heads(tmp_path):
    project = make_project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    _write(project, "a1", None)
    _write(project, "b2", "a1")
    command.stamp(project.config(), "a1")
    with pytest.raises(CommandError, match="Database is not on all head revisions"):
        command.current(project.config(), check_heads=True)
    command.stamp(project.config(), "b2")
    cfg = project.config()
    command.current(cfg, check_heads=True)
    assert cfg.stdout.getvalue() == "b2 (head)\n"
    proc = project.cli("current", "--check-heads")
    assert proc.stdout == "b2 (head)\n"


def test_merge_of_a_non_head_needs_splice(tmp_path):
    project = make_project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    _write(project, "a1", None)
    _write(project, "b2", "a1")
    _write(project, "c3", "a1")
    with pytest.raises(CommandError, match="Revision a1 is not a head revision; please specify"):
        command.merge(project.config(), ["a1", "c3"], message="m")
    path = command.merge(project.config(), ["a1", "c3"], message="m", splice=True, rev_id="d4")
    assert "down_revision = ('a1', 'c3')" in path.read_text().replace('"', "'")
    assert project.cli("merge", "heads", "-m", "join").returncode == 0
