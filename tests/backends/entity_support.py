"""The entity loops' shared parts: a database built with its views and routines.

``EntityLoop`` is ``Loop`` whose old database also has the old model's
entities, created from their declared text the way a user's hand-written
DDL would; the golden rule is then checked before anything else.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from schemadiff.entities import declared
from schemadiff.entities.kinds import select_text
from tests.backends.object_support import Loop, Model
from tests.helpers import describe
from tests.operations.support import rows


def create_entities(conn: sa.Connection, md: sa.MetaData) -> None:
    """Each declared entity, as its own SQL, in declaration order."""
    quote = conn.dialect.identifier_preparer.quote
    for item in declared([md]):
        name = (
            quote(item.name) if item.schema is None else f"{quote(item.schema)}.{quote(item.name)}"
        )
        if item.kind == "view":
            body = select_text(item.definition, conn.dialect)  # type: ignore[attr-defined]
            conn.exec_driver_sql(f"CREATE VIEW {name} AS {body}")
        elif item.kind == "materialized_view":
            body = select_text(item.definition, conn.dialect)  # type: ignore[attr-defined]
            conn.exec_driver_sql(f"CREATE MATERIALIZED VIEW {name} AS {body}")
        else:
            conn.exec_driver_sql(item.ddl, execution_options={"no_parameters": True})  # type: ignore[attr-defined]


class EntityLoop(Loop):
    def build(self, model: Model) -> None:
        md = model()
        with self.engine.begin() as conn:
            md.create_all(conn)
            create_entities(conn, md)

    def generate(self, before: Model, after: Model) -> tuple[list[Any], str]:
        self.build(before)
        assert self.compare(before()) == [], "golden rule:\n" + describe(self.compare(before()))
        return self._autogenerate(after)

    def _autogenerate(self, after: Model) -> tuple[list[Any], str]:
        from schemadiff import command

        changes = self.compare(after())
        command.revision(self.config(after()), "auto", autogenerate=True)
        (script,) = self.project.versions()
        return changes, "".join(script.read_text().split()).replace('"', "'")


def view_names(engine: sa.Engine) -> list[str]:
    """The views of the test's schema or database, materialized ones marked ``*``."""
    name = engine.dialect.name
    if name == "postgresql":
        sql = (
            "SELECT CASE relkind WHEN 'm' THEN relname || '*' ELSE relname END FROM pg_class "
            "WHERE relkind IN ('v', 'm') AND relnamespace = current_schema()::regnamespace "
            "ORDER BY 1"
        )
    elif name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'view' ORDER BY 1"
    else:
        sql = (
            "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() "
            "ORDER BY 1"
        )
    return [r[0] for r in rows(engine, sql)]


def routine_names(engine: sa.Engine) -> list[str]:
    """Functions and triggers of the test's PostgreSQL schema, as ``f:name`` / ``t:name``."""
    sql = (
        "SELECT 'f:' || proname FROM pg_proc WHERE pronamespace = current_schema()::regnamespace "
        "UNION ALL SELECT 't:' || tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE NOT tgisinternal AND c.relnamespace = current_schema()::regnamespace ORDER BY 1"
    )
    return [r[0] for r in rows(engine, sql)]
