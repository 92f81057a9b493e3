"""``if_exists`` / ``if_not_exists`` and dialect keywords reach the DDL.

Offline, the SQL schemadiff writes for a script using them is compared with
what Alembic writes for the same script (PostgreSQL and MariaDB/MySQL;
Alembic's ``ADD COLUMN IF NOT EXISTS`` for SQLite is not SQLite syntax, so
there schemadiff refuses offline and checks the database online instead).
Online, on every backend, each guarded directive is run where its target
exists (or not) and must neither fail nor do anything.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from benchmarks.alembic_history import ENV_PY, INI
from schemadiff import command
from tests.alembic.support import run_many, twin
from tests.helpers import make_project

KEYWORDS_SCRIPT = '''"""keywords"""
from alembic import op
import sqlalchemy as sa

revision = "k1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "t",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(20)),
        if_not_exists=True,
    )
    op.create_index("ix_t_name", "t", ["name"], if_not_exists=True)
    op.add_column("t", sa.Column("c", sa.Integer), if_not_exists=True)
    op.drop_column("t", "c", if_exists=True)
    with op.get_context().autocommit_block():
        op.drop_index("ix_t_name", table_name="t", postgresql_concurrently=True, if_exists=True)
    op.drop_table("t", if_exists=True)


def downgrade():
    pass
'''


def _statements(sql: str) -> list[str]:
    """The DDL statements of an offline script, whitespace normalised, version table left out."""
    out = []
    for chunk in sql.split(";"):
        text = " ".join(line for line in chunk.split() if line)
        text = re.sub(r"\( ", "(", re.sub(r" \)", ")", text))
        if text.startswith(("CREATE", "ALTER", "DROP")) and "_version" not in text:
            out.append(text)
    return out


@pytest.mark.parametrize("url", ["postgresql+psycopg://u@h/db", "mysql+pymysql://u@h/db"])
def test_offline_sql_matches_alembic(tmp_path: Path, url: str) -> None:
    root = tmp_path / "alembic_project"
    (root / "migrations" / "versions").mkdir(parents=True)
    (root / "alembic.ini").write_text(INI.format(url=url, level="WARNING"))
    (root / "migrations" / "env.py").write_text(ENV_PY)
    (root / "migrations" / "versions" / "k1_keywords.py").write_text(KEYWORDS_SCRIPT)
    moved = twin(root, tmp_path / "schemadiff_project")

    (alembic_sql,) = run_many("alembic", root, ["upgrade", "head", "--sql"])
    imported, schemadiff_sql = run_many(
        "schemadiff", moved, ["import-alembic"], ["upgrade", "head", "--sql"]
    )
    assert imported.returncode == 0, imported.stderr
    assert alembic_sql.returncode == 0 and schemadiff_sql.returncode == 0, schemadiff_sql.stderr
    ours = _statements(schemadiff_sql.stdout)
    assert ours == _statements(alembic_sql.stdout)
    assert any("IF NOT EXISTS" in s for s in ours) and any("IF EXISTS" in s for s in ours)
    if url.startswith("postgresql"):
        assert "DROP INDEX CONCURRENTLY IF EXISTS ix_t_name" in ours


GUARDED = '''"""{message}"""
from schemadiff import op
import sqlalchemy as sa

revision = "{rev}"
down_revision = {down!r}
branch_labels = None
depends_on = None


def upgrade():
{body}


def downgrade():
    pass
'''

CREATE = """\
    op.create_table("t", sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(20)))
    op.create_index("ix_t_name", "t", ["name"])
    op.add_column("t", sa.Column("c", sa.Integer))"""

#: every directive's target is already there (or already gone): nothing happens
NO_OPS = """\
    op.create_table("t", sa.Column("id", sa.Integer, primary_key=True), if_not_exists=True)
    op.create_index("ix_t_name", "t", ["name"], if_not_exists=True)
    op.add_column("t", sa.Column("c", sa.Integer), if_not_exists=True)
    op.drop_column("t", "gone", if_exists=True)
    with op.get_context().autocommit_block():
        op.drop_index("ix_gone", table_name="t", postgresql_concurrently=True, if_exists=True)
    op.drop_table("gone", if_exists=True)"""

DROPS = """\
    with op.get_context().autocommit_block():
        op.drop_index("ix_t_name", table_name="t", postgresql_concurrently=True, if_exists=True)
    op.drop_column("t", "c", if_exists=True)
    op.drop_table("t", if_exists=True)"""


def test_guarded_directives_online(database, tmp_path: Path) -> None:
    project = make_project(tmp_path, database.url_string)
    versions = project.root / "migrations" / "versions"
    for rev, down, body in (("g1", None, CREATE), ("g2", "g1", NO_OPS), ("g3", "g2", DROPS)):
        (versions / f"{rev}_guarded.py").write_text(
            GUARDED.format(message=rev, rev=rev, down=down, body=body)
        )
    engine = database.engine()
    try:
        command.upgrade(project.config(), "g2")
        with engine.connect() as conn:
            insp = sa.inspect(conn)
            assert [c["name"] for c in insp.get_columns("t")] == ["id", "name", "c"]
            assert [i["name"] for i in insp.get_indexes("t")] == ["ix_t_name"]
        command.upgrade(project.config(), "g3")
        with engine.connect() as conn:
            assert not sa.inspect(conn).has_table("t")
    finally:
        engine.dispose()


BATCH = """\
    with op.batch_alter_table("t", recreate="{recreate}") as batch_op:
        batch_op.add_column(sa.Column("c", sa.Integer), if_not_exists=True)
        batch_op.drop_column("gone", if_exists=True)
        batch_op.drop_index("ix_gone", if_exists=True)
        batch_op.create_index("ix_t_name", ["name"], if_not_exists=True)
        batch_op.drop_constraint("uq_gone", type_="unique", if_exists=True)
        batch_op.add_column(sa.Column("d", sa.Integer))"""


@pytest.mark.parametrize("recreate", ["auto", "always"])
def test_guarded_directives_in_a_batch(database, tmp_path: Path, recreate: str) -> None:
    """Inside ``batch_alter_table``: run directly (auto, where ALTER can) or decided
    on the rebuilt table's model (always)."""
    project = make_project(tmp_path, database.url_string)
    versions = project.root / "migrations" / "versions"
    body = BATCH.format(recreate=recreate)
    for rev, down, text in (("g1", None, CREATE), ("g2", "g1", body)):
        (versions / f"{rev}_guarded.py").write_text(
            GUARDED.format(message=rev, rev=rev, down=down, body=text)
        )
    command.upgrade(project.config(), "head")
    engine = database.engine()
    try:
        with engine.connect() as conn:
            insp = sa.inspect(conn)
            assert [c["name"] for c in insp.get_columns("t")] == ["id", "name", "c", "d"]
            assert [i["name"] for i in insp.get_indexes("t")] == ["ix_t_name"]
    finally:
        engine.dispose()
