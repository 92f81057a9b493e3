"""Every init template runs the loop: init, autogenerate, upgrade head, check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

MODEL = """
import sqlalchemy as sa
metadata = sa.MetaData()
sa.Table("account", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False))
"""


def run(cwd: Path, *args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "schemadiff", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == expect, f"{args}: {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def _point_env_at_models(root: Path) -> None:
    env_py = root / "migrations" / "env.py"
    text = env_py.read_text()
    assert "target_metadata = None" in text
    env_py.write_text(
        text.replace(
            "target_metadata = None", "from models import metadata\ntarget_metadata = metadata"
        )
    )
    (root / "models.py").write_text(MODEL)


def _loop(root: Path) -> None:
    _point_env_at_models(root)
    run(root, "check", expect=1)
    run(root, "revision", "--autogenerate", "-m", "create account")
    run(root, "upgrade", "head")
    assert run(root, "check").stdout.strip() == "No new upgrade operations detected."
    assert run(root, "current").stdout.strip().endswith("(head)")


@pytest.mark.parametrize("template", ["generic", "pyproject", "async"])
def test_template_runs_the_loop_on_sqlite(tmp_path, template):
    proc = run(tmp_path, "init", "-t", template, "migrations")
    assert "Please edit configuration/connection/logging settings in" in proc.stdout
    for name in ("env.py", "README", "script.py.mako"):
        assert (tmp_path / "migrations" / name).is_file()
    assert (tmp_path / "migrations" / "versions").is_dir()
    assert (tmp_path / "schemadiff.ini").is_file()
    if template == "pyproject":
        toml = (tmp_path / "pyproject.toml").read_text()
        assert "[tool.schemadiff]" in toml and 'script_location = "migrations"' in toml
        assert "script_location" not in (tmp_path / "schemadiff.ini").read_text()
    _loop(tmp_path)


def test_pyproject_template_appends_to_an_existing_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "app"\n')
    proc = run(tmp_path, "init", "-t", "pyproject", "migrations")
    assert f"Appending to {tmp_path.resolve() / 'pyproject.toml'}...done" in proc.stdout
    text = (tmp_path / "pyproject.toml").read_text()
    assert text.startswith('[project]\nname = "app"\n') and "[tool.schemadiff]" in text


def test_async_template_on_postgresql_with_asyncpg(tmp_path, database):
    if database.backend != "postgresql":
        pytest.skip("the async template is exercised with asyncpg on PostgreSQL (and aiosqlite)")
    run(tmp_path, "init", "-t", "async", "migrations")
    url = database.url.set(drivername="postgresql+asyncpg")
    options = url.query.get("options")
    if options:  # asyncpg takes server settings, not libpq's options string
        schema = options.split("=", 1)[1]
        url = url.difference_update_query(["options"]).update_query_dict(
            {"prepared_statement_cache_size": "0"}
        )
        env_py = tmp_path / "migrations" / "env.py"
        env_py.write_text(
            env_py.read_text().replace(
                "poolclass=pool.NullPool,",
                f"poolclass=pool.NullPool,\n        connect_args={{'server_settings': {{'search_path': '{schema}'}}}},",
            )
        )
    ini = tmp_path / "schemadiff.ini"
    ini.write_text(
        ini.read_text().replace(
            "sqlalchemy.url = sqlite+aiosqlite:///%(here)s/app.db",
            "sqlalchemy.url = " + url.render_as_string(hide_password=False).replace("%", "%%"),
        )
    )
    _loop(tmp_path)
