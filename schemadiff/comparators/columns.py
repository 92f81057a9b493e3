"""Columns: added, removed, and the attributes of columns on both sides."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from schemadiff.comparators.context import CompareContext
from schemadiff.comparators.registry import ComparatorRegistry
from schemadiff.comparators.renames import suggest_renames
from schemadiff.ops import AddColumnOp, AlterColumnOp, Delta, DropColumnOp, MigrateOperation
from schemadiff.snapshot.model import ColumnSnapshot, TableSnapshot
from schemadiff.snapshot.to_sqlalchemy import column_from_snapshot

log = logging.getLogger("schemadiff.autogenerate.compare")


def compare_column_set(
    ctx: CompareContext, db: TableSnapshot, model: TableSnapshot
) -> Iterator[MigrateOperation]:
    # a database column hidden by include_name is neither compared nor "missing"
    db_names = {c.name for c in db.columns if ctx.include_reflected_name(c.name, "column", db)}

    model_names = {c.name for c in model.columns}
    added: list[tuple[ColumnSnapshot, Any]] = []
    for col in model.columns:
        if col.name not in db_names:
            sa_col = column_from_snapshot(col)
            if ctx.include(sa_col, col.name, "column", False, None):
                added.append((col, sa_col))
    dropped: list[tuple[ColumnSnapshot, Any]] = []
    for col in db.columns:
        if col.name not in model_names:
            if not ctx.include_reflected_name(col.name, "column", db):
                continue
            sa_col = column_from_snapshot(col)

            if ctx.include(sa_col, col.name, "column", True, None):
                dropped.append((col, sa_col))
    maybe = (
        suggest_renames(ctx, [c for c, _ in dropped], [c for c, _ in added])
        if added and dropped
        else {}
    )
    for col, sa_col in added:
        yield AddColumnOp(model.name, sa_col, model.schema, possible_rename_of=maybe.get(col.name))
    for col, sa_col in dropped:
        yield DropColumnOp(db.name, col.name, db.schema, existing=sa_col)


def _alter(
    table: TableSnapshot, db_col: ColumnSnapshot, model_col: ColumnSnapshot, **changes: Any
) -> AlterColumnOp:
    return AlterColumnOp(
        table.name,
        model_col.name,
        table.schema,
        existing_type=db_col.type,
        existing_nullable=db_col.nullable,
        existing_server_default=db_col.server_default,
        existing_comment=db_col.comment,
        **changes,
    )


# The attribute comparators run once per column on both sides (12,000 times
# for a 1,000-table schema), so they return a tuple rather than being
# generators: an empty tuple costs nothing to make or to iterate.  The
# engine accepts any iterable, generators included.
Found = tuple[MigrateOperation, ...]


def compare_nullable(
    ctx: CompareContext, table: TableSnapshot, db_col: ColumnSnapshot, model_col: ColumnSnapshot
) -> Found:
    # A primary key column is NOT NULL whatever the model's flag says.
    if model_col.computed is not None or (not db_col.nullable and not model_col.nullable):
        return ()  # (a column the database reports NOT NULL is NOT NULL)
    db_nullable = ctx.impl.effective_nullable(ctx.db_table(table.key), db_col)
    if db_nullable == model_col.nullable:
        return ()
    return (_alter(table, db_col, model_col, nullable=Delta(db_nullable, model_col.nullable)),)


def compare_type(
    ctx: CompareContext, table: TableSnapshot, db_col: ColumnSnapshot, model_col: ColumnSnapshot
) -> Found:
    option = ctx.options.compare_type
    if option is False:
        return ()
    if callable(option):
        verdict = option(
            ctx.migration_context,
            column_from_snapshot(db_col),
            model_col.source,
            db_col.type,
            model_col.type,
        )
        if verdict is not None:
            if verdict:
                return (_alter(table, db_col, model_col, type=Delta(db_col.type, model_col.type)),)
            return ()
    if ctx.impl.types_differ(db_col.type, model_col.type):
        return (_alter(table, db_col, model_col, type=Delta(db_col.type, model_col.type)),)
    return ()


def compare_server_default(
    ctx: CompareContext, table: TableSnapshot, db_col: ColumnSnapshot, model_col: ColumnSnapshot
) -> Found:
    option = ctx.options.compare_server_default
    if option is False or model_col.computed is not None or model_col.identity is not None:
        return ()
    if option is True and db_col.server_default == model_col.server_default:
        return ()  # the same text, or no default on either side
    model_default = getattr(model_col.source, "server_default", None)
    if model_col.server_default is None and ctx.impl.is_implicit_default(
        db_col.server_default, model_col.source
    ):
        return ()
    if callable(option):
        verdict = option(
            ctx.migration_context,
            column_from_snapshot(db_col),
            model_col.source,
            db_col.server_default,
            model_default,
            model_col.server_default,
        )
        if verdict is not None:
            if not verdict:
                return ()
            delta = Delta(db_col.server_default, model_default)
            return (_alter(table, db_col, model_col, server_default=delta),)
    if ctx.impl.defaults_differ(db_col.server_default, model_col.server_default):
        delta = Delta(db_col.server_default, model_default)
        return (_alter(table, db_col, model_col, server_default=delta),)
    return ()


def compare_column_comment(
    ctx: CompareContext, table: TableSnapshot, db_col: ColumnSnapshot, model_col: ColumnSnapshot
) -> Found:
    if (db_col.comment or None) == (model_col.comment or None):
        return ()
    if not ctx.impl.dialect.supports_comments:
        return ()
    return (_alter(table, db_col, model_col, comment=Delta(db_col.comment, model_col.comment)),)


def compare_computed(
    ctx: CompareContext, table: TableSnapshot, db_col: ColumnSnapshot, model_col: ColumnSnapshot
) -> Found:
    """A generated column whose expression changed is dropped and re-added.

    No backend can ALTER a generation expression in place, and a generated
    column holds no data of its own, so this loses nothing.
    """
    db_c, model_c = db_col.computed, model_col.computed
    if db_c is None and model_c is None:
        return ()
    if db_c is not None and model_c is not None:
        if not ctx.impl.expressions_differ(db_c.sqltext, model_c.sqltext):
            return ()
    if model_c is None and db_c is not None:
        log.warning(
            "column '%s.%s' is generated in the database but not in the model; "
            "not altered automatically",
            table.name,
            model_col.name,
        )
        return ()
    return (
        DropColumnOp(table.name, db_col.name, table.schema, existing=column_from_snapshot(db_col)),
        AddColumnOp(table.name, column_from_snapshot(model_col), table.schema),
    )


def setup(registry: ComparatorRegistry) -> None:
    registry.register("column", "computed")(compare_computed)

    registry.register("table", "columns")(compare_column_set)
    registry.register("column", "nullable")(compare_nullable)
    registry.register("column", "type")(compare_type)
    registry.register("column", "server_default")(compare_server_default)
    registry.register("column", "comment")(compare_column_comment)
