"""The runner: transactions, the version table, offline SQL."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from schemadiff import command
from schemadiff.errors import MigrationError
from tests.helpers import make_project

GOOD = '''"""create thing"""
revision = "aaa000000001"
down_revision = None
branch_labels = None
depends_on = None
from schemadiff import op
import sqlalchemy as sa

def upgrade():
    op.create_table("thing", sa.Column("id", sa.Integer, primary_key=True))

def downgrade():
    op.drop_table("thing")
'''

BAD = '''"""half done"""
revision = "bbb000000002"
down_revision = "aaa000000001"
branch_labels = None
depends_on = None
from schemadiff import op
import sqlalchemy as sa

def upgrade():
    op.create_table("other", sa.Column("id", sa.Integer, primary_key=True))
    op.add_column("thing", sa.Column("name", sa.String(20)))
    op.execute("SELECT * FROM no_such_table")

def downgrade():
    pass
'''


def _rows(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.exec_driver_sql("SELECT version_num FROM schemadiff_version").scalars())


def test_failed_migration_leaves_a_transactional_database_as_it_was(database, engine, tmp_path):
    project = make_project(tmp_path, database.url_string)
    versions = tmp_path / "migrations" / "versions"
    (versions / "aaa000000001_create_thing.py").write_text(GOOD)
    command.upgrade(project.config(), "head")
    (versions / "bbb000000002_half_done.py").write_text(BAD)
    with pytest.raises(MigrationError, match="bbb000000002") as info:
        command.upgrade(project.config(), "head")
    assert "no_such_table" in str(info.value)
    inspector = sa.inspect(engine)
    if database.backend in ("postgresql", "sqlite"):
        assert not inspector.has_table("other")
        assert [c["name"] for c in inspector.get_columns("thing")] == ["id"]
    assert _rows(engine) == ["aaa000000001"]


def test_version_table_shape(database, engine, tmp_path):
    project = make_project(tmp_path, database.url_string)
    (tmp_path / "migrations" / "versions" / "aaa000000001_create_thing.py").write_text(GOOD)
    command.upgrade(project.config(), "head")
    inspector = sa.inspect(engine)
    (col,) = inspector.get_columns("schemadiff_version")
    assert col["name"] == "version_num" and col["nullable"] is False
    assert col["type"].length == 32
    assert inspector.get_pk_constraint("schemadiff_version")["constrained_columns"] == [
        "version_num"
    ]


def test_offline_upgrade_prints_sql(tmp_path, backend):
    urls = {
        "sqlite": "sqlite:///offline.db",
        "postgresql": "postgresql+psycopg://scott:tiger@localhost/x",
        "mysql": "mysql+pymysql://scott:tiger@localhost/x",
    }
    project = make_project(tmp_path, urls[backend])
    (tmp_path / "migrations" / "versions" / "aaa000000001_create_thing.py").write_text(GOOD)
    cfg = project.config()
    out = io.StringIO()
    cfg.output_buffer = out
    command.upgrade(cfg, "head", sql=True)
    sql = out.getvalue()
    assert "CREATE TABLE schemadiff_version" in sql
    assert "-- Running upgrade  -> aaa000000001, create thing" in sql
    assert "CREATE TABLE thing" in sql
    assert "INSERT INTO schemadiff_version (version_num) VALUES ('aaa000000001');" in sql
    if backend == "mysql":
        assert "COMMIT" not in sql  # MySQL DDL is not transactional
    else:
        assert sql.startswith("BEGIN;") and sql.rstrip().endswith("COMMIT;")
    assert not (tmp_path / "offline.db").exists()
