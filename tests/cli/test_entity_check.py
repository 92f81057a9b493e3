"""``check`` and ``revision --autogenerate`` with declared views, from the command line.

Every report format handles an entity change (no table, a definition in
the detail), and a bad declaration is a ``FAILED:`` line with exit 2.
"""

from __future__ import annotations

import json

import pytest

from tests.helpers import make_project

MODELS = """
import sqlalchemy as sa
from schemadiff.entities import View

metadata = sa.MetaData()
sa.Table("t", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("a", sa.Integer))
View("v", metadata, {definition!r})
"""


@pytest.fixture
def project(tmp_path):
    made = make_project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    made.write_models(MODELS.format(definition="SELECT id, a FROM t"))
    made.cli("revision", "--autogenerate", "-m", "first")
    made.cli("upgrade", "head")
    return made


def test_check_is_clean_then_reports_a_changed_view_in_every_format(project):
    project.cli("check")
    project.write_models(MODELS.format(definition="select ID from T"))
    proc = project.cli("check", "--format", "json", expect=1)
    (change,) = json.loads(proc.stdout)["changes"]
    assert (change["kind"], change["name"], change["table"]) == ("modify_view", "v", None)
    assert change["detail"]["to"] == "select ID from T"
    for fmt in ("text", "markdown", "github", "sarif", "junit"):
        out = project.cli("check", "--format", fmt, expect=1).stdout
        assert "Traceback" not in out and "v" in out, (fmt, out)


def test_a_declaration_that_is_not_sql_fails_cleanly(project):
    project.write_models(
        MODELS.format(definition="").replace("View(\"v\", metadata, '')", "View('v', metadata, 42)")
    )
    proc = project.cli("check", expect=2)
    assert "FAILED:" in proc.stderr + proc.stdout and "Traceback" not in proc.stderr


def test_diff_between_two_databases_compares_their_views(tmp_path):
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from schemadiff.commands.schema_diff import Side, compare_sides

    urls = []
    for name, views in (
        ("a", ["CREATE VIEW v AS SELECT id FROM t"]),
        ("b", ["CREATE VIEW v AS select ID, a from T", "CREATE VIEW w AS SELECT a FROM t"]),
    ):
        url = make_url(f"sqlite:///{tmp_path / name}.db")
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (id INTEGER NOT NULL PRIMARY KEY, a INTEGER)")
            for sql in views:
                conn.exec_driver_sql(sql)
        engine.dispose()
        urls.append(url)
    changes = compare_sides(Side("a", url=urls[0]), Side("b", url=urls[1]))
    assert sorted((c.kind, c.name) for c in changes) == [("add_view", "w"), ("modify_view", "v")]
    assert compare_sides(Side("a", url=urls[0]), Side("a", url=urls[0])) == []
