"""Running ``op.*`` directly against a test database, without a project on disk.

A migration context on one connection, its transaction begun the way env.py
begins it, and ``schemadiff.op`` pointing at it: directive tests stay
fast, while commands get their own tests in ``tests/runtime``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from schemadiff.operations import Operations, activate
from schemadiff.runtime.migration import MigrationContext, MigrationOptions

#: the seeds' naming convention
CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def convention_metadata() -> sa.MetaData:
    return sa.MetaData(naming_convention=CONVENTION)


@contextmanager
def migration(
    engine: sa.Engine, metadata: sa.MetaData | None = None, **opts: Any
) -> Iterator[Operations]:
    """``op`` bound to a connection, inside one migration transaction."""
    with engine.connect() as conn:
        mc = MigrationContext(
            conn.dialect, conn, MigrationOptions(target_metadata=metadata, **opts)
        )
        operations = Operations(mc)
        with mc.begin_transaction(), activate(operations):
            yield operations


def columns(engine: sa.Engine, table: str) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in sa.inspect(engine).get_columns(table)}


def column_names(engine: sa.Engine, table: str) -> list[str]:
    return [c["name"] for c in sa.inspect(engine).get_columns(table)]


def rows(engine: sa.Engine, sql: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql)]


def check_names(engine: sa.Engine, table: str) -> set[str | None]:
    return {c["name"] for c in sa.inspect(engine).get_check_constraints(table)}


def unique_sets(engine: sa.Engine, table: str) -> dict[str | None, tuple[str, ...]]:
    return {
        u["name"]: tuple(u["column_names"])
        for u in sa.inspect(engine).get_unique_constraints(table)
    }


def fk_map(engine: sa.Engine, table: str) -> dict[str | None, dict[str, Any]]:
    return {f["name"]: f for f in sa.inspect(engine).get_foreign_keys(table)}


def index_map(engine: sa.Engine, table: str) -> dict[str | None, dict[str, Any]]:
    return {i["name"]: i for i in sa.inspect(engine).get_indexes(table)}
