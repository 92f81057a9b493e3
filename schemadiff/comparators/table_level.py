"""Primary keys and table comments."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import PrimaryKeyConstraint

from schemadiff.comparators.context import CompareContext
from schemadiff.comparators.registry import ComparatorRegistry
from schemadiff.ops import (
    AddConstraintOp,
    CreateTableCommentOp,
    DropConstraintOp,
    DropTableCommentOp,
    MigrateOperation,
)
from schemadiff.snapshot.model import TableSnapshot


def compare_primary_key(
    ctx: CompareContext, db: TableSnapshot, model: TableSnapshot
) -> Iterator[MigrateOperation]:
    """Only the columns matter: backends name primary keys as they please."""
    db_cols = db.primary_key.columns if db.primary_key else ()
    model_cols = model.primary_key.columns if model.primary_key else ()
    if db_cols == model_cols:
        return
    if db_cols:
        table = ctx.reflected_table(db)
        existing = table.primary_key if table.primary_key.columns else None
        name = db.primary_key.name if db.primary_key else None
        yield DropConstraintOp(name, db.name, "primary", db.schema, existing=existing)
    if model_cols and model.primary_key is not None:
        source = model.primary_key.source
        if isinstance(source, PrimaryKeyConstraint):
            yield AddConstraintOp(source)


def compare_table_comment(
    ctx: CompareContext, db: TableSnapshot, model: TableSnapshot
) -> Iterator[MigrateOperation]:
    if not ctx.impl.dialect.supports_comments:
        return
    old, new = db.comment or None, model.comment or None
    if old == new:
        return
    if new is None:
        yield DropTableCommentOp(model.name, model.schema, existing_comment=old)
    else:
        yield CreateTableCommentOp(model.name, new, model.schema, existing_comment=old)


def setup(registry: ComparatorRegistry) -> None:
    registry.register("table", "primary_key")(compare_primary_key)
    registry.register("table", "table_comment")(compare_table_comment)
