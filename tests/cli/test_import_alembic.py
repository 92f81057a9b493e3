"""``schemadiff import-alembic``: what it writes, what it leaves, how it fails.

The end-to-end proof (real Alembic projects, then every listing, upgrade
and check compared with Alembic's) is in ``tests/alembic``; these are the
command's own rules, on small projects written by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from benchmarks.alembic_history import ENV_PY, INI
from schemadiff.cli import run

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SCRIPT = '''"""first

Revision ID: aaa
Revises:
"""
from alembic import op
import sqlalchemy as sa
from alembic.autogenerate import comparators
import alembic_utils
import alembic


revision = "aaa"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    from alembic import context as ctx

    op.create_table("t", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("t")
'''

MAKO = "from typing import Sequence\n\nfrom alembic import op\nimport sqlalchemy as sa\n"


def _project(root: Path) -> Path:
    (root / "migrations" / "versions").mkdir(parents=True)
    (root / "alembic.ini").write_text(INI.format(url="sqlite:///app.db", level="INFO"))
    (root / "migrations" / "env.py").write_text(ENV_PY)
    (root / "migrations" / "script.py.mako").write_text(MAKO)
    (root / "migrations" / "versions" / "aaa_first.py").write_text(SCRIPT)
    return root


def _files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): p.read_text()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_import_writes_config_and_rewrites_imports(tmp_path, monkeypatch, capsys) -> None:
    root = _project(tmp_path)
    monkeypatch.chdir(root)
    assert run(["import-alembic"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "Writing migrations/env.py",
        "Writing migrations/versions/aaa_first.py",
        "Writing migrations/script.py.mako",
        "Writing schemadiff.ini",
    ]
    # the plugin imports are listed, and left as they are
    assert err.splitlines() == [
        "WARNING: migrations/versions/aaa_first.py:8: 'from alembic.autogenerate import "
        "comparators' has no schemadiff equivalent; left as it is",
        "WARNING: migrations/versions/aaa_first.py:9: 'import alembic_utils' has no "
        "schemadiff equivalent; left as it is",
    ]
    script = (root / "migrations" / "versions" / "aaa_first.py").read_text()
    assert script == (
        SCRIPT.replace("from alembic import op", "from schemadiff import op")
        .replace("import alembic\n", "import schemadiff as alembic\n")
        .replace("from alembic import context as ctx", "from schemadiff import context as ctx")
    )
    assert "from schemadiff import context" in (root / "migrations" / "env.py").read_text()
    assert "from schemadiff import op" in (root / "migrations" / "script.py.mako").read_text()

    ini = (root / "schemadiff.ini").read_text()
    original = (root / "alembic.ini").read_text()
    assert original == INI.format(url="sqlite:///app.db", level="INFO")  # left alone
    assert ini.startswith(
        "[schemadiff]\n# import-alembic: keep using the version table Alembic wrote\n"
        "version_table = alembic_version\nscript_location = %(here)s/migrations\n"
    )
    assert "keys = root,sqlalchemy,schemadiff\n" in ini
    assert "[logger_schemadiff]\nlevel = INFO\nhandlers =\nqualname = schemadiff\n" in ini
    # every other line is kept as it was
    kept = [line for line in original.splitlines() if "alembic" not in line]
    assert [line for line in ini.splitlines() if line in kept] == kept

    # once the user drops the plugin imports it warned about, the project runs,
    # on the version table Alembic left
    versions = root / "migrations" / "versions" / "aaa_first.py"
    versions.write_text(
        script.replace("from alembic.autogenerate import comparators\n", "").replace(
            "import alembic_utils\n", ""
        )
    )
    assert run(["heads"]) == 0
    assert capsys.readouterr().out == "aaa (head)\n"
    assert run(["upgrade", "head"]) == 0
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{root / 'app.db'}")
    try:
        tables = sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()
    assert "alembic_version" in tables and "schemadiff_version" not in tables


def test_dry_run_writes_nothing_and_a_second_run_changes_nothing(
    tmp_path, monkeypatch, capsys
) -> None:
    root = _project(tmp_path)
    monkeypatch.chdir(root)
    before = _files(root)
    assert run(["import-alembic", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert _files(root) == before
    assert out.startswith("Writing migrations/env.py\n")
    assert "--- a/migrations/env.py\n+++ b/migrations/env.py\n" in out
    assert "-from alembic import context\n+from schemadiff import context\n" in out
    assert "--- /dev/null\n+++ b/schemadiff.ini\n" in out

    assert run(["import-alembic"]) == 0
    capsys.readouterr()
    after = _files(root)
    assert run(["import-alembic"]) == 0
    assert capsys.readouterr().out == (
        "Nothing to change: the project is already set up for schemadiff\n"
    )
    assert _files(root) == after


def test_pyproject_source(tmp_path, monkeypatch, capsys) -> None:
    root = _project(tmp_path)
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text().replace("script_location = %(here)s/migrations\n", ""))
    (root / "pyproject.toml").write_text(
        '[project]\nname = "app"\n\n[tool.alembic]\nscript_location = "%(here)s/migrations"\n'
        'prepend_sys_path = ["."]\n\n[[tool.alembic.post_write_hooks]]\nname = "ruff"\n'
        'type = "module"\n\n[tool.other]\nx = 1\n'
    )
    monkeypatch.chdir(root)
    assert run(["import-alembic"]) == 0
    assert "Writing pyproject.toml" in capsys.readouterr().out.splitlines()
    data = tomllib.loads((root / "pyproject.toml").read_text())
    assert data["tool"]["schemadiff"] == {
        **data["tool"]["alembic"],
        "version_table": "alembic_version",
    }
    assert data["tool"]["other"] == {"x": 1} and data["project"] == {"name": "app"}
    assert "version_table" not in (root / "schemadiff.ini").read_text()
    assert run(["heads"]) == 0
    assert capsys.readouterr().out == "aaa (head)\n"
    assert run(["import-alembic"]) == 0  # idempotent here too


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda root: None, "FAILED: No Alembic project in "),
        (
            lambda root: (_project(root), (root / "schemadiff.ini").write_text("[schemadiff]\n")),
            "FAILED: schemadiff.ini already exists and is not the translation of alembic.ini; "
            "nothing was written",
        ),
        (
            lambda root: (
                _project(root),
                (root / "migrations" / "versions" / "bbb_broken.py").write_text("def (:\n"),
            ),
            "FAILED: migrations/versions/bbb_broken.py is not valid Python (line 1)",
        ),
    ],
    ids=["no-project", "schemadiff-ini-there", "broken-script"],
)
def test_errors_exit_2_and_write_nothing(tmp_path, monkeypatch, capsys, setup, message) -> None:
    setup(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = _files(tmp_path)
    assert run(["import-alembic"]) == 2
    assert capsys.readouterr().err.startswith(message)
    assert _files(tmp_path) == before


def test_a_version_table_the_project_names_is_kept(tmp_path, monkeypatch, capsys) -> None:
    root = _project(tmp_path)
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text().replace("[alembic]\n", "[alembic]\nversion_table = legacy\n"))
    monkeypatch.chdir(root)
    assert run(["import-alembic"]) == 0
    lines = (root / "schemadiff.ini").read_text().splitlines()
    assert [line for line in lines if "version_table" in line] == ["version_table = legacy"]
