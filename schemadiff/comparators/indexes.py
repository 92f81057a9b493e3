"""Indexes and unique constraints, compared together.

They are compared as one family because backends blur the line: MySQL
stores a UNIQUE constraint as a unique index and reports it twice,
PostgreSQL reports the index behind every unique constraint, and a model's
``Column(unique=True)`` is unnamed while the database named it.  Matching
runs in two passes: named model items by name, then unnamed model items by
what they cover (columns or expressions, uniqueness, predicate).  Database
items left over are removed, except the ones the backend made on its own
(MySQL's foreign-key indexes).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any, NamedTuple

from sqlalchemy import Index, UniqueConstraint

from schemadiff.comparators.context import CompareContext
from schemadiff.comparators.registry import ComparatorRegistry
from schemadiff.ops import (
    AddConstraintOp,
    CreateIndexOp,
    DropConstraintOp,
    DropIndexOp,
    MigrateOperation,
)
from schemadiff.snapshot.model import TableSnapshot

log = logging.getLogger("schemadiff.autogenerate.compare")

_IDENTIFIER_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")


class _Item(NamedTuple):
    kind: str  # "index" or "unique"
    name: str | None
    signature: tuple[Any, ...]
    obj: Any  # the snapshot item


def _index_item(ctx: CompareContext, ix: Any) -> _Item:
    where = ctx.impl.canonical(ix.where) if ix.where else None
    family = "unique" if ix.unique else "index"
    exprs = tuple(ix.expressions)
    if not _IDENTIFIER_CHARS.issuperset("".join(exprs)):  # plain columns are the rule
        canonical = ctx.impl.canonical
        exprs = tuple(e if _IDENTIFIER_CHARS.issuperset(e) else canonical(e) for e in exprs)
    impl = ctx.impl
    modifiers = ix.modifiers if impl.reflects_index_modifiers else ()
    signature = (family, exprs, where, modifiers, impl.index_option_signature(ix))
    return _Item("index", ix.name, signature, ix)


def _unique_item(uq: Any) -> _Item:
    return _Item("unique", uq.name, ("unique", tuple(uq.columns), None, (), ()), uq)


def _db_items(ctx: CompareContext, table: TableSnapshot) -> list[_Item]:
    impl, filtered = ctx.impl, ctx.options.include_name is not None
    unique_names = {u.name for u in table.uniques} if impl.unique_constraint_is_index else ()
    items: list[_Item] = []
    for ix in table.indexes:
        source = ix.source
        if isinstance(source, dict) and source.get("duplicates_constraint"):
            continue  # PostgreSQL: the index behind a unique constraint
        if ix.unique and ix.name in unique_names:
            continue  # MySQL: reported again as a unique constraint
        if filtered and not ctx.include_reflected_name(ix.name, "index", table):
            continue
        if not impl.reflects_expression_indexes and _is_expression_index(ix):
            continue
        items.append(_index_item(ctx, ix))
    for uq in table.uniques:
        if not filtered or ctx.include_reflected_name(uq.name, "unique_constraint", table):
            items.append(_unique_item(uq))
    return items


def _is_expression_index(ix: Any) -> bool:
    return not _IDENTIFIER_CHARS.issuperset("".join(ix.expressions))


def _model_items(ctx: CompareContext, table: TableSnapshot) -> list[_Item]:
    items = []
    for ix in table.indexes:
        if not ctx.impl.reflects_expression_indexes and _is_expression_index(ix):
            # SQLAlchemy 2.1 skips expression indexes when reflecting SQLite;
            # comparing would report them missing on every run.
            log.warning(
                "index %r on '%s' uses expressions, which %s does not reflect; not compared",
                ix.name,
                table.name,
                ctx.impl.name,
            )
            continue
        items.append(_index_item(ctx, ix))
    return items + [_unique_item(uq) for uq in table.uniques]


def _implicit_fk_index(
    ctx: CompareContext, item: _Item, db: TableSnapshot, model: TableSnapshot
) -> bool:
    """An index MySQL keeps for a foreign key: its own (named as the key), or
    one of the model's that the key uses while the model still has the key.

    When the model drops the key, an index of its own name is the model's to
    drop (else a downgrade that restores the key would not restore the
    index); the key's own index goes with the key.
    """
    if not ctx.impl.implicit_fk_indexes or item.kind != "index" or item.obj.unique:
        return False
    exprs = tuple(item.obj.expressions)
    kept = {(tuple(fk.columns), fk.referred_table) for fk in model.foreign_keys}
    return any(
        tuple(fk.columns) == exprs[: len(fk.columns)]
        and (item.name == fk.name or (tuple(fk.columns), fk.referred_table) in kept)
        for fk in db.foreign_keys
    )


def compare_indexes_and_uniques(
    ctx: CompareContext, db: TableSnapshot, model: TableSnapshot
) -> Iterator[MigrateOperation]:
    norm = ctx.impl.normalize_name
    db_items = _db_items(ctx, db)
    by_name = {norm(i.name): i for i in db_items if i.name is not None}
    consumed: set[int] = set()
    added: list[_Item] = []
    removed: list[_Item] = []

    unnamed: list[_Item] = []
    for item in _model_items(ctx, model):
        if item.name is None:
            unnamed.append(item)
            continue
        match = by_name.get(norm(item.name))
        if match is None or id(match) in consumed:
            added.append(item)
            continue
        consumed.add(id(match))
        if match.signature != item.signature:
            removed.append(match)
            added.append(item)
    for item in unnamed:
        match = next(
            (d for d in db_items if id(d) not in consumed and d.signature == item.signature), None
        )
        if match is None:
            added.append(item)
        else:
            consumed.add(id(match))
    for item in db_items:
        if id(item) not in consumed and not _implicit_fk_index(ctx, item, db, model):
            removed.append(item)

    for item in removed:
        op = _drop(ctx, db, item)
        if op is not None:
            yield op
    for item in added:
        op = _add(ctx, model, item)
        if op is not None:
            yield op


def _add(ctx: CompareContext, model: TableSnapshot, item: _Item) -> MigrateOperation | None:
    source = item.obj.source
    if item.kind == "index":
        if not isinstance(source, Index) or not ctx.include(
            source, item.name, "index", False, None
        ):
            return None
        return CreateIndexOp(source)
    if not isinstance(source, UniqueConstraint):
        return None
    if not ctx.include(source, item.name, "unique_constraint", False, None):
        return None
    return AddConstraintOp(source)


def _drop(ctx: CompareContext, db: TableSnapshot, item: _Item) -> MigrateOperation | None:
    table = ctx.reflected_table(db)
    if item.kind == "index":
        existing = next((i for i in table.indexes if i.name == item.name), None)
        if not ctx.include(existing, item.name, "index", True, None):
            return None
        return DropIndexOp(item.name or "", db.name, db.schema, existing=existing)
    existing_uq = next(
        (
            c
            for c in table.constraints
            if isinstance(c, UniqueConstraint)
            and c.name == item.name
            and tuple(col.name for col in c.columns) == item.obj.columns
        ),
        None,
    )
    if not ctx.include(existing_uq, item.name, "unique_constraint", True, None):
        return None
    return DropConstraintOp(item.name, db.name, "unique", db.schema, existing=existing_uq)


def setup(registry: ComparatorRegistry) -> None:
    registry.register("table", "indexes")(compare_indexes_and_uniques)
