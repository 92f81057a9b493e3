"""PostgreSQL 15: which changes rewrite a table, which block writes, and row estimates.

What the server does (``ALTER TABLE`` and ``CREATE INDEX`` reference,
``ATColumnChangeRequiresRewrite``):

- A type change rewrites the table and every index under an ACCESS
  EXCLUSIVE lock unless the old values are valid as they are: VARCHAR(n)
  to a longer VARCHAR or to TEXT / unbounded VARCHAR, TEXT to unbounded
  VARCHAR, NUMERIC(p, s) to NUMERIC(p' >= p, s) or to unconstrained NUMERIC.
  TEXT to VARCHAR(n) does rewrite (the length check is a real cast).
- ``ADD COLUMN`` with a constant default (or none) only touches the
  catalog since PostgreSQL 11; a volatile default (``random()``,
  ``clock_timestamp()``, ``gen_random_uuid()``, a sequence), an identity
  or a stored generated column fills every row: a rewrite.
- ``SET NOT NULL`` scans the whole table under ACCESS EXCLUSIVE.
- ``CREATE INDEX`` without ``CONCURRENTLY`` holds a SHARE lock (no
  INSERT/UPDATE/DELETE) for the whole build.
- ``ADD FOREIGN KEY`` / ``ADD CHECK`` validated in place check every row
  while holding SHARE ROW EXCLUSIVE / ACCESS EXCLUSIVE; ``NOT VALID``
  skips that scan (``VALIDATE CONSTRAINT`` later takes a weaker lock).
- Changing an enum's values other than by appending recreates the type
  and casts every column of it: each such table is rewritten.

Row estimates: ``pg_class.reltuples`` for every table, one query.  It is
-1 until the first VACUUM/ANALYZE (PostgreSQL 14+), and a stale 0 stays
after rows arrive; a 0 for a table whose heap has pages is therefore read
as unknown, not as empty.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKeyConstraint,
    Numeric,
    PrimaryKeyConstraint,
    UniqueConstraint,
)

from schemadiff.hazards.context import HazardContext, TableKey
from schemadiff.hazards.rules import (
    BLOCKS_WRITES,
    MAY_FAIL,
    REWRITES_TABLE,
    HazardRules,
    full_name,
)
from schemadiff.hazards.types import (
    Shift,
    is_fixed_char,
    is_textual,
    numeric_digits,
    text_length,
    type_shift,
)
from schemadiff.ops import AddColumnOp, AddConstraintOp, AlterColumnOp, CreateIndexOp, Hazard
from schemadiff.ops.constraint_ops import is_concurrent
from schemadiff.ops.enum_ops import AlterEnumOp
from schemadiff.ops.sql_ops import ExecuteSQLOp

ESTIMATES_SQL = """
SELECT n.nspname = current_schema() AS is_default, n.nspname, c.relname,
       CASE WHEN c.reltuples < 0 THEN NULL
            WHEN c.reltuples = 0 AND c.relpages = 0 AND pg_relation_size(c.oid) > 0 THEN NULL
            ELSE c.reltuples::bigint END AS estimate
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%%'
"""

#: functions whose value does not change within a statement: a default of them
#: is evaluated once, so ADD COLUMN stays a catalog change
_STABLE_CALLS = frozenset(
    {
        "now",
        "current_timestamp",
        "current_date",
        "current_time",
        "localtimestamp",
        "localtime",
        "statement_timestamp",
        "transaction_timestamp",
        "current_user",
        "session_user",
        "current_schema",
    }
)
_VALIDATE = re.compile(r"ALTER TABLE .+ VALIDATE CONSTRAINT (\S+?);?$", re.IGNORECASE)
_CALL = re.compile(r"([A-Za-z_][\w.]*)\s*\(")


def volatile_default(text: str | None) -> bool:
    """A default that may differ per row: PostgreSQL must write it into each one.

    A call of any function not known to be stable counts, since the catalog
    is not at hand to ask (``pg_proc.provolatile``); a cast such as
    ``'x'::text`` is not a call.
    """
    if not text:
        return False
    for name in _CALL.findall(text):
        if name.split(".")[-1].lower() not in _STABLE_CALLS:
            return True
    return False


def _not_valid(constraint: Any) -> bool:
    options = getattr(constraint, "dialect_options", None)
    try:
        return bool(options and options["postgresql"].get("not_valid"))
    except KeyError:
        return False


def type_keeps_values(old: Any, new: Any) -> bool:
    """True when PostgreSQL accepts the old bytes as they are (no rewrite)."""
    shift = type_shift(old, new)
    if shift is Shift.SAME and type(old) is type(new):
        return True
    if is_textual(old) and is_textual(new) and not (is_fixed_char(old) or is_fixed_char(new)):
        old_len, new_len = text_length(old), text_length(new)
        return new_len is None or (old_len is not None and new_len >= old_len)
    if isinstance(old, Numeric) and isinstance(new, Numeric) and type(old) is type(new):
        (old_p, old_s), (new_p, new_s) = numeric_digits(old), numeric_digits(new)
        if new_p is None and new_s == 0 and getattr(new, "scale", None) is None:
            return True  # unconstrained NUMERIC takes any value as stored
        return old_s == new_s and old_p is not None and new_p is not None and new_p >= old_p
    return False


class PostgreSQLHazards(HazardRules):
    name = "postgresql"

    def row_estimates(self, connection: Any) -> dict[TableKey, int | None]:
        out: dict[TableKey, int | None] = {}
        for is_default, schema, table, estimate in connection.exec_driver_sql(ESTIMATES_SQL):
            key = (None if is_default else schema, table)
            out[key] = None if estimate is None else int(estimate)
        return out

    def add_column(self, op: AddColumnOp, ctx: HazardContext) -> list[Hazard]:
        out = super().add_column(op, ctx)
        if ctx.is_new(op.schema, op.table_name):
            return out
        column = op.column
        default = column.server_default
        text = getattr(getattr(default, "arg", None), "text", getattr(default, "arg", None))
        why = None
        if column.identity is not None:
            why = "an identity column numbers every existing row"
        elif column.computed is not None and column.computed.persisted is not False:
            why = "a stored generated column is computed for every existing row"
        elif isinstance(text, str) and volatile_default(text):
            why = f"the default {text} is volatile, so it is written into every existing row"
        if why:
            out.append(
                Hazard(
                    REWRITES_TABLE,
                    f"adding '{column.name}' rewrites '{full_name(op.schema, op.table_name)}' "
                    f"under an ACCESS EXCLUSIVE lock: {why}",
                )
            )
        return out

    def alter_column(self, op: AlterColumnOp, ctx: HazardContext) -> list[Hazard]:
        out = super().alter_column(op, ctx)
        if ctx.is_new(op.schema, op.table_name):
            return out
        name = full_name(op.schema, op.table_name)
        if op.type is not None and not type_keeps_values(op.type.old, op.type.new):
            out.append(
                Hazard(
                    REWRITES_TABLE,
                    f"the type change of '{op.column_name}' rewrites '{name}' and its indexes "
                    "under an ACCESS EXCLUSIVE lock (no reads or writes meanwhile)",
                )
            )
        if op.nullable is not None and op.nullable.new is False:
            out.append(
                Hazard(
                    BLOCKS_WRITES,
                    f"SET NOT NULL scans all of '{name}' under an ACCESS EXCLUSIVE lock",
                )
            )
        return out

    def create_index(self, op: CreateIndexOp, ctx: HazardContext) -> list[Hazard]:
        out = super().create_index(op, ctx)
        table = op.index.table
        concurrently = (
            is_concurrent(op.index)
            or op.options.get("postgresql_concurrently")
            or ctx.safe_migrations  # built CONCURRENTLY in an autocommit block
        )
        if table is None or ctx.is_new(table.schema, table.name) or concurrently:
            return out
        out.append(
            Hazard(
                BLOCKS_WRITES,
                f"CREATE INDEX '{op.index.name}' without CONCURRENTLY blocks writes to "
                f"'{full_name(table.schema, table.name)}' for the whole build",
            )
        )
        return out

    def add_constraint(self, op: AddConstraintOp, ctx: HazardContext) -> list[Hazard]:
        cons = op.constraint
        table = cons.table
        if ctx.is_new(table.schema, table.name):
            return []
        out = [] if _not_valid(cons) else super().add_constraint(op, ctx)
        name = full_name(table.schema, table.name)
        label = f"'{cons.name}'" if isinstance(cons.name, str) else "(unnamed)"
        # safe_migrations adds these NOT VALID and validates them after a commit,
        # which lets writes through; the validation itself may still fail
        in_place = not _not_valid(cons) and not ctx.safe_migrations
        if isinstance(cons, ForeignKeyConstraint) and in_place:
            why = "validated in place: writes to both tables wait while every row is checked"
            out.append(Hazard(BLOCKS_WRITES, f"foreign key {label} on '{name}' is {why}"))
        elif isinstance(cons, CheckConstraint) and in_place:
            why = "validated in place under an ACCESS EXCLUSIVE lock while every row is checked"
            out.append(Hazard(BLOCKS_WRITES, f"check constraint {label} on '{name}' is {why}"))
        elif isinstance(cons, UniqueConstraint | PrimaryKeyConstraint):
            out.append(
                Hazard(
                    BLOCKS_WRITES,
                    f"constraint {label} builds its index on '{name}' without CONCURRENTLY, "
                    "blocking writes for the whole build",
                )
            )
        return out

    def execute_sql(self, op: ExecuteSQLOp, ctx: HazardContext) -> list[Hazard]:
        """``VALIDATE CONSTRAINT``, the second half of NOT VALID, is known: it
        scans under SHARE UPDATE EXCLUSIVE (writes go on) and fails on a bad row."""
        match = _VALIDATE.match(" ".join(op.sql.split()))
        if match is None:
            return super().execute_sql(op, ctx)
        return [
            Hazard(MAY_FAIL, f"VALIDATE CONSTRAINT {match.group(1)}: fails if a row violates it")
        ]

    def alter_enum(self, op: AlterEnumOp, ctx: HazardContext) -> list[Hazard]:
        out = super().alter_enum(op, ctx)
        if op.adds_only:
            return out
        tables = sorted({full_name(s, t) for s, t, _ in op.columns})
        where = f" ({', '.join(tables)})" if tables else ""
        out.append(
            Hazard(
                REWRITES_TABLE,
                f"enum '{op.name}' is recreated: every table with a column of it{where} is "
                "rewritten under an ACCESS EXCLUSIVE lock",
            )
        )
        return out
