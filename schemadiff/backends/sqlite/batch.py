"""SQLite's part of a batch rebuild: which other tables' keys point at the table.

SQLAlchemy's ``get_multi_foreign_keys`` reflects every table of the schema
one at a time (two PRAGMAs each), so a rebuild in a 100-table database read
200 catalog statements to find the few keys that refer to the rebuilt
table.  One join of ``pragma_foreign_key_list`` over ``sqlite_master``
names the referring tables; only those are read, through the snapshot reader.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from schemadiff.snapshot.bulk_sqlite import reflect_sqlite_tables
from schemadiff.snapshot.model import ForeignKeySnapshot

__all__ = ["referring_keys"]


def referring_keys(
    conn: Connection, name: str, schema: str | None, default_schema: str | None
) -> list[tuple[str, ForeignKeySnapshot]]:
    """``(table, key)`` for each key of another table that names ``name``."""
    quote = conn.dialect.identifier_preparer.quote_identifier
    master = f"{quote(schema)}.sqlite_master" if schema else "main.sqlite_master"
    tables = list(
        conn.exec_driver_sql(
            f"SELECT DISTINCT m.name FROM {master} AS m "
            "JOIN pragma_foreign_key_list(m.name, ?) AS f WHERE m.type = ? AND m.name <> ? "
            'AND f."table" = ? COLLATE NOCASE ORDER BY m.name',
            (schema or "main", "table", name, name),
        ).scalars()
    )
    if not tables:
        return []
    key_schema = None if schema == default_schema else schema
    snaps = reflect_sqlite_tables(conn, schema, key_schema, tables, default_schema)
    return [(snap.name, fk) for snap in snaps.values() for fk in snap.foreign_keys]
