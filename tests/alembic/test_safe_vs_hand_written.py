"""``safe_migrations`` on a plain script writes what an expert writes by hand for Alembic.

The Alembic project's script spells out every precaution (``SET
lock_timeout``, lifted around the online steps, ``autocommit_block()``
around ``postgresql_concurrently=True``,
``postgresql_not_valid=True`` then ``VALIDATE CONSTRAINT`` after a commit);
the schemadiff twin runs the plain directives with ``safe_migrations = true``
in its config file.  Their offline SQL must be the same, transaction
boundaries included.
"""

from __future__ import annotations

import re
from pathlib import Path

from benchmarks.alembic_history import ENV_PY, INI
from tests.alembic.support import run_many, twin

HEADER = '''"""safe"""
from {package} import op
import sqlalchemy as sa

revision = "s1"
down_revision = None
branch_labels = None
depends_on = None

'''

BY_HAND = """
def upgrade():
    op.execute("SET lock_timeout = '5000ms'")
    with op.get_context().autocommit_block():
        op.execute("SET lock_timeout = 0")
        op.create_index("ix_item_price", "item", ["price"], postgresql_concurrently=True)
        op.execute("SET lock_timeout = '5000ms'")
    op.create_foreign_key(
        "fk_item_owner", "item", "owner", ["owner_id"], ["id"], postgresql_not_valid=True
    )
    with op.get_context().autocommit_block():
        op.execute("SET lock_timeout = 0")
        op.execute("ALTER TABLE item VALIDATE CONSTRAINT fk_item_owner")
        op.execute("SET lock_timeout = '5000ms'")
    op.create_check_constraint("ck_item_price", "item", "price >= 0", postgresql_not_valid=True)
    with op.get_context().autocommit_block():
        op.execute("SET lock_timeout = 0")
        op.execute("ALTER TABLE item VALIDATE CONSTRAINT ck_item_price")
        op.execute("SET lock_timeout = '5000ms'")
    with op.get_context().autocommit_block():
        op.execute("SET lock_timeout = 0")
        op.drop_index("ix_item_old", table_name="item", postgresql_concurrently=True)
        op.execute("SET lock_timeout = '5000ms'")


def downgrade():
    pass
"""

PLAIN = """
def upgrade():
    op.create_index("ix_item_price", "item", ["price"])
    op.create_foreign_key("fk_item_owner", "item", "owner", ["owner_id"], ["id"])
    op.create_check_constraint("ck_item_price", "item", "price >= 0")
    op.drop_index("ix_item_old", table_name="item")


def downgrade():
    pass
"""


def _statements(sql: str) -> list[str]:
    """Every statement of an offline script, whitespace normalised, version table left out."""
    out = []
    for chunk in sql.split(";"):
        lines = [line for line in chunk.splitlines() if not line.startswith("--")]
        text = re.sub(r"\s+", " ", " ".join(lines)).strip()
        if text and "_version" not in text:
            out.append(text)
    return out


def test_safe_plain_script_matches_the_hand_written_alembic_one(tmp_path: Path) -> None:
    url = "postgresql+psycopg://u@h/db"
    root = tmp_path / "alembic_project"
    (root / "migrations" / "versions").mkdir(parents=True)
    (root / "alembic.ini").write_text(INI.format(url=url, level="WARNING"))
    (root / "migrations" / "env.py").write_text(ENV_PY)
    script = root / "migrations" / "versions" / "s1_safe.py"
    script.write_text(HEADER.format(package="alembic") + BY_HAND)
    moved = twin(root, tmp_path / "schemadiff_project")

    (alembic_sql,) = run_many("alembic", root, ["upgrade", "head", "--sql"])
    (imported,) = run_many("schemadiff", moved, ["import-alembic"])
    assert imported.returncode == 0, imported.stderr
    (moved / "migrations" / "versions" / "s1_safe.py").write_text(
        HEADER.format(package="schemadiff") + PLAIN
    )
    ini = moved / "schemadiff.ini"
    ini.write_text(
        ini.read_text().replace("[schemadiff]\n", "[schemadiff]\nsafe_migrations = true\n", 1)
    )
    (schemadiff_sql,) = run_many("schemadiff", moved, ["upgrade", "head", "--sql"])
    assert alembic_sql.returncode == 0, alembic_sql.stderr
    assert schemadiff_sql.returncode == 0, schemadiff_sql.stderr
    ours = _statements(schemadiff_sql.stdout)
    assert ours == _statements(alembic_sql.stdout)
    assert "CREATE INDEX CONCURRENTLY ix_item_price ON item (price)" in ours
