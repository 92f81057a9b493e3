"""Small things a new user meets in the first hour: -q, pipes closed early."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import make_project

BIG = '''"""prints a lot"""
revision = "{rev}"
down_revision = {down!r}
branch_labels = None
depends_on = None
from schemadiff import op


def upgrade():
    import sys

    sys.stderr.write("upgrade() runs\\n")
    sys.stderr.flush()
    for n in range(30):
        op.execute("SELECT " + ", ".join(str(i) for i in range(2000)))


def downgrade():
    pass
'''


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schemadiff", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def test_quiet_revision_prints_nothing(tmp_path):
    project = make_project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    loud = _cli(project.root, "revision", "-m", "first")
    assert loud.returncode == 0 and "Generating" in loud.stdout
    quiet = _cli(project.root, "-q", "revision", "-m", "second")
    assert quiet.returncode == 0, quiet.stderr
    assert (quiet.stdout, quiet.stderr) == ("", "")
    assert len(project.versions()) == 2


def test_offline_sql_into_a_pipe_closed_early_is_not_an_error(tmp_path):
    """``upgrade --sql | head``: the script's own write meets the closed pipe."""
    project = make_project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    versions = project.root / "migrations" / "versions"
    (versions / "a1_big.py").write_text(BIG.format(rev="a1", down=None))
    proc = subprocess.Popen(
        [sys.executable, "-m", "schemadiff", "upgrade", "base:head", "--sql"],
        cwd=project.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert proc.stdout is not None and proc.stderr is not None
    # once upgrade() runs, it has ~300 KB to write into a pipe that holds
    # 64 KB: closing the pipe now fails one of its own writes
    log = ""
    while "upgrade() runs" not in log:
        line = proc.stderr.readline().decode()
        assert line, log
        log += line
    proc.stdout.close()
    err = log + proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, err
    assert "FAILED" not in err and "BrokenPipe" not in err


def test_a_script_with_a_syntax_error_stops_history_and_upgrade_up_front(tmp_path):
    project = make_project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    versions = project.root / "migrations" / "versions"
    (versions / "a1_ok.py").write_text(
        BIG.format(rev="a1", down=None).replace("range(30)", "range(1)")
    )
    broken = versions / "b2_broken.py"
    broken.write_text(BIG.format(rev="b2", down="a1").replace("def downgrade():", "def down("))
    message = f"FAILED: Could not parse revision script {broken} (line 18): "
    for args in (("history",), ("upgrade", "head")):
        proc = _cli(project.root, *args)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert message in proc.stderr, proc.stderr
        assert "Running upgrade" not in proc.stderr  # nothing ran
    assert _cli(project.root, "current").returncode == 2


def test_stamp_purge_clears_rows_that_name_no_revision(tmp_path):
    import sqlalchemy as sa

    project = make_project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    versions = project.root / "migrations" / "versions"
    (versions / "a1_ok.py").write_text(
        BIG.format(rev="a1", down=None).replace("range(30)", "range(0)")
    )
    assert _cli(project.root, "stamp", "a1").returncode == 0
    engine = sa.create_engine(project.url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE schemadiff_version SET version_num = '<unknown row>'"))
    engine.dispose()
    current = _cli(project.root, "current")
    assert current.returncode == 2
    assert "FAILED: Can't locate revision identified by '<unknown row>'" in current.stderr
    assert _cli(project.root, "stamp", "head").returncode == 2  # without --purge: refused
    purged = _cli(project.root, "stamp", "--purge", "head")
    assert purged.returncode == 0, purged.stderr
    assert "Running stamp_revision <unknown row> ->" in purged.stderr
    assert _cli(project.root, "current").stdout == "a1 (head)\n"


def test_x_url_points_the_generic_template_at_another_database(tmp_path):
    """docs/ci.md's ``-x url=...`` works with the env.py ``init`` writes."""
    project = make_project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    versions = project.root / "migrations" / "versions"
    (versions / "a1_ok.py").write_text(
        BIG.format(rev="a1", down=None).replace("range(30)", "range(0)")
    )
    other = tmp_path / "ci.db"
    proc = _cli(project.root, "-x", f"url=sqlite:///{other}", "upgrade", "head")
    assert proc.returncode == 0, proc.stderr
    assert other.exists() and not (tmp_path / "app.db").exists()
    assert _cli(project.root, "-x", f"url=sqlite:///{other}", "current").stdout == "a1 (head)\n"


def test_config_given_twice_reads_the_ini_file_and_the_pyproject(tmp_path):
    project = tmp_path / "proj"
    project.mkdir()
    assert _cli(project, "init", "-t", "pyproject", "migrations").returncode == 0
    toml = project / "pyproject.toml"
    toml.write_text(
        toml.read_text().replace(
            'script_location = "migrations"', 'script_location = "%(here)s/migrations"'
        )
    )
    assert _cli(project, "revision", "-m", "one", "--rev-id", "a1").returncode == 0
    ini = "proj/schemadiff.ini"
    alone = _cli(tmp_path, "-c", ini, "heads")  # ./pyproject.toml is not the project's
    assert alone.returncode == 2 and "No 'script_location' key found" in alone.stderr
    both = _cli(tmp_path, "-c", ini, "-c", "proj/pyproject.toml", "heads")
    assert (both.returncode, both.stdout) == (0, "a1 (head)\n"), both.stderr
    wrong = _cli(tmp_path, "-c", ini, "-c", ini, "heads")
    assert wrong.returncode == 2
    assert "FAILED: -c/--config twice takes one ini file and one .toml file" in wrong.stderr
