"""PostgreSQL's views, materialized views, functions and triggers.

Read in one statement (three ``json_agg`` lists) whatever their number:
views with ``pg_get_viewdef`` and the relations and columns their rewrite
rule depends on (``pg_depend`` of the ``pg_rewrite`` row: exactly what
makes the server refuse an ALTER), functions with ``pg_get_functiondef``,
user triggers with ``pg_get_triggerdef``.  Objects an extension owns are
left out: they come and go with the extension.

A declared definition is put in the server's own words by creating it
inside a savepoint that is rolled back (a view under a throwaway name, a
function or trigger in place of the one it would replace) and reading the
catalog's text back: the comparison then sees what the server would store.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from schemadiff.dialects.sqltext import PLAIN_TEXT_OPTIONS
from schemadiff.entities.model import EntitySnapshot, folded, key_schema
from schemadiff.operations.entities import or_replace

ENTITIES = sa.text(
    """
SELECT
  (SELECT coalesce(json_agg(json_build_array(n.nspname, c.relname, c.relkind,
            pg_get_viewdef(c.oid), c.relispopulated,
            (SELECT coalesce(json_agg(DISTINCT jsonb_build_array(rn.nspname, rc.relname,
                                                                 a.attname)), '[]')
             FROM pg_rewrite r
             JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                             AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> c.oid
             JOIN pg_class rc ON rc.oid = d.refobjid
             JOIN pg_namespace rn ON rn.oid = rc.relnamespace
             LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                                     AND d.refobjsubid > 0
             WHERE r.ev_class = c.oid))
          ORDER BY n.nspname, c.relname), '[]')
   FROM pg_class c
   JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('v', 'm') AND n.nspname = ANY(:schemas)
     AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_class'::regclass
                     AND e.objid = c.oid AND e.deptype = 'e')),
  (SELECT coalesce(json_agg(json_build_array(n.nspname, p.proname, pg_get_functiondef(p.oid))
          ORDER BY n.nspname, p.proname, p.oid), '[]')
   FROM pg_proc p
   JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE p.prokind = 'f' AND n.nspname = ANY(:schemas)
     AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass
                     AND e.objid = p.oid AND e.deptype = 'e')),
  (SELECT coalesce(json_agg(json_build_array(n.nspname, c.relname, t.tgname,
            pg_get_triggerdef(t.oid)) ORDER BY n.nspname, c.relname, t.tgname), '[]')
   FROM pg_trigger t
   JOIN pg_class c ON c.oid = t.tgrelid
   JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE NOT t.tgisinternal AND n.nspname = ANY(:schemas))
"""
)


def read_entities(
    connection: Connection, schemas: Sequence[str | None], default_schema: str | None
) -> list[EntitySnapshot]:
    names = [s or default_schema for s in schemas]
    views, functions, triggers = connection.execute(
        ENTITIES, {"schemas": [n for n in names if n]}
    ).one()
    out: list[EntitySnapshot] = []
    for schema, name, relkind, text, populated, deps in _rows(views):
        definition = _viewdef(text)
        depends_on = tuple(
            (key_schema(s, default_schema), r, c) for s, r, c in sorted(_rows(deps), key=str)
        )
        kind = "materialized_view" if relkind == "m" else "view"
        out.append(
            EntitySnapshot(
                kind,
                key_schema(schema, default_schema),
                name,
                definition,
                folded(definition),
                None,
                bool(populated),
                depends_on,
            )
        )
    for schema, name, ddl in _rows(functions):
        text = ddl.strip()
        out.append(
            EntitySnapshot("function", key_schema(schema, default_schema), name, text, folded(text))
        )
    for schema, table, name, ddl in _rows(triggers):
        out.append(
            EntitySnapshot(
                "trigger", key_schema(schema, default_schema), name, ddl, folded(ddl), table
            )
        )
    return out


def _viewdef(text: str) -> str:
    return text.strip().rstrip(";").strip()


def _rows(value: Any) -> list[Any]:
    return json.loads(value) if isinstance(value, str) else list(value or [])


# -- the declared side in the server's words ------------------------------------------
_VIEWDEF = sa.text(
    "SELECT pg_get_viewdef(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relname = :name AND n.nspname = :schema"
)
_FUNCTIONDEF = sa.text(
    "SELECT pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n "
    "ON n.oid = p.pronamespace WHERE p.proname = :name AND n.nspname = :schema "
    "ORDER BY p.oid DESC LIMIT 1"
)
_TRIGGERDEF = sa.text(
    "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE t.tgname = :name AND c.relname = :table AND n.nspname = :schema"
)


def canonical(
    connection: Connection, declared: EntitySnapshot, found: EntitySnapshot
) -> str | None:
    """The declared entity as the catalog would show it; None where the server refuses it."""
    schema = declared.schema or connection.dialect.default_schema_name
    try:
        with connection.begin_nested() as savepoint:
            text = _in_savepoint(connection, declared, str(schema))
            savepoint.rollback()
    except DBAPIError:
        return None
    return folded(text) if text is not None else None


def _in_savepoint(connection: Connection, declared: EntitySnapshot, schema: str) -> str | None:
    quote = connection.dialect.identifier_preparer.quote
    if declared.kind in ("view", "materialized_view"):
        name = f"sd_canon_{uuid.uuid4().hex[:12]}"
        target = f"{quote(schema)}.{quote(name)}"
        body = declared.definition
        if declared.kind == "view":
            _plain(connection, f"CREATE VIEW {target} AS {body}")
        else:
            _plain(connection, f"CREATE MATERIALIZED VIEW {target} AS {body} WITH NO DATA")
        found = connection.execute(_VIEWDEF, {"name": name, "schema": schema}).scalar()
        return _viewdef(str(found)) if found is not None else None
    if declared.kind == "function":
        _replace_function(connection, declared, f"{quote(schema)}.{quote(declared.name)}")
        found = connection.execute(_FUNCTIONDEF, {"name": declared.name, "schema": schema}).scalar()
        return str(found).strip() if found is not None else None
    if declared.kind == "trigger":
        table = f"{quote(schema)}.{quote(declared.table or '')}"
        _plain(connection, f"DROP TRIGGER IF EXISTS {quote(declared.name)} ON {table}")
        _plain(connection, declared.definition.strip().rstrip(";"))
        params = {"name": declared.name, "table": declared.table, "schema": schema}
        found = connection.execute(_TRIGGERDEF, params).scalar()
        return str(found) if found is not None else None
    return None


def _replace_function(connection: Connection, declared: EntitySnapshot, name: str) -> None:
    """``CREATE OR REPLACE``; where the signature changed (say, the return type), drop first."""
    try:
        with connection.begin_nested():
            _plain(connection, or_replace(declared.definition))
    except DBAPIError:
        _plain(connection, f"DROP FUNCTION {name} CASCADE")
        _plain(connection, or_replace(declared.definition))


def _plain(connection: Connection, sql: str) -> None:
    """DDL as written: the driver must not read ``%`` in a function body as a parameter."""
    connection.exec_driver_sql(sql, execution_options=PLAIN_TEXT_OPTIONS)
