"""Projects whose configured database cannot be reached, with hand-written revisions."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL

from schemadiff.devdb.scratch import inventory
from tests.helpers import Project, make_project

#: nothing listens on port 1: a connection attempt fails with "connection refused"
UNREACHABLE = "postgresql+psycopg://scott:tiger@127.0.0.1:1/production"
_counter = itertools.count()

REVISION = '''\
"""{message}

Revision ID: {rev}
Revises: {down}
"""

revision = "{rev}"
down_revision = {down_repr}
branch_labels = None
depends_on = None

from schemadiff import op
import sqlalchemy as sa


def upgrade():
{upgrade}


def downgrade():
{downgrade}
'''


def unreachable_project(root: Path) -> Project:
    """A project configured for a production database nobody can reach."""
    return make_project(root, UNREACHABLE)


def write_revision(
    project: Project, rev: str, down: str | None, upgrade: str, downgrade: str
) -> Path:
    def body(code: str) -> str:
        return "\n".join(f"    {line}" for line in code.strip().splitlines())

    path = project.root / "migrations" / "versions" / f"{rev}_step.py"
    path.write_text(
        REVISION.format(
            message=f"step {rev}",
            rev=rev,
            down=down or "",
            down_repr=repr(down),
            upgrade=body(upgrade),
            downgrade=body(downgrade),
        )
    )
    return path


def objects_in(url: URL | str) -> tuple[str, ...]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return inventory(conn).objects
    finally:
        engine.dispose()


@contextmanager
def fresh_postgresql_database(server_url: URL) -> Iterator[URL]:
    """A database of its own (the test server's ``test`` database holds other tests' schemas)."""
    name = f"sdd_{os.getpid()}_{next(_counter)}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield server_url.set(database=name)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
