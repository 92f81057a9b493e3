"""The shipped pytest plugin, run against sample projects (one passing, several failing)."""

from __future__ import annotations

import getpass
import os
import re
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


BROKEN_DOWN = GOOD_UP.replace('op.drop_table("account")', 'op.drop_table("no_such_table")')

CONFTEST = """
import logging
from pathlib import Path


def pytest_sessionfinish(session):
    root = logging.getLogger()
    Path("logging-after.txt").write_text(
        " ".join([logging.getLevelName(root.level)] + sorted(type(h).__name__ for h in root.handlers))
    )
"""


def _pytest(cwd: Path, *extra: str, enable: bool = True) -> subprocess.CompletedProcess[str]:
    """pytest in a sample project; the plugin comes from its entry point, not ``-p``."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "TMPDIR": str(cwd / "tmp")}
    (cwd / "tmp").mkdir(exist_ok=True)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *(["--schemadiff"] if enable else []),
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
    # scratch databases live under pytest's own temporary directory
    assert [p.name for p in (tmp_path / "tmp").iterdir()] == [f"pytest-of-{getpass.getuser()}"]


def test_plugin_fails_where_a_project_is_broken(tmp_path):
    project = _project(
        tmp_path,
        ("a1_create_account.py", GOOD_UP),
        ("b2_leaky.py", LEAKY),
        ("c3_sibling.py", SIBLING),
    )
    proc = _pytest(project)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert "FAILED schemadiff::single_head" in out
    assert "expected exactly one head revision, found 2" in out
    assert "FAILED schemadiff::models_match_head" in out
    assert "FAILED schemadiff::downgrade_reverses_upgrade" in out
    assert re.search(
        r"downgrade of revision (b2|c3) does not undo its upgrade; "
        r"after the downgrade, compared with before the upgrade:\n"
        r"  table (audit|other): left behind \(not there before the upgrade\)\n",
        out,
    ), out


def test_a_broken_downgrade_still_shows_the_drift(tmp_path):
    project = _project(tmp_path, ("a1_create_account.py", BROKEN_DOWN))
    (project / "models.py").write_text(MODEL.replace("String(50)", "String(80)"))
    proc = _pytest(project, "-rA")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert "FAILED schemadiff::upgrade_downgrade" in out
    assert "'downgrade -1' failed: downgrade of revision a1 (" in out
    assert "FAILED schemadiff::models_match_head" in out
    assert "the models do not match the database at head" in out
    assert "modify_type: type change from VARCHAR(50) to VARCHAR(80) on 'account.name'" in out
    assert "Traceback" not in out and len(out.splitlines()) < 80, out
    # the migration log is captured with each test, pytest's way
    assert "Captured log call" in out
    assert "INFO     schemadiff.runtime.migration:" in out and "Running upgrade  -> a1" in out


def test_downgrade_reverses_upgrade_says_what_differs(tmp_path):
    widen = GOOD_UP.replace('revision = "a1"', 'revision = "b2"').replace(
        "down_revision = None", 'down_revision = "a1"'
    )
    widen = widen.split("def upgrade")[0] + (
        "def upgrade():\n"
        '    op.alter_column("account", "name", type_=sa.String(80))\n'
        '    op.create_index("ix_account_name", "account", ["name"])\n'
        '    op.add_column("account", sa.Column("email", sa.String(20)))\n\n'
        "def downgrade():\n"
        '    op.drop_column("account", "email")\n'
    )
    project = _project(tmp_path, ("a1_create_account.py", GOOD_UP), ("b2_widen.py", widen))
    proc = _pytest(project, "schemadiff::downgrade_reverses_upgrade", enable=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (
        "  table account: column 'name': type VARCHAR(50) before, VARCHAR(80) after\n"
        "  table account: index 'ix_account_name' left behind\n"
    ) in proc.stdout


def test_node_ids_can_be_run_again(tmp_path):
    project = _project(tmp_path, ("a1_create_account.py", GOOD_UP))
    proc = _pytest(project, "schemadiff::single_head", "schemadiff::models_match_head", "-vv")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "schemadiff::single_head PASSED" in proc.stdout
    assert "schemadiff::models_match_head PASSED" in proc.stdout
    assert "2 passed" in proc.stdout
    proc = _pytest(project, "schemadiff::nope", enable=False)
    assert proc.returncode == 4 and "no schemadiff test named nope" in proc.stderr


def test_env_py_logging_does_not_outlive_the_tests(tmp_path):
    """An older env.py configures logging unconditionally; the session's logging survives it."""
    project = _project(tmp_path, ("a1_create_account.py", GOOD_UP))
    env_py = project / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text().replace(' and config.attributes.get("configure_logger", True)', "")
    )
    (project / "conftest.py").write_text(CONFTEST)
    (project / "test_app.py").write_text("def test_app():\n    pass\n")
    proc = _pytest(project)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "5 passed" in proc.stdout
    assert "StreamHandler" not in (project / "logging-after.txt").read_text()


def test_plugin_shares_one_scratch_database_between_its_tests(tmp_path):
    project = _project(tmp_path, ("a1_create_account.py", BROKEN_DOWN))
    shared = tmp_path / "shared.db"
    proc = _pytest(project, "--schemadiff-url", f"sqlite:///{shared}")
    # the broken downgrade fails its tests, but does not spoil the ones after it
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "2 failed, 2 passed" in proc.stdout
    assert shared.exists()
