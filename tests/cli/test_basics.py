"""Command-line conventions that need no database: init, templates, errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from schemadiff.cli import mask_passwords


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schemadiff", *args], cwd=cwd, capture_output=True, text=True
    )


def test_init_writes_the_environment_in_the_seeds_words(tmp_path):
    proc = run(tmp_path, "init", "migrations")
    assert proc.returncode == 0, proc.stderr
    root = tmp_path.resolve()
    assert proc.stdout.splitlines() == [
        f"Creating directory {root / 'migrations'}...done",
        f"Creating directory {root / 'migrations' / 'versions'}...done",
        f"Generating {root / 'schemadiff.ini'}...done",
        f"Generating {root / 'migrations' / 'README'}...done",
        f"Generating {root / 'migrations' / 'env.py'}...done",
        f"Generating {root / 'migrations' / 'script.py.mako'}...done",
        "Please edit configuration/connection/logging settings in",
        f"'{root / 'schemadiff.ini'}' before proceeding.",
    ]
    ini = (tmp_path / "schemadiff.ini").read_text()
    assert "[schemadiff]" in ini
    assert "script_location = migrations" in ini
    assert "prepend_sys_path = ." in ini
    assert "sqlalchemy.url = sqlite:///" in ini
    assert "target_metadata = None" in (tmp_path / "migrations" / "env.py").read_text()


def test_init_refuses_a_non_empty_directory(tmp_path):
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "keep.txt").write_text("mine")
    proc = run(tmp_path, "init", "migrations")
    assert proc.returncode == 2
    assert proc.stderr.startswith("FAILED: Directory ")
    assert "already exists and is not empty" in proc.stderr
    assert (tmp_path / "migrations" / "keep.txt").read_text() == "mine"


def test_list_templates(tmp_path):
    proc = run(tmp_path, "list_templates")
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert lines[0] == "Available templates:"
    assert "generic - Generic single-database configuration." in lines
    assert "  schemadiff init --template generic ./scripts" in lines


def test_missing_configuration_is_failed_exit_2_without_traceback(tmp_path):
    proc = run(tmp_path, "upgrade", "head")
    assert proc.returncode == 2
    assert proc.stderr.startswith("FAILED: ")
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip() == (
        "FAILED: No config file 'schemadiff.ini' found, and no pyproject.toml with "
        "[tool.schemadiff]; run 'schemadiff init DIR' first, or pass -c FILE"
    )


def test_unknown_command_is_exit_2(tmp_path):
    proc = run(tmp_path, "frobnicate")
    assert proc.returncode == 2
    assert "FAILED:" in proc.stderr


def test_passwords_are_masked_in_messages():
    assert (
        mask_passwords("cannot reach postgresql://scott:tiger@host/db now")
        == "cannot reach postgresql://scott:***@host/db now"
    )
    assert (
        mask_passwords("mysql+pymysql://root@127.0.0.1/test")
        == "mysql+pymysql://root@127.0.0.1/test"
    )


def test_unreachable_database_fails_cleanly_with_masked_password(tmp_path):
    assert run(tmp_path, "init", "migrations").returncode == 0
    ini = tmp_path / "schemadiff.ini"
    ini.write_text(
        ini.read_text().replace(
            "sqlalchemy.url = sqlite:///%(here)s/app.db",
            "sqlalchemy.url = postgresql+psycopg://scott:tiger@127.0.0.1:1/nowhere",
        )
    )
    proc = run(tmp_path, "current")
    assert proc.returncode == 2
    assert proc.stderr.startswith("FAILED: ")
    assert "tiger" not in proc.stderr
    assert "Traceback" not in proc.stderr
