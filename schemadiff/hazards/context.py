"""What the rules know about the database a change will run on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

TableKey = tuple[str | None, str]


@dataclass(frozen=True)
class HazardContext:
    """The facts the rules decide with, beyond the operation itself.

    ``rows`` holds the server's row estimates by ``(schema, table)`` when a
    connection was at hand (None offline, as in ``lint``); a table missing
    from it, or estimated as unknown, may hold any number of rows.
    ``new_tables`` are created by the same migration: no row of theirs can
    be lost, rewritten or locked out.  ``safe_migrations``: the directives
    will run with the option on (``schemadiff.operations.safe``), so a rule
    judges the DDL that option runs (an index built CONCURRENTLY, a key
    added NOT VALID and validated after), not the plain one.
    """

    dialect_name: str
    rows: Mapping[TableKey, int | None] | None = None
    new_tables: frozenset[TableKey] = field(default_factory=frozenset)
    default_schema: str | None = None
    safe_migrations: bool = False

    def _key(self, schema: str | None, table: str) -> TableKey:
        return (None if schema == self.default_schema else schema, table)

    def is_new(self, schema: str | None, table: str | None) -> bool:
        return table is not None and self._key(schema, table) in self.new_tables

    def rows_of(self, schema: str | None, table: str | None) -> int | None:
        """The estimate for an existing table; None when unknown."""
        if self.rows is None or table is None or self.is_new(schema, table):
            return None
        return self.rows.get(self._key(schema, table))

    def may_have_rows(self, schema: str | None, table: str | None) -> bool:
        """False only for a new table, or one the server estimates as empty.

        An estimate of 0 is trusted: every backend's reader returns None
        instead where its zero cannot be told from "never counted" (see
        each backend's ``row_estimates``).
        """
        if self.is_new(schema, table):
            return False
        return self.rows_of(schema, table) != 0
