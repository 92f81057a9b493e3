"""docs/cookbook.md's recipes, taken from the page as written and run on SQLite."""

from __future__ import annotations

import io
import re
import textwrap
from pathlib import Path

import sqlalchemy as sa

from schemadiff import command, commands
from schemadiff.config import Config

COOKBOOK = Path(__file__).parents[2] / "docs" / "cookbook.md"


def _block(heading: str, contains: str) -> str:
    section = COOKBOOK.read_text().split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return next(b for b in re.findall(r"```python\n(.*?)```", section, re.S) if contains in b)


def _project(tmp_path: Path) -> Config:
    commands.init(
        Config(str(tmp_path / "schemadiff.ini"), stdout=io.StringIO()), str(tmp_path / "m")
    )
    cfg = Config(str(tmp_path / "schemadiff.ini"), stdout=io.StringIO())
    cfg.set_main_option("sqlalchemy.url", f"sqlite:///{tmp_path / 'app.db'}")
    cfg.attributes["configure_logger"] = False
    return cfg


def _script(tmp_path: Path, rev: str, down: str | None, body: str) -> None:
    header = f'"""{rev}"""\nrevision = "{rev}"\ndown_revision = {down!r}\n'
    (tmp_path / "m" / "versions" / f"{rev}_x.py").write_text(header + body)


def test_the_data_migration_recipe(tmp_path):
    cfg = _project(tmp_path)
    _script(
        tmp_path,
        "a1",
        None,
        "from schemadiff import op\nimport sqlalchemy as sa\n\n"
        "def upgrade():\n"
        '    op.create_table("account", sa.Column("id", sa.Integer, primary_key=True),\n'
        '                    sa.Column("name", sa.String(50)))\n'
        "    op.execute(\"INSERT INTO account (id, name) VALUES (1, 'ann'), (2, 'bob')\")\n",
    )
    _script(tmp_path, "b2", "a1", _block("Data migrations", "def upgrade"))
    command.upgrade(cfg, "head")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT id, display_name FROM account ORDER BY id").all()
    nullable = {c["name"]: c["nullable"] for c in sa.inspect(engine).get_columns("account")}
    engine.dispose()
    assert rows == [(1, "ANN"), (2, "BOB")] and nullable["display_name"] is False
    command.downgrade(cfg, "a1")


def test_the_start_up_recipe_on_the_applications_connection(tmp_path):
    cfg = _project(tmp_path)
    _script(
        tmp_path,
        "a1",
        None,
        "from schemadiff import op\nimport sqlalchemy as sa\n\n"
        "def upgrade():\n"
        '    op.create_table("thing", sa.Column("id", sa.Integer, primary_key=True))\n',
    )
    env_py = tmp_path / "m" / "env.py"
    text = env_py.read_text()
    hook = textwrap.indent(_block("Running migrations at application start-up", "# env.py"), "    ")
    text = text.replace(
        '    """\n    connectable = engine_from_config(',
        '    """\n' + hook + "    connectable = engine_from_config(",
        1,
    )
    env_py.write_text(text)
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")
        assert connection.in_transaction()  # the application's, still open
    assert sa.inspect(engine).has_table("thing")
    engine.dispose()
