"""A long, realistic Alembic history replayed by Alembic and by schemadiff.

The history (``benchmarks.alembic_history``) has branches and merges, data
migrations, batch steps, ``autocommit_block()``, scripts that commit and go
on, scripts reading ``op.get_context().config``, ``if_exists`` directives and
scripts relying on a module only a later script imports.  Alembic runs it
to head; the database is emptied; schemadiff runs a copy moved over with
``import-alembic`` to head; both catalogs (tables, columns, keys, indexes,
rows) must be identical.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.alembic_history import dump_catalog, plan_history, write_history_project
from tests.alembic.support import run, running_lines, twin, wipe

REVISIONS = 48


def test_history_replays_to_the_same_schema(database, tmp_path: Path) -> None:
    url = database.url_string
    original = tmp_path / "alembic_project"
    original.mkdir()
    write_history_project(original, url, REVISIONS)
    moved = twin(original, tmp_path / "schemadiff_project")
    run("schemadiff", moved, "import-alembic")

    by_alembic = run("alembic", original, "upgrade", "head")
    alembic_catalog = dump_catalog(url)
    wipe(url)
    by_schemadiff = run("schemadiff", moved, "upgrade", "head")
    schemadiff_catalog = dump_catalog(url)

    assert len(running_lines(by_schemadiff.stderr)) == len(plan_history(REVISIONS))
    assert running_lines(by_schemadiff.stderr) == running_lines(by_alembic.stderr)
    assert "alembic_version" in schemadiff_catalog  # the table Alembic uses, kept
    assert schemadiff_catalog == alembic_catalog
