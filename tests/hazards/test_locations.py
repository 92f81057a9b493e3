"""``check --format json`` carries each change's model ``location``.

A column a mapped class inherits from a mixin in another module points at
that module and the mixin's line, not the mapped class's file.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import make_project

MIXINS = """\
import datetime

from sqlalchemy.orm import Mapped, mapped_column


class Stamped:
    note: Mapped[str | None]
    created_at: Mapped[datetime.datetime | None] = mapped_column()
"""
MODELS = """\
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from mixins import Stamped


class Base(DeclarativeBase):
    pass


class Account(Stamped, Base):
    __tablename__ = "account"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


metadata = Base.metadata
"""


def test_json_locations_and_a_mixin_column_in_its_own_module(tmp_path: Path):
    project = make_project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    (tmp_path / "mixins.py").write_text(MIXINS)
    project.write_models(MODELS)
    data = json.loads(project.cli("check", "--format", "json", expect=1).stdout)
    where = {c["name"]: c["location"] for c in data["changes"] if c["kind"] == "add_table"}
    assert where == {"account": {"file": "models.py", "line": 10}}
    project.cli("revision", "--autogenerate", "-m", "first")
    project.cli("upgrade", "head")
    (tmp_path / "mixins.py").write_text(MIXINS + "    flag: Mapped[bool | None]\n")
    data = json.loads(project.cli("check", "--format", "json", expect=1).stdout)
    (change,) = data["changes"]
    assert (change["kind"], change["name"]) == ("add_column", "flag")
    assert change["location"] == {"file": "mixins.py", "line": 9}
    assert change["hazards"] == []


def test_diff_from_a_database_carries_hazards(tmp_path: Path):
    import sqlalchemy as sa

    from schemadiff.commands.schema_diff import Side, compare_sides

    url = f"sqlite:///{tmp_path / 'src.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE account (id INTEGER PRIMARY KEY, legacy TEXT)")
    engine.dispose()
    target = sa.MetaData()
    sa.Table("account", target, sa.Column("id", sa.Integer, primary_key=True))
    (change,) = compare_sides(
        Side(url, url=sa.engine.make_url(url)), Side("models", metadata=target)
    )
    assert change.kind == "remove_column"
    assert [h.kind for h in change.hazards] == ["deletes_data"]
