"""Tables added to or removed from the model."""

from __future__ import annotations

from collections.abc import Iterator

from schemadiff.comparators.context import CompareContext
from schemadiff.comparators.registry import ComparatorRegistry
from schemadiff.ops import CreateIndexOp, CreateTableOp, DropTableOp, MigrateOperation
from schemadiff.snapshot.model import SchemaSnapshot
from schemadiff.snapshot.to_sqlalchemy import table_from_snapshot


def compare_tables(
    ctx: CompareContext, db: SchemaSnapshot, model: SchemaSnapshot
) -> Iterator[MigrateOperation]:
    for key, table in model.tables.items():
        if key in db.tables:
            continue
        sa_table = table_from_snapshot(table)
        if not ctx.include(sa_table, table.name, "table", False, None):
            continue
        yield CreateTableOp(sa_table)
        # Indexes are separate statements; they follow their table.
        for index in sorted(sa_table.indexes, key=lambda i: str(i.name or "")):
            if ctx.include(index, index.name, "index", False, None):
                yield CreateIndexOp(index)
    for key, table in db.tables.items():
        if key in model.tables:
            continue
        sa_table = ctx.reflected_table(table)
        if not ctx.include(sa_table, table.name, "table", True, None):
            continue
        yield DropTableOp(table.name, table.schema, existing=sa_table)


def setup(registry: ComparatorRegistry) -> None:
    registry.register("schema", "tables")(compare_tables)
