"""Identity columns: made one, no longer one, or generating differently.

Only PostgreSQL has identity columns among the built-in backends; MySQL,
MariaDB and SQLite turn a model's ``Identity()`` into their autoincrement
and report none back, so there this comparator is not registered and such
a column compares like any autoincrement column.  Another backend's plugin
registers its own ``column``/``identity`` comparator.

The finding is an ``identity`` delta on ``AlterColumnOp``: PostgreSQL
changes an identity in place (ALTER COLUMN ... ADD GENERATED / SET ... /
DROP IDENTITY), keeping the column and its data.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Identity, text

from schemadiff.comparators.context import CompareContext
from schemadiff.comparators.registry import FIRST, ComparatorRegistry
from schemadiff.ops import AlterColumnOp, Delta, MigrateOperation
from schemadiff.snapshot.model import ColumnSnapshot, IdentitySnapshot, TableSnapshot
from schemadiff.snapshot.to_sqlalchemy import identity_from_snapshot

log = logging.getLogger("schemadiff.autogenerate.compare")


def compare_identity(
    ctx: CompareContext, table: TableSnapshot, db_col: ColumnSnapshot, model_col: ColumnSnapshot
) -> tuple[MigrateOperation, ...]:
    db_identity, model_identity = db_col.identity, model_col.identity
    if db_identity is None and model_identity is None:
        return ()  # nearly every column: nothing more to look at
    signature = ctx.impl.identity_signature
    old = signature(db_identity, db_col.type) if db_identity is not None else None
    new = signature(model_identity, model_col.type) if model_identity is not None else None
    if old == new:
        return ()
    changes: dict[str, Any] = {}
    if old is not None and new is None:
        _warn_if_autoincrement(table, model_col)
    if old is None and db_col.server_default is not None:
        # An identity column has no default: a serial's nextval() goes first.
        changes["server_default"] = Delta(text(db_col.server_default), None)
        if db_col.server_default.startswith("nextval("):
            log.warning(
                "column '%s.%s' turns from a serial into an identity column, whose "
                "sequence starts afresh; move it past the existing ids, e.g. with "
                "setval(pg_get_serial_sequence(...), ...)",
                table.fullname,
                model_col.name,
            )
    delta = Delta(_as_identity(old), _model_identity(model_col, model_identity))
    return (
        AlterColumnOp(
            table.name,
            model_col.name,
            table.schema,
            identity=delta,
            existing_type=db_col.type,
            existing_nullable=db_col.nullable,
            existing_server_default=db_col.server_default,
            existing_comment=db_col.comment,
            **changes,
        ),
    )


def _as_identity(signature: IdentitySnapshot | None) -> Identity | None:
    """The database's identity with only its non-default options, as a script shows it."""
    return identity_from_snapshot(signature) if signature is not None else None


def _model_identity(
    model_col: ColumnSnapshot, identity: IdentitySnapshot | None
) -> Identity | None:
    """The model's own ``Identity``, so the script says what the user wrote."""
    if identity is None:
        return None
    given = getattr(model_col.source, "identity", None)
    return given if isinstance(given, Identity) else identity_from_snapshot(identity)


def _warn_if_autoincrement(table: TableSnapshot, model_col: ColumnSnapshot) -> None:
    """A model key without ``Identity()`` looks like a serial, but only CREATE TABLE
    makes one: after DROP IDENTITY nothing numbers new rows."""
    source_table = getattr(model_col.source, "table", None)
    if source_table is not None and source_table.autoincrement_column is model_col.source:
        log.warning(
            "column '%s.%s' stops being an identity column; the model's autoincrement "
            "key gets no SERIAL default from ALTER COLUMN, so new rows need their own ids",
            table.fullname,
            model_col.name,
        )


def setup(registry: ComparatorRegistry) -> None:
    # FIRST: an identity added to a serial drops its default in the same op,
    # and the engine merges later findings for the column into the first op.
    registry.register("column", "identity", dialect="postgresql", priority=FIRST)(compare_identity)
