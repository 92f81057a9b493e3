"""MariaDB's and MySQL's side of ``--dev-url``: what a scratch database holds, and emptying it."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from schemadiff.devdb.scratch import Inventory, quoted


def inventory(conn: Connection) -> Inventory:
    """Tables, views, sequences, routines and events of the connection's database."""
    rows = conn.exec_driver_sql(
        "SELECT table_type, table_name FROM information_schema.tables "
        "WHERE table_schema = DATABASE() "
        "UNION ALL SELECT routine_type, routine_name FROM information_schema.routines "
        "WHERE routine_schema = DATABASE() "
        "UNION ALL SELECT 'EVENT', event_name FROM information_schema.events "
        "WHERE event_schema = DATABASE()"
    ).all()
    return Inventory(tuple(sorted(f"{kind.lower()} {obj}" for kind, obj in rows)))


def empty(conn: Connection, before: Inventory) -> None:
    conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
    try:
        rows = conn.exec_driver_sql(
            "SELECT table_type, table_name FROM information_schema.tables "
            "WHERE table_schema = DATABASE() ORDER BY table_type = 'VIEW' DESC"
        ).all()
        for kind, name in rows:
            what = {"VIEW": "VIEW", "SEQUENCE": "SEQUENCE"}.get(kind, "TABLE")
            conn.exec_driver_sql(f"DROP {what} IF EXISTS {quoted(conn, name)}")
        routines = conn.exec_driver_sql(
            "SELECT routine_type, routine_name FROM information_schema.routines "
            "WHERE routine_schema = DATABASE()"
        ).all()
        for kind, name in routines:
            conn.exec_driver_sql(f"DROP {kind} IF EXISTS {quoted(conn, name)}")
        events = conn.exec_driver_sql(
            "SELECT event_name FROM information_schema.events WHERE event_schema = DATABASE()"
        ).scalars()
        for name in list(events):
            conn.exec_driver_sql(f"DROP EVENT IF EXISTS {quoted(conn, name)}")
    finally:
        conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 1")
