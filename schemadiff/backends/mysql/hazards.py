"""MariaDB 10.11 (and MySQL): which ALTERs copy the table, and row estimates.

Checked against a MariaDB 10.11 server by forcing ``ALGORITHM=INSTANT``,
``NOCOPY`` and ``INPLACE`` in turn (``tests/backends/test_hazards.py``
keeps the claims honest):

- INSTANT: ADD COLUMN (also NOT NULL without a default: the existing rows
  get the type's implicit default, so it does not fail), DROP COLUMN,
  RENAME COLUMN, defaults, comments, making a column NULL, appending enum
  values, and lengthening a VARCHAR unless its maximum byte length goes
  from 128..255 to more than 255 (the row's length prefix grows).
- INPLACE (LOCK=NONE, writes go on): CREATE INDEX, unique too; SET NOT
  NULL, which rebuilds the table in place.  A FULLTEXT or SPATIAL index
  is built in place but with writes locked out.
- COPY (writes wait for the whole copy): every other type change (INT to
  BIGINT, any shortening, VARCHAR to TEXT, reordering or removing enum
  values), ADD FOREIGN KEY with foreign_key_checks on, ADD CHECK.

The character set is not at hand when reading a script, so VARCHAR
lengths are taken as utf8mb4 (4 bytes a character): a latin1 column may
be reported as copied where the server extends it in place, never the
other way round.

Row estimates: ``information_schema.TABLES.TABLE_ROWS`` of the current
database, one query (InnoDB's running estimate).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CheckConstraint, Enum, ForeignKeyConstraint, PrimaryKeyConstraint, Text

from schemadiff.hazards.context import HazardContext, TableKey
from schemadiff.hazards.rules import BLOCKS_WRITES, REWRITES_TABLE, HazardRules, full_name
from schemadiff.hazards.types import Shift, is_fixed_char, is_textual, text_length, type_shift
from schemadiff.ops import AddColumnOp, AddConstraintOp, AlterColumnOp, CreateIndexOp, Hazard

ESTIMATES_SQL = (
    "SELECT TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES "
    "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'"
)
BYTES_PER_CHAR = 4


def _is_text_blob(type_: Any) -> bool:
    """TEXT and its sizes: stored off-row, unlike VARCHAR."""
    return isinstance(type_, Text) or str(type_.__visit_name__).lower().endswith("text")


def varchar_in_place(old: Any, new: Any) -> bool:
    old_len, new_len = text_length(old), text_length(new)
    if old_len is None or new_len is None or new_len < old_len:
        return False
    if _is_text_blob(old) or _is_text_blob(new) or is_fixed_char(old) or is_fixed_char(new):
        return old_len == new_len and type(old) is type(new)
    old_bytes, new_bytes = old_len * BYTES_PER_CHAR, new_len * BYTES_PER_CHAR
    return old_bytes <= 127 or old_bytes > 255 or new_bytes <= 255


def type_change_instant(old: Any, new: Any) -> bool:
    if isinstance(old, Enum) and isinstance(new, Enum):
        kept = list(new.enums)[: len(old.enums)]
        return kept == list(old.enums)
    if is_textual(old) and is_textual(new):
        return varchar_in_place(old, new)
    return type_shift(old, new) is Shift.SAME and type(old) is type(new)


def _copy(what: str, name: str) -> list[Hazard]:
    return [
        Hazard(REWRITES_TABLE, f"{what}: MariaDB copies all of '{name}' (ALGORITHM=COPY)"),
        Hazard(BLOCKS_WRITES, f"{what}: writes to '{name}' wait until the copy ends"),
    ]


class MariaDBHazards(HazardRules):
    name = "mysql"

    def row_estimates(self, connection: Any) -> dict[TableKey, int | None]:
        rows = connection.exec_driver_sql(ESTIMATES_SQL)
        return {(None, str(t)): (None if n is None else int(n)) for t, n in rows}

    def not_null_add_fails(self, op: AddColumnOp, ctx: HazardContext) -> bool:
        return False  # existing rows get the type's implicit default (0, '', ...)

    def add_column(self, op: AddColumnOp, ctx: HazardContext) -> list[Hazard]:
        out = super().add_column(op, ctx)
        if ctx.is_new(op.schema, op.table_name):
            return out
        column = op.column
        if column.primary_key or (column.computed is not None and column.computed.persisted):
            out += _copy(f"adding '{column.name}'", full_name(op.schema, op.table_name))
        return out

    def alter_column(self, op: AlterColumnOp, ctx: HazardContext) -> list[Hazard]:
        out = super().alter_column(op, ctx)
        if ctx.is_new(op.schema, op.table_name):
            return out
        name = full_name(op.schema, op.table_name)
        if op.type is not None and not type_change_instant(op.type.old, op.type.new):
            out += _copy(f"the type change of '{op.column_name}'", name)
        elif op.nullable is not None and op.nullable.new is False:
            out.append(
                Hazard(
                    REWRITES_TABLE,
                    f"NOT NULL on '{op.column_name}' rebuilds '{name}' in place "
                    "(ALGORITHM=INPLACE; writes go on)",
                )
            )
        return out

    def create_index(self, op: CreateIndexOp, ctx: HazardContext) -> list[Hazard]:
        out = super().create_index(op, ctx)
        table = op.index.table
        options = op.index.dialect_options
        prefix = options["mysql"].get("prefix") if "mysql" in options else None
        if table is None or ctx.is_new(table.schema, table.name):
            return out
        if str(prefix or "").upper() in ("FULLTEXT", "SPATIAL"):
            out.append(
                Hazard(
                    BLOCKS_WRITES,
                    f"{str(prefix).upper()} index '{op.index.name}' locks writes to "
                    f"'{full_name(table.schema, table.name)}' while it is built",
                )
            )
        return out

    def add_constraint(self, op: AddConstraintOp, ctx: HazardContext) -> list[Hazard]:
        cons = op.constraint
        table = cons.table
        if ctx.is_new(table.schema, table.name):
            return []
        out = super().add_constraint(op, ctx)
        name = full_name(table.schema, table.name)
        label = f"'{cons.name}'" if isinstance(cons.name, str) else "(unnamed)"
        if isinstance(cons, ForeignKeyConstraint):
            out += _copy(f"foreign key {label}", name)
        elif isinstance(cons, CheckConstraint):
            out += _copy(f"check constraint {label}", name)
        elif isinstance(cons, PrimaryKeyConstraint):
            out.append(
                Hazard(REWRITES_TABLE, f"primary key {label} rebuilds '{name}' (clustered index)")
            )
        return out
