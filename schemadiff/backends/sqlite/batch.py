"""SQLite's part of a batch rebuild (move and copy, ``operations.batch_recreate``).

SQLite names tables, not objects, in its foreign keys: other tables' keys
to the rebuilt table stay as they are through the swap, which is why a
rebuild there refuses to rename a column they name, and runs with
enforcement off.  Triggers are created again after the swap.

Finding the other tables' keys: SQLAlchemy's ``get_multi_foreign_keys`` reflects every table of the schema
one at a time (two PRAGMAs each), so a rebuild in a 100-table database read
200 catalog statements to find the few keys that refer to the rebuilt
table.  One join of ``pragma_foreign_key_list`` over ``sqlite_master``
names the referring tables; only those are read, through the snapshot reader.
"""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.engine import Connection

from schemadiff.backends.sqlite.catalog import reflect_sqlite_tables
from schemadiff.errors import MigrationError
from schemadiff.operations.batch_recreate import Recreate
from schemadiff.operations.batch_table import refers_to
from schemadiff.snapshot.model import ForeignKeySnapshot

__all__ = ["SQLiteRecreate", "referring_keys"]


def referring_keys(
    conn: Connection, name: str, schema: str | None, default_schema: str | None
) -> list[tuple[str, str | None, ForeignKeySnapshot]]:
    """``(table, schema, key)`` for each key of another table that names ``name``."""
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
    snaps = reflect_sqlite_tables(conn, schema, key_schema, tables, default_schema, detailed=True)
    return [(snap.name, schema, fk) for snap in snaps.values() for fk in snap.foreign_keys]


class SQLiteRecreate(Recreate):
    """SQLite names tables in its foreign keys: nothing of the others' keys moves."""

    drops_referencing_keys = False

    def fk_inline(self, fk: ForeignKeySnapshot) -> bool:
        return True  # a key to the table itself names it, and the name comes back

    def check_referencing_keys(self) -> None:
        super().check_referencing_keys()
        for ref in self.referencing:
            moved = [c for c in ref.key.referred_columns if c in self.model.renamed]
            if moved:
                raise MigrationError(
                    f"Cannot rebuild '{self.model.full_name}' with column(s) "
                    f"{', '.join(moved)} renamed: the foreign key of table '{ref.table}' refers "
                    "to them by name; rename them in a batch of their own (SQLite then renames "
                    "in place and updates the reference)"
                )
        if not self.online:
            return
        from schemadiff.backends.sqlite.transactions import foreign_keys_enforced

        referenced = bool(self.referencing) or any(
            refers_to(f, self.model.name, self.model.schema) for f in self.model.table.foreign_keys
        )
        if referenced and foreign_keys_enforced(self.mc.get_bind()):
            raise MigrationError(
                f"Cannot rebuild '{self.model.full_name}': other rows refer to it and this "
                "connection enforces foreign keys (PRAGMA foreign_keys=ON) inside a transaction "
                "schemadiff did not begin, where SQLite cannot switch enforcement off. Let "
                "env.py use context.begin_transaction()"
            )

    def rename(self, old: str, new: str) -> None:
        if not self.online:
            super().rename(old, new)
            return
        # Views naming the table would fail the rename's schema check (SQLite
        # 3.26+) while the table is briefly missing; the legacy rename skips it.
        conn = self.mc.get_bind()
        legacy = conn.exec_driver_sql("PRAGMA legacy_alter_table").scalar()
        conn.exec_driver_sql("PRAGMA legacy_alter_table = ON")
        try:
            super().rename(old, new)
        finally:
            conn.exec_driver_sql(f"PRAGMA legacy_alter_table = {'ON' if legacy else 'OFF'}")

    def after_rename(self, final: Table, late_fks: list[ForeignKeySnapshot]) -> None:
        super().after_rename(final, [])
        for trigger in self.model.table.triggers:
            self.execute(trigger)
