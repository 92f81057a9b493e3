"""``--sql``: the script a DBA runs, compared with golden files per dialect.

Golden files live in ``fixtures/offline/`` with a ``-- dialect:`` and a
``-- command:`` header.  Set ``SCHEMADIFF_REGEN_GOLDEN=1`` to rewrite them
after an intended change, then review the diff.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from schemadiff import command
from schemadiff.errors import CommandError, MigrationError
from schemadiff.revisions import VersionChange
from schemadiff.runtime.migration import MigrationContext, MigrationOptions
from tests.helpers import make_project
from tests.operations.support import convention_metadata

FIXTURES = Path(__file__).parents[2] / "fixtures" / "offline"
URLS = {
    "sqlite": "sqlite:///offline.db",
    "postgresql": "postgresql+psycopg://scott:tiger@localhost/x",
    "mysql": "mysql+pymysql://scott:tiger@localhost/x",
}
DIALECTS = ("sqlite", "postgresql", "mysql")


def _project(tmp_path: Path, backend: str):  # type: ignore[no-untyped-def]
    project = make_project(tmp_path, URLS[backend])
    env_py = tmp_path / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text().replace(
            "literal_binds=True,", 'literal_binds=True, **config.attributes.get("configure", {}),'
        )
    )
    for script in (FIXTURES / "scripts").glob("*.py"):
        shutil.copy(script, tmp_path / "migrations" / "versions" / script.name)
    return project


def _offline(project, verb: str, revision: str, **configure) -> str:  # type: ignore[no-untyped-def]
    cfg = project.config(convention_metadata(), configure=configure)
    out = io.StringIO()
    cfg.output_buffer = out
    getattr(command, verb)(cfg, revision, sql=True)
    return out.getvalue()


def _golden(name: str, backend: str, command_line: str, sql: str) -> None:
    path = FIXTURES / f"{name}.{backend}.sql"
    text = f"-- dialect: {backend}\n-- command: {command_line}\n\n{sql}"
    if os.environ.get("SCHEMADIFF_REGEN_GOLDEN"):
        path.write_text(text)
    assert path.exists(), f"no golden file {path}; run with SCHEMADIFF_REGEN_GOLDEN=1"
    assert text == path.read_text(), f"offline SQL differs from {path}"


def test_upgrade_from_base(tmp_path, backend):
    sql = _offline(_project(tmp_path, backend), "upgrade", "head")
    _golden("upgrade_head", backend, "schemadiff upgrade head --sql", sql)
    assert not (tmp_path / "offline.db").exists()


def test_upgrade_range_one_transaction_per_migration(tmp_path, backend):
    sql = _offline(
        _project(tmp_path, backend),
        "upgrade",
        "1975ea83b712:ae1027a6acf",
        transaction_per_migration=True,
    )
    _golden(
        "upgrade_range_per_migration",
        backend,
        "schemadiff upgrade 1975ea83b712:ae1027a6acf --sql",
        sql,
    )
    assert "CREATE TABLE schemadiff_version" not in sql  # the range starts above base


def test_downgrade_range_to_base(tmp_path, backend):
    sql = _offline(_project(tmp_path, backend), "downgrade", "53fffde5ad5:base")
    _golden("downgrade_base", backend, "schemadiff downgrade 53fffde5ad5:base --sql", sql)


def test_merge_mechanics_match_the_seeds(tmp_path):
    """The version-table statements of the seeds' merge walk-through, in order."""
    sql = _offline(_project(tmp_path, "postgresql"), "upgrade", "head")
    version_lines = [
        line
        for line in sql.splitlines()
        if line.startswith("-- Running")
        or (line.startswith(("INSERT", "UPDATE", "DELETE")) and "schemadiff_version" in line)
    ]
    assert version_lines == [
        "-- Running upgrade  -> 1975ea83b712, create account table",
        "INSERT INTO schemadiff_version (version_num) VALUES ('1975ea83b712');",
        "-- Running upgrade 1975ea83b712 -> 27c6a30d7c24, add shopping cart table",
        "UPDATE schemadiff_version SET version_num='27c6a30d7c24' "
        "WHERE schemadiff_version.version_num = '1975ea83b712';",
        "-- Running upgrade 1975ea83b712 -> ae1027a6acf, add a column",
        "INSERT INTO schemadiff_version (version_num) VALUES ('ae1027a6acf');",
        "-- Running upgrade ae1027a6acf, 27c6a30d7c24 -> 53fffde5ad5, merge ae1 and 27c",
        "DELETE FROM schemadiff_version WHERE schemadiff_version.version_num = 'ae1027a6acf';",
        "UPDATE schemadiff_version SET version_num='53fffde5ad5' "
        "WHERE schemadiff_version.version_num = '27c6a30d7c24';",
    ]


