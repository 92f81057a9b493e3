"""SQLite: what its ALTER TABLE cannot do is a table rebuild, and row estimates.

SQLite's ALTER TABLE adds a column (not NOT NULL without a default, not a
key, not a non-constant default), renames, and drops an unconstrained
column; everything else goes through batch mode's move and copy (a new
table, INSERT .. SELECT, DROP, RENAME), which is a rewrite of the whole
table.  The dialect implementation's ``batch_needs_recreate`` is the one
place that knowledge lives; these rules ask it.  Any DDL holds the
database's single write lock, so building an index on a table with rows
blocks every writer until it ends.

Row estimates: only where ``ANALYZE`` left ``sqlite_stat1`` (its first
number is the table's row count); otherwise none, never a COUNT(*).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import sqlite

from schemadiff.dialects import impl_for
from schemadiff.hazards.context import HazardContext, TableKey
from schemadiff.hazards.rules import BLOCKS_WRITES, REWRITES_TABLE, HazardRules, full_name, op_table
from schemadiff.ops import CreateIndexOp, Hazard, MigrateOperation

ESTIMATES_SQL = "SELECT tbl, stat FROM sqlite_stat1"


class SQLiteHazards(HazardRules):
    name = "sqlite"

    def __init__(self) -> None:
        self.impl = impl_for(sqlite.dialect())

    def row_estimates(self, connection: Any) -> dict[TableKey, int | None] | None:
        """Raises where ANALYZE never ran (no sqlite_stat1): ``row_estimates`` says None."""
        out: dict[TableKey, int | None] = {}
        for table, stat in connection.exec_driver_sql(ESTIMATES_SQL):
            first = str(stat or "").split(" ")[0]
            if first.isdigit():
                out[(None, str(table))] = max(out.get((None, str(table))) or 0, int(first))
        return out

    def hazards(self, op: MigrateOperation, ctx: HazardContext) -> list[Hazard]:
        out = super().hazards(op, ctx)
        schema, table = op_table(op)
        if table is None or ctx.is_new(schema, table):
            return out
        if self.impl.batch_needs_recreate(op, None):
            out.append(
                Hazard(
                    REWRITES_TABLE,
                    f"SQLite cannot ALTER this in place: '{full_name(schema, table)}' is "
                    "recreated and every row copied (batch move and copy)",
                )
            )
        return out

    def create_index(self, op: CreateIndexOp, ctx: HazardContext) -> list[Hazard]:
        out = super().create_index(op, ctx)
        table = op.index.table
        if table is None or not ctx.may_have_rows(table.schema, table.name):
            return out
        out.append(
            Hazard(
                BLOCKS_WRITES,
                f"building index '{op.index.name}' holds SQLite's database write lock "
                "until it ends",
            )
        )
        return out
