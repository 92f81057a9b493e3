"""Hazards: what applying a change may do to a live database beyond changing it.

Kinds (``schemadiff.ops.base.HAZARD_KINDS``): ``deletes_data``,
``rewrites_table``, ``blocks_writes``, ``may_fail``, and ``unchecked`` for
raw SQL that ``lint`` cannot read.  Generic rules live in ``rules``; each
backend's in ``schemadiff/backends/<name>/hazards.py``, found by dialect
name through ``registry``.  Online, ``rows`` on a hazard is the server's
estimate of the rows of the table, read in one catalog query
(``row_estimates``), never counted.
"""

from __future__ import annotations

from typing import Any

from schemadiff.hazards.assess import changes_with_hazards, context_for, leaves, op_hazards
from schemadiff.hazards.context import HazardContext, TableKey
from schemadiff.hazards.registry import register_hazard_rules, rules_for
from schemadiff.hazards.rules import (
    BLOCKS_WRITES,
    DELETES_DATA,
    MAY_FAIL,
    REWRITES_TABLE,
    UNCHECKED,
    HazardRules,
)
from schemadiff.ops.base import HAZARD_KINDS, Change, Hazard


def row_estimates(connection: Any) -> dict[TableKey, int | None] | None:
    """The server's row estimates for every table it reports, or None.

    A failed read is no reason to fail a ``check``: the hazards then just
    carry no row counts.
    """
    rules = rules_for(connection.dialect.name)
    try:
        return rules.row_estimates(connection)
    except Exception:  # estimates are a courtesy, like source locations
        return None


def estimates_for(connection: Any, ops: list[Any]) -> dict[TableKey, int | None] | None:
    """Row estimates, read only when a connection is at hand and some change
    touches a table that exists already (one catalog query)."""
    from schemadiff.ops import CreateTableOp

    existing = any(not isinstance(op, CreateTableOp) for op in leaves(ops))
    return row_estimates(connection) if existing and connection is not None else None


def assess_upgrade(
    dialect: Any, connection: Any, ops: list[Any], *, safe_migrations: bool = False
) -> list[Change]:
    """The changes of ``ops`` with their hazards, sized by the server's estimates."""
    rows = estimates_for(connection, ops)
    default_schema = getattr(dialect, "default_schema_name", None)
    ctx = context_for(dialect.name, ops, rows, default_schema, safe_migrations=safe_migrations)
    return changes_with_hazards(ops, ctx)


__all__ = [
    "assess_upgrade",
    "estimates_for",
    "BLOCKS_WRITES",
    "DELETES_DATA",
    "HAZARD_KINDS",
    "MAY_FAIL",
    "REWRITES_TABLE",
    "UNCHECKED",
    "Hazard",
    "HazardContext",
    "HazardRules",
    "changes_with_hazards",
    "context_for",
    "leaves",
    "op_hazards",
    "register_hazard_rules",
    "row_estimates",
    "rules_for",
]
