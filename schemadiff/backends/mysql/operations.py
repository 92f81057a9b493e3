"""What MySQL's and MariaDB's ALTER needs looked up on the live database.

MODIFY restates the whole column, so a hint left out (default, NOT NULL,
comment, AUTO_INCREMENT) would be dropped; DROP names the kind of what it
drops (FOREIGN KEY, INDEX, CHECK, PRIMARY KEY) and takes no IF EXISTS; and
InnoDB leaves behind the index it made for a foreign key.  Each answer is
read from the connection; offline there is none to read.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from schemadiff.dialects.base import DropConstraintPlan
from schemadiff.errors import MigrationError
from schemadiff.ops.constraint_ops import DropConstraintOp
from schemadiff.ops.schema_ops import AlterColumnOp


def with_existing_hints(bind: Connection, op: AlterColumnOp) -> AlterColumnOp:
    """Fill the ``existing_*`` hints MODIFY needs from the live column, so a MODIFY
    never drops a default, NOT NULL, comment or AUTO_INCREMENT the script did not
    mention."""
    columns = inspect(bind).get_columns(op.table_name, schema=op.schema)
    live = next((c for c in columns if c["name"] == op.column_name), None)
    if live is None:
        raise MigrationError(f"No column '{op.column_name}' in table '{op.table_name}'")
    changes: dict[str, Any] = {}
    if op.existing_type is None:
        changes["existing_type"] = live["type"]
    if op.existing_nullable is None:
        changes["existing_nullable"] = live["nullable"]
    default = live.get("default")
    if op.existing_server_default is None and default is not None:
        changes["existing_server_default"] = text(default)
    if op.existing_comment is None and live.get("comment"):
        changes["existing_comment"] = live["comment"]
    if "existing_autoincrement" not in op.extra and live.get("autoincrement") is True:
        changes["extra"] = {**op.extra, "existing_autoincrement": True}
    return dataclasses.replace(op, **changes) if changes else op


def plan_drop_constraint(
    bind: Connection | None, op: DropConstraintOp
) -> DropConstraintPlan | None:
    if op.options.get("if_exists") and bind is not None and not _exists(bind, op):
        return None
    type_ = op.type_ if op.type_ is not None else _kind(bind, op)
    implicit = _implicit_fk_index(bind, op) if type_ == "foreignkey" and bind is not None else None
    return DropConstraintPlan(type_, implicit)


def _exists(bind: Connection, op: DropConstraintOp) -> bool:
    insp = inspect(bind)
    table, schema = op.table_name, op.schema
    names = {fk["name"] for fk in insp.get_foreign_keys(table, schema=schema)}
    names |= {ck["name"] for ck in insp.get_check_constraints(table, schema=schema)}
    names |= {ix["name"] for ix in insp.get_indexes(table, schema=schema)}
    names |= {uq["name"] for uq in insp.get_unique_constraints(table, schema=schema)}
    if insp.get_pk_constraint(table, schema=schema).get("constrained_columns"):
        names.add("PRIMARY")
    return op.constraint_name in names


def _implicit_fk_index(bind: Connection, op: DropConstraintOp) -> str | None:
    """InnoDB gives a foreign key an index of the key's name when none fits; it stays
    after DROP FOREIGN KEY.  Dropping it too makes the drop undo create_foreign_key."""
    insp = inspect(bind)
    fk = next(
        (
            f
            for f in insp.get_foreign_keys(op.table_name, schema=op.schema)
            if f["name"] == op.constraint_name
        ),
        None,
    )
    if fk is None:
        return None
    for index in insp.get_indexes(op.table_name, schema=op.schema):
        if (
            index["name"] == op.constraint_name
            and index["column_names"] == fk["constrained_columns"]
        ):
            return op.constraint_name
    return None


def _kind(bind: Connection | None, op: DropConstraintOp) -> str:
    """MySQL spells DROP by kind (FOREIGN KEY, INDEX, CHECK, PRIMARY KEY)."""
    if bind is None:
        raise MigrationError(
            f"MySQL needs to know what kind of constraint '{op.constraint_name}' is to drop it "
            "offline: pass type_='foreignkey', 'unique', 'check' or 'primary'"
        )
    insp = inspect(bind)
    name, table, schema = op.constraint_name, op.table_name, op.schema
    if any(fk["name"] == name for fk in insp.get_foreign_keys(table, schema=schema)):
        return "foreignkey"
    if any(ck["name"] == name for ck in insp.get_check_constraints(table, schema=schema)):
        return "check"
    if name and name.upper() == "PRIMARY":
        return "primary"
    return "unique"