def test_range_only_offline_and_downgrade_needs_one(tmp_path):
    project = _project(tmp_path, "sqlite")
    with pytest.raises(CommandError, match="Range revision not allowed"):
        command.upgrade(project.config(), "1975ea83b712:ae1027a6acf")
    with pytest.raises(CommandError, match="requires <fromrev>:<torev>"):
        command.downgrade(project.config(), "base", sql=True)


def test_batch_without_copy_from_offline_is_a_clear_error(tmp_path):
    project = _project(tmp_path, "sqlite")
    script = tmp_path / "migrations" / "versions" / "53fffde5ad5_merge_ae1_and_27c.py"
    script.write_text(script.read_text().replace(", copy_from=account", ""))
    with pytest.raises(MigrationError, match="copy_from=Table") as info:
        _offline(project, "upgrade", "head")
    assert "53fffde5ad5" in str(info.value)


def test_stamp_offline(backend):
    """What ``stamp --sql`` writes: the table when starting from base, then the rows."""
    out = io.StringIO()
    dialect = sa.engine.make_url(URLS[backend]).get_dialect()()
    mc = MigrationContext(dialect, None, MigrationOptions(as_sql=True, output_buffer=out))
    with mc.begin_transaction():
        mc.stamp([VersionChange("insert", None, "ae1027a6acf")])
    _golden("stamp_from_base", backend, "schemadiff stamp ae1027a6acf --sql", out.getvalue())
    out = io.StringIO()
    mc = MigrationContext(
        dialect,
        None,
        MigrationOptions(as_sql=True, output_buffer=out, starting_version="ae1027a6acf"),
    )
    with mc.begin_transaction():
        mc.stamp([VersionChange("delete", "ae1027a6acf", None)])
    assert (
        "DELETE FROM schemadiff_version WHERE schemadiff_version.version_num = 'ae1027a6acf';"
        in out.getvalue()
    )
    assert "DROP TABLE schemadiff_version;" in out.getvalue()


def _run_script(engine: sa.Engine, script: str) -> None:
    """Run an offline script statement by statement, as a DBA's client would."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for chunk in script.split(";\n\n"):
            statement = "\n".join(
                line for line in chunk.splitlines() if not line.startswith("-- ")
            ).strip()
            if statement:
                conn.exec_driver_sql(statement)


def test_golden_scripts_run_on_their_database(engine, backend):
    """The golden SQL is not only stable: the database it is written for accepts it."""
    _run_script(engine, (FIXTURES / f"upgrade_head.{backend}.sql").read_text())
    insp = sa.inspect(engine)
    assert set(insp.get_table_names()) == {"schemadiff_version", "account", "shopping_cart"}
    assert [c["name"] for c in insp.get_columns("account")] == [
        "id", "name", "notes", "last_transaction_date", "balance"
    ]  # fmt: skip
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM schemadiff_version").all() == [
            ("53fffde5ad5",)
        ]
        assert conn.exec_driver_sql("SELECT id, name, notes FROM account ORDER BY id").all() == [
            (1, "O'Brien", None),
            (2, "ann", "a \\ b"),
        ]
        conn.exec_driver_sql("INSERT INTO account (name) VALUES ('third')")
        assert conn.exec_driver_sql("SELECT max(id) FROM account").scalar() == 3
        conn.commit()
    _run_script(engine, (FIXTURES / f"downgrade_base.{backend}.sql").read_text())
    assert sa.inspect(engine).get_table_names() == []
