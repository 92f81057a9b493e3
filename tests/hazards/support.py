"""A database with a table of rows, its project, and ``check --format json`` read back."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from schemadiff import command
from tests.helpers import make_project
from tests.operations.support import rows

Model = Callable[[], sa.MetaData]


class Site:
    """One test's database (from the ``database`` fixture) and a project on it."""

    def __init__(self, database: Any, tmp_path: Path) -> None:
        self.database = database
        self.backend: str = database.backend
        self.engine = database.engine()
        self.project = make_project(tmp_path, database.url_string)

    def build(self, model: sa.MetaData, fill: Iterable[str] = ()) -> None:
        with self.engine.begin() as conn:
            model.create_all(conn)
            for sql in fill:
                conn.exec_driver_sql(sql)

    def analyze(self, *tables: str) -> None:
        """Refresh the server's row estimates, as autovacuum would in time."""
        with self.engine.begin() as conn:
            for table in tables:
                if self.backend == "mysql":
                    conn.exec_driver_sql(f"ANALYZE TABLE {table}")
                else:
                    conn.exec_driver_sql(f"ANALYZE {table}")

    def check(self, model: sa.MetaData) -> list[dict[str, Any]]:
        cfg = self.project.config(model)
        command.check(cfg, format="json")
        changes: list[dict[str, Any]] = json.loads(cfg.stdout.getvalue())["changes"]
        return changes

    def upgrade(self, model: sa.MetaData) -> str:
        """Autogenerate and apply the migration to ``model``; the script's text."""
        command.revision(self.project.config(model), "auto", autogenerate=True)
        (script,) = self.project.versions()
        command.upgrade(self.project.config(model), "head")
        assert self.check(model) == []
        return script.read_text()

    def filenode(self, table: str) -> int:
        (found,) = rows(self.engine, f"SELECT pg_relation_filenode('{table}')")
        return int(found[0])

    def close(self) -> None:
        self.engine.dispose()


def hazards_of(changes: list[dict[str, Any]], kind: str, name: str | None = None) -> set[str]:
    """The hazard kinds of the one change of ``kind`` (and ``name``)."""
    found = [c for c in changes if c["kind"] == kind and (name is None or c["name"] == name)]
    assert len(found) == 1, f"expected one {kind} {name or ''} in {json.dumps(changes, indent=1)}"
    return {h["kind"] for h in found[0]["hazards"]}


def rows_of(changes: list[dict[str, Any]], kind: str) -> set[int | None]:
    return {h.get("rows") for c in changes if c["kind"] == kind for h in c["hazards"]}
