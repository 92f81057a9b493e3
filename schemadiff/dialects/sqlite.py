"""SQLite: transactional DDL, but almost no ALTER (batch mode recreates tables)."""

from __future__ import annotations

from typing import ClassVar

from schemadiff.dialects.base import DialectImpl


class SQLiteImpl(DialectImpl):
    name: ClassVar[str] = "sqlite"
    # pysqlite runs DDL inside the transaction SQLAlchemy begins, and SQLite
    # rolls it back like any other statement.
    transactional_ddl: ClassVar[bool] = True
    supports_alter_column: ClassVar[bool] = False
    reflects_expression_indexes: ClassVar[bool] = False

    # Declared names SQLite treats alike (SQLite 3 docs, "Datatypes", 3.1).
    type_synonyms = (
        frozenset({"NUMERIC", "DECIMAL"}),
        frozenset({"INT", "INTEGER"}),
        frozenset({"BOOL", "BOOLEAN"}),
    )


    def column_comment(self, table_name, column_name, comment, schema):  # type: ignore[no-untyped-def]
        return []  # SQLite has no comments

    def table_comment(self, table_name, comment, schema):  # type: ignore[no-untyped-def]
        return []
