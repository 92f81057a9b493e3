"""Put hazards on changes and operations, walking a migration's operations once.

A column alteration is one operation but several changes (nullability,
type, default...); each change gets the hazards of its own part, so a
report never blames a new comment for a type rewrite.  Row estimates go
on the hazards of tables that exist already.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from typing import Any

from schemadiff.hazards.context import HazardContext, TableKey
from schemadiff.hazards.registry import rules_for
from schemadiff.hazards.rules import HazardRules, op_table
from schemadiff.ops import (
    AlterColumnOp,
    Change,
    CreateTableOp,
    Hazard,
    MigrateOperation,
    ModifyTableOps,
    OpContainer,
)
from schemadiff.ops.base import HAZARD_KINDS

_ASPECTS = ("nullable", "type", "server_default", "comment", "identity")


def leaves(ops: Iterable[MigrateOperation]) -> Iterator[MigrateOperation]:
    for op in ops:
        if isinstance(op, ModifyTableOps | OpContainer):
            yield from leaves(op.ops)
        else:
            yield op


def new_tables(ops: Iterable[MigrateOperation]) -> frozenset[TableKey]:
    return frozenset(
        (op.schema, op.table_name) for op in leaves(ops) if isinstance(op, CreateTableOp)
    )


def context_for(
    dialect_name: str,
    ops: Iterable[MigrateOperation],
    rows: dict[TableKey, int | None] | None = None,
    default_schema: str | None = None,
    *,
    safe_migrations: bool = False,
) -> HazardContext:
    made = frozenset((None if s == default_schema else s, t) for s, t in new_tables(ops))
    return HazardContext(dialect_name, rows, made, default_schema, safe_migrations)


def _rank(hazard: Hazard) -> int:
    return HAZARD_KINDS.index(hazard.kind) if hazard.kind in HAZARD_KINDS else len(HAZARD_KINDS)


def _sized(op: MigrateOperation, found: list[Hazard], ctx: HazardContext) -> list[Hazard]:
    """Most severe first; each with the table's row estimate where known."""
    found = sorted(found, key=_rank)
    schema, table = op_table(op)
    rows = ctx.rows_of(schema, table)
    if rows is None:
        return found
    return [h if h.rows is not None else dataclasses.replace(h, rows=rows) for h in found]


def _parts(op: MigrateOperation) -> list[MigrateOperation]:
    """A column alteration split into one operation per attribute it changes."""
    if not isinstance(op, AlterColumnOp):
        return [op]
    parts: list[MigrateOperation] = []
    for aspect in _ASPECTS:
        if getattr(op, aspect) is not None:
            kept: dict[str, Any] = {a: None for a in _ASPECTS if a != aspect}
            parts.append(dataclasses.replace(op, new_column_name=None, **kept))
    return parts or [op]


def op_hazards(
    op: MigrateOperation, ctx: HazardContext, rules: HazardRules | None = None
) -> list[Hazard]:
    """Every hazard of one leaf operation, each once."""
    rules = rules or rules_for(ctx.dialect_name)
    found: list[Hazard] = []
    for part in _parts(op):
        for hazard in rules.hazards(part, ctx):
            if hazard not in found:
                found.append(hazard)
    return _sized(op, found, ctx)


def changes_with_hazards(ops: Iterable[MigrateOperation], ctx: HazardContext) -> list[Change]:
    """The changes of ``ops``, in order, each with its hazards."""
    rules = rules_for(ctx.dialect_name)
    out: list[Change] = []
    for op in leaves(ops):
        changes = op.to_changes()
        if not changes:
            continue
        by_kind: dict[str, tuple[Hazard, ...]] = {}
        for part in _parts(op):
            hazards = tuple(_sized(op, rules.hazards(part, ctx), ctx))
            for change in part.to_changes() or [changes[0]]:
                by_kind.setdefault(change.kind, hazards)
        for index, change in enumerate(changes):
            hazards = by_kind.pop(change.kind, ())
            if index == 0 and not isinstance(op, AlterColumnOp):
                hazards = tuple(h for found in by_kind.values() for h in found) + hazards
            out.append(dataclasses.replace(change, hazards=hazards) if hazards else change)
    return out
