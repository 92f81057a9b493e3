"""PostgreSQL's side of ``--dev-url``: what a scratch database holds, and emptying it."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from schemadiff.devdb.scratch import Inventory, quoted

#: PostgreSQL schemas that belong to the server, never to a user's schema
SYSTEM_SCHEMAS = "('pg_catalog', 'information_schema', 'pg_toast')"
USER_NAMESPACE = (
    f"n.nspname NOT IN {SYSTEM_SCHEMAS} AND n.nspname NOT LIKE 'pg\\_temp\\_%%' "
    "AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%%'"
)
#: objects an extension brought along belong to the extension, not to the user
NOT_FROM_EXTENSION = (
    "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = {oid} AND d.deptype = 'e')"
)
RELKINDS = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW"}
RELKINDS.update({"S": "SEQUENCE", "f": "FOREIGN TABLE"})


def inventory(conn: Connection) -> Inventory:
    relations = conn.exec_driver_sql(
        "SELECT c.relkind::text, n.nspname, c.relname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND {USER_NAMESPACE} "
        f"AND {NOT_FROM_EXTENSION.format(oid='c.oid')}"
    ).all()
    types = conn.exec_driver_sql(
        "SELECT n.nspname, t.typname FROM pg_type t "
        "JOIN pg_namespace n ON n.oid = t.typnamespace "
        f"WHERE {USER_NAMESPACE} AND {NOT_FROM_EXTENSION.format(oid='t.oid')} "
        "AND (t.typtype IN ('e', 'd', 'r', 'm') OR (t.typtype = 'c' AND "
        "(SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'))"
    ).all()
    routines = conn.exec_driver_sql(
        "SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid) "
        "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        f"WHERE {USER_NAMESPACE} AND {NOT_FROM_EXTENSION.format(oid='p.oid')}"
    ).all()
    schemas = conn.exec_driver_sql(
        f"SELECT n.nspname FROM pg_namespace n WHERE {USER_NAMESPACE}"
    ).scalars()
    extensions = conn.exec_driver_sql(
        "SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'"
    ).scalars()
    objects = [f"{RELKINDS[kind].lower()} {schema}.{name}" for kind, schema, name in relations]
    objects += [f"type {schema}.{name}" for schema, name in types]
    objects += [f"function {schema}.{name}({args})" for schema, name, args in routines]
    ext = frozenset(extensions)
    objects += [f"extension {name}" for name in sorted(ext)]
    return Inventory(tuple(sorted(objects)), frozenset(schemas), ext)


def empty(conn: Connection, before: Inventory) -> None:
    now = inventory(conn)
    for schema in sorted(now.schemas - before.schemas):
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {quoted(conn, schema)} CASCADE")
    for ext in sorted(now.extensions - before.extensions):
        conn.exec_driver_sql(f"DROP EXTENSION IF EXISTS {quoted(conn, ext)} CASCADE")
    # What is left lives in schemas that were there (empty) before.
    rows = conn.exec_driver_sql(
        "SELECT c.relkind::text, n.nspname, c.relname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE c.relkind IN ('v', 'm', 'r', 'p', 'f', 'S') AND {USER_NAMESPACE} "
        f"AND {NOT_FROM_EXTENSION.format(oid='c.oid')} "
        "ORDER BY position(c.relkind in 'mvrpfS')"
    ).all()
    for kind, schema, name in rows:
        conn.exec_driver_sql(
            f"DROP {RELKINDS[kind]} IF EXISTS {quoted(conn, schema, name)} CASCADE"
        )
    routines = conn.exec_driver_sql(
        "SELECT p.prokind::text, n.nspname, p.proname, pg_get_function_identity_arguments(p.oid) "
        "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        f"WHERE {USER_NAMESPACE} AND {NOT_FROM_EXTENSION.format(oid='p.oid')}"
    ).all()
    for kind, schema, name, args in routines:
        what = {"p": "PROCEDURE", "a": "AGGREGATE"}.get(kind, "FUNCTION")
        conn.exec_driver_sql(f"DROP {what} IF EXISTS {quoted(conn, schema, name)}({args}) CASCADE")
    types = conn.exec_driver_sql(
        "SELECT t.typtype::text, n.nspname, t.typname FROM pg_type t "
        "JOIN pg_namespace n ON n.oid = t.typnamespace "
        f"WHERE {USER_NAMESPACE} AND {NOT_FROM_EXTENSION.format(oid='t.oid')} "
        "AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND "
        "(SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'))"
    ).all()
    for typtype, schema, name in types:
        what = "DOMAIN" if typtype == "d" else "TYPE"
        conn.exec_driver_sql(f"DROP {what} IF EXISTS {quoted(conn, schema, name)} CASCADE")
