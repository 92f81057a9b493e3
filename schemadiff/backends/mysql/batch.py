"""MySQL/MariaDB's part of a batch rebuild: which tables' keys point at the table,
and the foreign-key names InnoDB keeps per database.

SQLAlchemy reflects MySQL foreign keys from each table's ``SHOW CREATE
TABLE``, one statement per table of the schema; ``information_schema``
names the few tables whose keys refer to the rebuilt one in one statement,
and only those are reflected.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from schemadiff.operations.batch_recreate import Recreate
from schemadiff.operations.batch_reflect import keys_of_tables
from schemadiff.snapshot.model import ForeignKeySnapshot

__all__ = ["MySQLRecreate", "referring_keys", "referring_tables"]


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


def referring_keys(
    conn: Connection, name: str, schema: str | None, default: str | None
) -> list[tuple[str, str | None, ForeignKeySnapshot]]:
    tables = referring_tables(conn, name, schema)
    return keys_of_tables(conn, name, schema, default, tables) if tables else []


class MySQLRecreate(Recreate):
    # Foreign key names are unique per database in InnoDB: the new table's
    # keys can only be added once the old table (and its keys) is gone.
    inline_foreign_keys = False

    def unknown_referencing_keys(self, stage: str) -> None:
        """InnoDB keeps other tables' keys to a dropped table and attaches them to
        the table renamed into its place, when the checks are off meanwhile."""
        if stage == "drop":
            self.execute("SET FOREIGN_KEY_CHECKS = 0")
        elif stage == "rename":
            self.execute("SET FOREIGN_KEY_CHECKS = 1")
