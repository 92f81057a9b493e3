"""MySQL/MariaDB's part of a batch rebuild: which tables' keys point at the table.

SQLAlchemy reflects MySQL foreign keys from each table's ``SHOW CREATE
TABLE``, one statement per table of the schema; ``information_schema``
names the few tables whose keys refer to the rebuilt one in one statement,
and only those are reflected.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

__all__ = ["referring_tables"]


def referring_tables(conn: Connection, name: str, schema: str | None) -> list[str]:
    """Tables of ``schema`` (other than ``name``) with a foreign key to ``name``."""
    return list(
        conn.execute(
            text(
                "SELECT DISTINCT TABLE_NAME FROM information_schema.KEY_COLUMN_USAGE "
                "WHERE TABLE_SCHEMA = coalesce(:s, DATABASE()) "
                "AND REFERENCED_TABLE_SCHEMA = coalesce(:s, DATABASE()) "
                "AND REFERENCED_TABLE_NAME = :t AND TABLE_NAME <> :t ORDER BY TABLE_NAME"
            ),
            {"s": schema, "t": name},
        ).scalars()
    )
