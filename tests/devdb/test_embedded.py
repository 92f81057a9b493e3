"""``check --dev-url embedded``: a throwaway PostgreSQL from the ``embedded`` extra.

Each test points the temporary folder and the replay cache at folders of
its own, so it can prove that nothing is left behind: no folder, no server
process.  Under root (this machine, CI) the server runs as ``nobody``, so
those folders are made passable for it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from schemadiff.devdb import embedded
from schemadiff.errors import CommandError
from tests.devdb.support import unreachable_project, write_revision
from tests.helpers import Project

MODELS = """\
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

metadata = sa.MetaData()

event = sa.Table(
    "event",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.Enum("start", "stop", name="event_kind"), nullable=False),
    sa.Column("payload", postgresql.JSONB),
)
sa.Index(
    "ix_event_payload", event.c.payload, postgresql_using="gin",
    postgresql_ops={"payload": "jsonb_path_ops"},
)
"""

UPGRADE = """
op.create_table(
    "event",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.Enum("start", "stop", name="event_kind"), nullable=False),
    sa.Column("payload", postgresql.JSONB),
)
op.create_index(
    "ix_event_payload", "event", ["payload"], postgresql_using="gin",
    postgresql_ops={"payload": "jsonb_path_ops"},
)
"""


@pytest.fixture(scope="module")
def install(request: pytest.FixtureRequest) -> embedded.PostgresInstall:
    try:
        return embedded.find_install()
    except CommandError as exc:
        if request.config.getoption("--require-backends"):
            pytest.fail(f"the embedded PostgreSQL is required but unavailable: {exc}")
        pytest.skip(str(exc))


def _passable_folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="sd-emb-"))
    folder.chmod(0o711)  # 'nobody' may pass through to its own subfolders
    return folder


@pytest.fixture
def folders(install: embedded.PostgresInstall) -> Iterator[dict[str, Path]]:
    made = {"tmp": _passable_folder(), "cache": _passable_folder()}
    yield made
    for folder in made.values():
        shutil.rmtree(folder, ignore_errors=True)


def _env(folders: dict[str, Path]) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        "TMPDIR": str(folders["tmp"]),
        "SCHEMADIFF_CACHE_DIR": str(folders["cache"]),
    }


def run(project: Project, folders: dict[str, Path], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schemadiff", *args],
        cwd=project.root,
        capture_output=True,
        text=True,
        env=_env(folders),
        timeout=300,
    )


def servers_using(folder: Path) -> list[int]:
    """PostgreSQL processes whose command line names ``folder``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if str(folder).encode() in cmdline and b"postgres" in cmdline:
                found.append(int(entry.name))
    return found


def assert_nothing_left(folders: dict[str, Path]) -> None:
    assert list(folders["tmp"].glob("schemadiff-pg-*")) == []
    assert servers_using(folders["tmp"]) == [] and servers_using(folders["cache"]) == []


@pytest.fixture
def project(tmp_path: Path) -> Project:
    project = unreachable_project(tmp_path)
    project.write_models(MODELS)
    path = write_revision(project, "e1", None, UPGRADE, 'op.drop_table("event")')
    path.write_text(path.read_text().replace("import sqlalchemy as sa\n", _PG_IMPORTS))
    return project


_PG_IMPORTS = "import sqlalchemy as sa\nfrom sqlalchemy.dialects import postgresql\n"


