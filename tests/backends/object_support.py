"""What the enum, sequence and schema loops share: a database, a project, both models.

``Loop`` builds the database of the old model, autogenerates the migration
to the new one, and runs upgrade and downgrade with ``check`` after each.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from schemadiff import command, compare_metadata
from tests.helpers import describe, make_project
from tests.operations.support import rows

Model = Callable[[], sa.MetaData]


def _only(database: Any, *backends: str) -> None:
    if database.backend not in backends:
        pytest.skip(f"{', '.join(backends)} only")


def _schema(engine: sa.Engine) -> str:
    with engine.connect() as conn:
        return str(conn.exec_driver_sql("SELECT current_schema()").scalar())


def _labels(engine: sa.Engine, name: str) -> list[str]:
    return [
        r[0]
        for r in rows(
            engine,
            "SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid "
            f"WHERE t.typname = '{name}' AND t.typnamespace = current_schema()::regnamespace "
            "ORDER BY e.enumsortorder",
        )
    ]


def _filenode(engine: sa.Engine, table: str) -> int:
    (found,) = rows(engine, f"SELECT pg_relation_filenode('{table}')")
    return int(found[0])


class Loop:
    """The database of ``before``, then the migration to ``after`` and back."""

    def __init__(self, database: Any, tmp_path: Path, options: dict[str, Any] | None = None):
        self.database = database
        self.engine = database.engine()
        self.project = make_project(tmp_path, database.url_string)
        self.options = dict(options or {})

    def compare(self, model: sa.MetaData) -> list[Any]:
        with self.engine.connect() as conn:
            return compare_metadata(conn, model, **self.options)

    def config(self, model: sa.MetaData) -> Any:
        return self.project.config(model, configure=self.options)

    def generate(self, before: Model, after: Model) -> tuple[list[Any], str]:
        with self.engine.begin() as conn:
            before().create_all(conn)
        assert self.compare(before()) == [], "golden rule:\n" + describe(self.compare(before()))
        changes = self.compare(after())
        command.revision(self.config(after()), "auto", autogenerate=True)
        (script,) = self.project.versions()
        # black may rewrap and requote the calls: compare without either
        return changes, "".join(script.read_text().split()).replace('"', "'")

    def offline(self, model: sa.MetaData, spec: str = "head") -> str:
        cfg = self.config(model)
        cfg.stdout = io.StringIO()
        out = io.StringIO()
        cfg.attributes["output_buffer"] = out
        command.upgrade(cfg, spec, sql=True)
        return out.getvalue() or cfg.stdout.getvalue()

    def upgrade(self, after: Model) -> None:
        command.upgrade(self.config(after()), "head")
        again = self.compare(after())
        assert again == [], "after upgrade:\n" + describe(again)

    def downgrade(self, before: Model) -> None:
        command.downgrade(self.config(before()), "base")
        back = self.compare(before())
        assert back == [], "after downgrade:\n" + describe(back)

    def close(self) -> None:
        self.engine.dispose()


def _kinds(changes: list[Any]) -> list[tuple[str, str | None]]:
    return sorted((c.kind, c.name) for c in changes)


def _ticket(*values: str, extra: tuple[sa.Column[Any], ...] = ()) -> sa.MetaData:
    md = sa.MetaData()
    sa.Table(
        "ticket",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("status", sa.Enum(*values, name="status_enum")),
        *extra,
    )
    return md


def _need_sequences(engine: sa.Engine) -> None:
    with engine.connect() as conn:  # the dialect learns the server's version
        if not conn.dialect.supports_sequences:
            pytest.skip("this server has no sequences (MySQL)")


def _sequence_names(engine: sa.Engine) -> list[str]:
    if engine.dialect.name == "postgresql":
        sql = (
            "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() "
            "AND sequencename NOT LIKE '%%_id_seq' ORDER BY 1"
        )
    else:
        sql = (
            "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
            "AND table_type = 'SEQUENCE' ORDER BY 1"
        )
    return [r[0] for r in rows(engine, sql)]
