"""The shipped pytest plugin, run against sample projects (one passing, several failing)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.cli.test_templates import MODEL, run

GOOD_UP = '''"""create account"""
revision = "a1"
down_revision = None
branch_labels = None
depends_on = None
from schemadiff import op
import sqlalchemy as sa

def upgrade():
    op.create_table("account", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("name", sa.String(50), nullable=False))

def downgrade():
    op.drop_table("account")
'''

LEAKY = '''"""add a table but forget it on the way down"""
revision = "b2"
down_revision = "a1"
branch_labels = None
depends_on = None
from schemadiff import op
import sqlalchemy as sa

def upgrade():
    op.create_table("audit", sa.Column("id", sa.Integer, primary_key=True))

def downgrade():
    pass
'''

SIBLING = LEAKY.replace('revision = "b2"', 'revision = "c3"').replace("audit", "other")


def _project(tmp_path: Path, *scripts: tuple[str, str]) -> Path:
    run(tmp_path, "init", "migrations")
    env_py = tmp_path / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text().replace(
            "target_metadata = None", "from models import metadata\ntarget_metadata = metadata"
        )
    )
    (tmp_path / "models.py").write_text(MODEL)
    for name, text in scripts:
        (tmp_path / "migrations" / "versions" / name).write_text(text)
    return tmp_path


def _pytest(cwd: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "schemadiff.testing",
            "--schemadiff",
            "-q",
            "-p",
            "no:cacheprovider",
            *extra,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
    )


def test_plugin_passes_a_healthy_project(tmp_path):
    proc = _pytest(_project(tmp_path, ("a1_create_account.py", GOOD_UP)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "4 passed" in proc.stdout


def test_plugin_fails_where_a_project_is_broken(tmp_path):
    project = _project(
        tmp_path,
        ("a1_create_account.py", GOOD_UP),
        ("b2_leaky.py", LEAKY),
        ("c3_sibling.py", SIBLING.replace('down_revision = "a1"', 'down_revision = "a1"')),
    )
    proc = _pytest(project)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert "FAILED schemadiff::single_head" in out
    assert "expected exactly one head revision, found 2" in out
    assert "FAILED schemadiff::models_match_head" in out
    assert "FAILED schemadiff::downgrade_reverses_upgrade" in out
    assert "does not undo its upgrade" in out


def test_plugin_shares_one_scratch_database_between_its_tests(tmp_path):
    project = _project(tmp_path, ("a1_create_account.py", GOOD_UP))
    proc = _pytest(project, "--schemadiff-url", f"sqlite:///{tmp_path / 'shared.db'}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "4 passed" in proc.stdout
