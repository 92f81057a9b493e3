"""Renames and ``safe_migrations`` through the real command line (SQLite)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from tests.helpers import Project, make_project

BEFORE = """\
import sqlalchemy as sa

metadata = sa.MetaData()

account = sa.Table(
    "account",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(50)),
)
"""


@pytest.fixture
def project(tmp_path) -> Project:
    project = make_project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    project.write_models(BEFORE)
    engine = sa.create_engine(project.url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE account (id INTEGER PRIMARY KEY, email VARCHAR(50))")
    engine.dispose()
    return project


def test_check_suggests_a_rename_and_says_how_to_confirm(project: Project) -> None:
    project.write_models(BEFORE.replace('"email"', '"email_address"'))
    proc = project.cli("check", expect=1)
    assert (
        "add_column: added column 'account.email_address', possibly renamed from 'email' "
        "(removed); if so, confirm with info={'renamed_from': 'email'} on the column to keep "
        "its data"
    ) in proc.stdout
    assert "remove_column: removed column 'account.email'" in proc.stdout
    changes = json.loads(project.cli("check", "--format", "json", expect=1).stdout)["changes"]
    added = next(c for c in changes if c["kind"] == "add_column")
    assert added["detail"]["possible_rename_of"] == "email"


def test_check_reports_a_hinted_rename_at_the_model_line(project: Project) -> None:
    models = BEFORE.replace(
        'sa.Column("email", sa.String(50))',
        'sa.Column("contact", sa.String(50), info={"renamed_from": "email"})',
    )
    project.write_models(models)
    line = models.splitlines().index(
        '    sa.Column("contact", sa.String(50), info={"renamed_from": "email"}),'
    )
    proc = project.cli("check", expect=1)
    assert (
        f"rename_column: renamed column 'account.email' to 'contact' (models.py:{line + 1})"
    ) in proc.stdout
    project.cli("revision", "--autogenerate", "-m", "rename")
    project.cli("upgrade", "head")
    assert "No new upgrade operations detected." in project.cli("check").stdout


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("safe_migrations", "maybe", "Option 'safe_migrations' must be true or false, not 'maybe'"),
        (
            "safe_lock_timeout",
            "5 seconds",
            "Option 'safe_lock_timeout' must be a duration like '5s', '500ms' or '1min', "
            "not '5 seconds'",
        ),
    ],
)
def test_bad_safe_settings_fail_cleanly(project: Project, key: str, value: str, message: str):
    ini = project.root / "schemadiff.ini"
    ini.write_text(
        ini.read_text().replace("[post_write_hooks]", f"{key} = {value}\n\n[post_write_hooks]")
    )
    proc = project.cli("upgrade", "head", expect=2)
    assert proc.stderr.strip() == f"FAILED: {message}"


def test_safe_migrations_from_the_config_file_runs_on_sqlite(project: Project) -> None:
    ini = project.root / "schemadiff.ini"
    text = ini.read_text().replace(
        "[post_write_hooks]", "safe_migrations = true\nsafe_lock_timeout = 2s\n\n[post_write_hooks]"
    )
    ini.write_text(text)
    project.write_models(BEFORE.replace("sa.String(50))", "sa.String(50), index=True)"))
    project.cli("revision", "--autogenerate", "-m", "index")
    plain = project.cli("upgrade", "head", "--sql").stdout
    assert "CREATE INDEX ix_account_email ON account (email);" in plain
    project.cli("upgrade", "head")
    assert "No new upgrade operations detected." in project.cli("check").stdout
