"""The rules every backend shares, and the door a backend's own rules come in by.

``HazardRules`` decides, for one leaf operation, what applying it may do
beyond the change itself.  The base class holds what is true everywhere
(a dropped column's data is gone; NOT NULL on a table with rows needs a
value for each of them); each backend subclasses it in
``schemadiff/backends/<name>/hazards.py`` with what its server does
(which ALTERs copy the table, which take locks) and how to read its row
estimates in one query.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, PrimaryKeyConstraint, UniqueConstraint

from schemadiff.hazards.context import HazardContext, TableKey
from schemadiff.hazards.types import Shift, type_shift, type_text
from schemadiff.ops import (
    AddColumnOp,
    AddConstraintOp,
    AlterColumnOp,
    CreateIndexOp,
    DropColumnOp,
    DropTableOp,
    Hazard,
    MigrateOperation,
)
from schemadiff.ops.enum_ops import AlterEnumOp, DropEnumOp
from schemadiff.ops.sql_ops import ExecuteSQLOp

DELETES_DATA = "deletes_data"
REWRITES_TABLE = "rewrites_table"
BLOCKS_WRITES = "blocks_writes"
MAY_FAIL = "may_fail"
UNCHECKED = "unchecked"


def full_name(schema: str | None, table: str | None) -> str:
    return f"{schema}.{table}" if schema and table else table or ""


def op_table(op: MigrateOperation) -> tuple[str | None, str | None]:
    """``(schema, table)`` an operation works on, where it has one."""
    for holder in ("index", "constraint", "column"):
        obj = getattr(op, holder, None)
        table = getattr(obj, "table", None)
        if holder != "column" and table is not None:
            return table.schema, table.name
    if isinstance(op, AddColumnOp | DropColumnOp | AlterColumnOp | DropTableOp):
        return op.schema, op.table_name
    table_name = getattr(op, "table_name", None)
    return getattr(op, "schema", None), table_name if isinstance(table_name, str) else None


class HazardRules:
    """What any backend does; a backend overrides the methods it knows better."""

    name = "generic"

    # -- entry points ----------------------------------------------------------
    def hazards(self, op: MigrateOperation, ctx: HazardContext) -> list[Hazard]:
        for klass in type(op).__mro__:
            method = _DISPATCH.get(klass.__name__)
            if method is not None:
                found: list[Hazard] = getattr(self, method)(op, ctx)
                return found
        return []

    def row_estimates(self, connection: Any) -> dict[TableKey, int | None] | None:
        """Every table's estimated row count in one catalog query; None if unknown."""
        return None

    # -- tables and columns ------------------------------------------------------
    def drop_table(self, op: DropTableOp, ctx: HazardContext) -> list[Hazard]:
        name = full_name(op.schema, op.table_name)
        return [Hazard(DELETES_DATA, f"drops table '{name}' and every row in it")]

    def drop_column(self, op: DropColumnOp, ctx: HazardContext) -> list[Hazard]:
        name = f"{full_name(op.schema, op.table_name)}.{op.column_name}"
        return [Hazard(DELETES_DATA, f"drops column '{name}' and the values it holds")]

    def add_column(self, op: AddColumnOp, ctx: HazardContext) -> list[Hazard]:
        if self.not_null_add_fails(op, ctx):
            return [
                Hazard(
                    MAY_FAIL,
                    f"adds NOT NULL column '{op.column.name}' without a server default: "
                    "fails if the table has rows",
                )
            ]
        return []

    def not_null_add_fails(self, op: AddColumnOp, ctx: HazardContext) -> bool:
        column = op.column
        if column.nullable or column.server_default is not None or column.computed is not None:
            return False
        if column.identity is not None or (
            column.primary_key and column.autoincrement in (True, "auto")
        ):
            return False  # the backend numbers the existing rows
        return ctx.may_have_rows(op.schema, op.table_name)

    def alter_column(self, op: AlterColumnOp, ctx: HazardContext) -> list[Hazard]:
        out: list[Hazard] = []
        existing = ctx.may_have_rows(op.schema, op.table_name)
        if op.nullable is not None and op.nullable.new is False and existing:
            out.append(
                Hazard(MAY_FAIL, f"sets '{op.column_name}' NOT NULL: fails if any row holds NULL")
            )
        if op.type is not None and existing:
            out += self.type_change_data(op)
        return out

    def type_change_data(self, op: AlterColumnOp) -> list[Hazard]:
        assert op.type is not None
        old, new = op.type.old, op.type.new
        shift = type_shift(old, new)
        change = f"'{op.column_name}' from {type_text(old)} to {type_text(new)}"
        if shift is Shift.NARROW:
            return [
                Hazard(DELETES_DATA, f"narrows {change}: values that do not fit are lost"),
                Hazard(MAY_FAIL, f"narrows {change}: fails on values that do not fit"),
            ]
        if shift is Shift.CONVERT:
            return [Hazard(MAY_FAIL, f"casts {change}: fails on values that do not convert")]
        return []

    # -- indexes and constraints -----------------------------------------------
    def create_index(self, op: CreateIndexOp, ctx: HazardContext) -> list[Hazard]:
        table = op.index.table
        if table is None or not op.index.unique or not ctx.may_have_rows(table.schema, table.name):
            return []
        return [
            Hazard(
                MAY_FAIL, f"unique index '{op.index.name}': fails if existing rows hold duplicates"
            )
        ]

    def add_constraint(self, op: AddConstraintOp, ctx: HazardContext) -> list[Hazard]:
        cons = op.constraint
        table = cons.table
        if not ctx.may_have_rows(table.schema, table.name):
            return []
        label = f"'{cons.name}'" if isinstance(cons.name, str) else "(unnamed)"
        if isinstance(cons, UniqueConstraint | PrimaryKeyConstraint):
            what = "primary key" if isinstance(cons, PrimaryKeyConstraint) else "unique constraint"
            return [Hazard(MAY_FAIL, f"{what} {label}: fails if existing rows hold duplicates")]
        if isinstance(cons, ForeignKeyConstraint):
            why = "a row refers to a missing key"
            return [Hazard(MAY_FAIL, f"foreign key {label}: fails if {why}")]
        if isinstance(cons, CheckConstraint):
            return [Hazard(MAY_FAIL, f"check constraint {label}: fails if a row violates it")]
        return []

    # -- enums and raw SQL -------------------------------------------------------
    def alter_enum(self, op: AlterEnumOp, ctx: HazardContext) -> list[Hazard]:
        if not op.removed:
            return []
        values = ", ".join(repr(v) for v in op.removed)
        return [
            Hazard(DELETES_DATA, f"removes value(s) {values} from enum '{op.name}'"),
            Hazard(MAY_FAIL, f"enum '{op.name}': fails if a row still holds {values}"),
        ]

    def drop_enum(self, op: DropEnumOp, ctx: HazardContext) -> list[Hazard]:
        return []

    def execute_sql(self, op: ExecuteSQLOp, ctx: HazardContext) -> list[Hazard]:
        statement = " ".join(op.sql.split())
        if statement.upper().startswith(("SET ", "RESET ")):
            return []  # a session setting (lock_timeout...): changes no table
        shown = statement[:80] + ("..." if len(statement) > 80 else "")
        return [Hazard(UNCHECKED, f"raw SQL is not analysed: {shown}")]


_DISPATCH = {
    "DropTableOp": "drop_table",
    "DropColumnOp": "drop_column",
    "AddColumnOp": "add_column",
    "AlterColumnOp": "alter_column",
    "CreateIndexOp": "create_index",
    "AddConstraintOp": "add_constraint",
    "AlterEnumOp": "alter_enum",
    "DropEnumOp": "drop_enum",
    "ExecuteSQLOp": "execute_sql",
}
