"""The multidb template: one revision, an upgrade_<name>() per engine.

engine1 is a SQLite file; engine2 is each backend in turn.
"""

from __future__ import annotations

import io
import os

import sqlalchemy as sa

from schemadiff import commands
from schemadiff.config import Config


def _metadata() -> dict[str, sa.MetaData]:
    one, two = sa.MetaData(), sa.MetaData()
    sa.Table("account", one, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table(
        "log",
        two,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("msg", sa.String(200), nullable=False),
    )
    return {"engine1": one, "engine2": two}


def _init(tmp_path, engine2_url: str) -> str:
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        commands.init(Config("schemadiff.ini", stdout=io.StringIO()), "migrations", "multidb")
    finally:
        os.chdir(cwd)
    ini = tmp_path / "schemadiff.ini"
    text = ini.read_text()
    text = text.replace(
        "script_location = migrations", f"script_location = {tmp_path / 'migrations'}"
    )
    text = text.replace(
        "sqlalchemy.url = sqlite:///%(here)s/engine2.db",
        f"sqlalchemy.url = {engine2_url.replace('%', '%%')}",
    )
    ini.write_text(text)
    env_py = tmp_path / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text().replace(
            "target_metadata = {}", "target_metadata = config.attributes['target_metadata']"
        )
    )
    return str(ini)


def _config(ini: str) -> Config:
    return Config(ini, stdout=io.StringIO(), attributes={"target_metadata": _metadata()})


def test_multidb_revision_has_a_function_pair_per_engine(database, tmp_path):
    ini = _init(tmp_path, database.url_string)
    (path,) = commands.revision(_config(ini), message="two engines", autogenerate=True)
    script = path.read_text()
    upgrade_1 = script.split("def upgrade_engine1() -> None:")[1].split("\ndef ")[0]
    upgrade_2 = script.split("def upgrade_engine2() -> None:")[1].split("\ndef ")[0]
    assert 'op.create_table(\n        "account"' in upgrade_1 and '"log"' not in upgrade_1
    assert 'op.create_table(\n        "log"' in upgrade_2 and '"account"' not in upgrade_2
    assert 'op.drop_table("log")' in script.split("def downgrade_engine2() -> None:")[1]

    commands.upgrade(_config(ini), "head")
    for url, table in (
        (f"sqlite:///{tmp_path / 'engine1.db'}", "account"),
        (database.url_string, "log"),
    ):
        engine = sa.create_engine(url)
        try:
            assert table in sa.inspect(engine).get_table_names()
        finally:
            engine.dispose()
    check = _config(ini)
    assert commands.check(check) is False, check.stdout.getvalue()

    commands.downgrade(_config(ini), "base")
    engine = sa.create_engine(database.url_string)
    try:
        assert "log" not in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_multidb_listed_with_a_description():
    config = Config(stdout=io.StringIO())
    commands.list_templates(config)
    assert "multidb - Multi-database configuration" in config.stdout.getvalue()
