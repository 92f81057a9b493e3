"""SQLite's side of ``--dev-url``: what a scratch database holds, and emptying it."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from schemadiff.devdb.scratch import Inventory, quoted


def inventory(conn: Connection) -> Inventory:
    """Every table, index, view and trigger but SQLite's own."""
    rows = conn.exec_driver_sql(
        "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
    ).all()
    return Inventory(tuple(sorted(f"{kind} {obj}" for kind, obj in rows)))


def empty(conn: Connection, before: Inventory) -> None:
    conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
    rows = conn.exec_driver_sql(
        "SELECT type, name FROM sqlite_master WHERE type IN ('view', 'trigger', 'table') "
        "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "ORDER BY CASE type WHEN 'view' THEN 0 WHEN 'trigger' THEN 1 ELSE 2 END"
    ).all()
    for kind, name in rows:
        conn.exec_driver_sql(f"DROP {kind.upper()} IF EXISTS {quoted(conn, name)}")