def test_cold_run_then_cached_runs(project, folders, install):
    proc = run(project, folders, "check", "--dev-url", "embedded", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report == {
        "drift": False,
        "database": f"embedded PostgreSQL {install.version} (migrations replayed)",
        "changes": [],
    }
    assert "initdb in" in proc.stderr and "Running upgrade  -> e1" in proc.stderr
    assert_nothing_left(folders)

    # second run: the replayed cluster comes from the cache, no migration runs
    proc = run(project, folders, "check", "--dev-url", "embedded")
    assert proc.returncode == 0, proc.stderr
    assert "cached replay used in place" in proc.stderr and "Running upgrade" not in proc.stderr

    # the cache holds the schema, not the verdict: a model change is seen at once
    project.write_models(
        MODELS.replace(
            '    sa.Column("payload"', '    sa.Column("note", sa.Text),\n    sa.Column("payload"'
        )
    )
    proc = run(project, folders, "check", "--dev-url", "embedded", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    changes = json.loads(proc.stdout)["changes"]
    assert [(c["kind"], c["name"]) for c in changes] == [("add_column", "note")]
    assert "cached replay" in proc.stderr

    # editing a revision file changes the key: replayed afresh
    revision = next((project.root / "migrations" / "versions").glob("e1_*.py"))
    revision.write_text(
        revision.read_text().replace(
            UPGRADE.strip().splitlines()[0], "op.create_table(  # edited", 1
        )
    )
    proc = run(project, folders, "check", "--dev-url", "embedded")
    assert proc.returncode == 1 and "initdb in" in proc.stderr, proc.stderr
    assert_nothing_left(folders)


def test_a_cache_the_server_cannot_enter_is_copied(project, folders, tmp_path):
    # pytest's tmp_path sits in a folder closed to others: as root, the run
    # copies the cached cluster instead of using it in place
    folders = {**folders, "cache": tmp_path / "closed-cache"}
    assert run(project, folders, "check", "--dev-url", "embedded").returncode == 0
    proc = run(project, folders, "check", "--dev-url", "embedded")
    assert proc.returncode == 0, proc.stderr
    expected = "cached replay copied in" if os.geteuid() == 0 else "cached replay used in place"
    assert expected in proc.stderr
    assert_nothing_left(folders)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_run_stops_and_removes_the_server(project, folders, sig):
    marker = project.root / "started"
    write_revision(
        project,
        "e2",
        "e1",
        f"import pathlib, time\npathlib.Path({str(marker)!r}).write_text('x')\ntime.sleep(120)",
        "pass",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "schemadiff", "check", "--dev-url", "embedded"],
        cwd=project.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(folders),
        # a test worker may ignore SIGINT, and a child inherits that: Ctrl-C must reach it
        preexec_fn=_default_sigint,
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the migration never started"
        time.sleep(0.05)
    assert servers_using(folders["tmp"])  # the server runs while the migration does
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 2 and "FAILED: interrupted" in stderr
    assert_nothing_left(folders)
    # nothing half-replayed was cached
    assert list(folders["cache"].rglob("PG_VERSION")) == []


def test_a_killed_run_is_cleaned_up_by_the_next_one(project, folders):
    marker = project.root / "started"
    blocker = write_revision(
        project,
        "e2",
        "e1",
        f"import pathlib, time\npathlib.Path({str(marker)!r}).write_text('x')\ntime.sleep(120)",
        "pass",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "schemadiff", "check", "--dev-url", "embedded"],
        cwd=project.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(folders),
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    proc.kill()  # no chance to clean up: the server and its folder stay
    proc.wait()
    assert servers_using(folders["tmp"]) and list(folders["tmp"].glob("schemadiff-pg-*"))
    blocker.unlink()
    proc = run(project, folders, "check", "--dev-url", "embedded")
    assert proc.returncode == 0, proc.stderr
    assert_nothing_left(folders)


def test_a_failing_migration_is_reported_and_not_cached(project, folders):
    write_revision(project, "e2", "e1", 'op.drop_table("no_such_table")', "pass")
    proc = run(project, folders, "check", "--dev-url", "embedded")
    assert proc.returncode == 2 and "FAILED:" in proc.stderr and "Traceback" not in proc.stderr
    assert list(folders["cache"].rglob("PG_VERSION")) == []
    assert_nothing_left(folders)


def test_binaries_the_server_user_cannot_reach_are_copied(project, folders, install, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("only root runs the server as another user")
    # a virtualenv in a folder closed to 'nobody' (pytest's tmp_path is 0700)
    package = install.bindir.parent.parent
    closed = tmp_path / "site-packages"
    shutil.copytree(package, closed / package.name, symlinks=True)
    libs = package.parent / f"{package.name}.libs"
    if libs.is_dir():
        shutil.copytree(libs, closed / libs.name, symlinks=True)
    bindir = closed / package.name / install.bindir.parent.name / "bin"
    env = {**_env(folders), embedded.BIN_ENV: str(bindir)}
    proc = subprocess.run(
        [sys.executable, "-m", "schemadiff", "check", "--dev-url", "embedded"],
        cwd=project.root,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    copies = list(folders["tmp"].glob("schemadiff-postgresql-*/.complete"))
    assert len(copies) == 1
    assert_nothing_left(folders)


def test_a_pinned_major_version(project, folders, install):
    if not Path("/usr/lib/postgresql/15/bin/postgres").exists():
        pytest.skip("no PostgreSQL 15 installation at /usr/lib/postgresql/15")
    proc = run(project, folders, "check", "--dev-url", "embedded:15", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["database"].startswith("embedded PostgreSQL 15.")
    assert_nothing_left(folders)

    proc = run(project, folders, "check", "--dev-url", "embedded:9")
    assert proc.returncode == 2
    assert "FAILED: --dev-url embedded:9 needs PostgreSQL 9 server binaries (found: " in (
        proc.stderr
    )
    assert f"{install.version} in " in proc.stderr
