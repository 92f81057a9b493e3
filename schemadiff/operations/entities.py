"""How views, materialized views, functions and triggers are created and dropped.

The statements are plain SQL text, the same online and offline (``--sql``).
A view's new definition is a drop and a create on PostgreSQL and SQLite:
PostgreSQL's ``CREATE OR REPLACE VIEW`` refuses to drop, rename or retype a
column, and SQLite has none; MariaDB replaces in place.  A function is
replaced with ``CREATE OR REPLACE`` (the triggers that call it stay); a
trigger is dropped and created again.
"""

from __future__ import annotations

import re

from schemadiff.errors import MigrationError
from schemadiff.operations.base import Operations
from schemadiff.ops.entity_ops import (
    CreateFunctionOp,
    CreateMaterializedViewOp,
    CreateTriggerOp,
    CreateViewOp,
    DropFunctionOp,
    DropMaterializedViewOp,
    DropTriggerOp,
    DropViewOp,
    RefreshMaterializedViewOp,
    ReplaceFunctionOp,
    ReplaceTriggerOp,
    ReplaceViewOp,
)
from schemadiff.slots import ImplementationTable

_CREATE = re.compile(r"^\s*CREATE\s+(OR\s+REPLACE\s+)?", re.IGNORECASE)


def _name(operations: Operations, name: str, schema: str | None) -> str:
    return operations.impl.quote_table(name, schema)


def _statement(text: str) -> str:
    """The text as one statement: no trailing semicolon (offline output adds its own)."""
    return text.strip().rstrip(";").rstrip()


def _run(operations: Operations, *statements: str) -> None:
    for stmt in statements:
        operations.migration_context.execute(stmt)


def _postgresql_only(operations: Operations, what: str) -> None:
    if not operations.impl.has_routines:
        raise MigrationError(f"{what}: only PostgreSQL has them, not {operations.impl.name}")


def or_replace(ddl: str) -> str:
    """``CREATE ...`` as ``CREATE OR REPLACE ...``."""
    return _CREATE.sub("CREATE OR REPLACE ", _statement(ddl), count=1)


# -- views -------------------------------------------------------------------------
#: this module's implementations, registered by :mod:`schemadiff.builtin`
implements = ImplementationTable()


@implements(CreateViewOp)
def create_view(operations: Operations, op: CreateViewOp) -> None:
    name = _name(operations, op.name, op.schema)
    _run(operations, f"CREATE VIEW {name} AS {_statement(op.definition)}")


@implements(DropViewOp)
def drop_view(operations: Operations, op: DropViewOp) -> None:
    _run(operations, f"DROP VIEW {_name(operations, op.name, op.schema)}")


@implements(ReplaceViewOp)
def replace_view(operations: Operations, op: ReplaceViewOp) -> None:
    name = _name(operations, op.name, op.schema)
    create = f"VIEW {name} AS {_statement(op.definition)}"
    if operations.impl.replaces_views_in_place:
        _run(operations, f"CREATE OR REPLACE {create}")
    else:
        _run(operations, f"DROP VIEW {name}", f"CREATE {create}")


@implements(CreateMaterializedViewOp)
def create_materialized_view(operations: Operations, op: CreateMaterializedViewOp) -> None:
    _postgresql_only(operations, f"create_materialized_view {op.name!r}")
    name = _name(operations, op.name, op.schema)
    data = "WITH DATA" if op.with_data else "WITH NO DATA"
    _run(operations, f"CREATE MATERIALIZED VIEW {name} AS {_statement(op.definition)} {data}")


@implements(DropMaterializedViewOp)
def drop_materialized_view(operations: Operations, op: DropMaterializedViewOp) -> None:
    _postgresql_only(operations, f"drop_materialized_view {op.name!r}")
    _run(operations, f"DROP MATERIALIZED VIEW {_name(operations, op.name, op.schema)}")


@implements(RefreshMaterializedViewOp)
def refresh_materialized_view(operations: Operations, op: RefreshMaterializedViewOp) -> None:
    _postgresql_only(operations, f"refresh_materialized_view {op.name!r}")
    how = "CONCURRENTLY " if op.concurrently else ""
    _run(operations, f"REFRESH MATERIALIZED VIEW {how}{_name(operations, op.name, op.schema)}")


# -- functions and triggers ----------------------------------------------------------
@implements(CreateFunctionOp)
def create_function(operations: Operations, op: CreateFunctionOp) -> None:
    _postgresql_only(operations, f"create_function {op.name!r}")
    _run(operations, _statement(op.ddl))


@implements(DropFunctionOp)
def drop_function(operations: Operations, op: DropFunctionOp) -> None:
    _postgresql_only(operations, f"drop_function {op.name!r}")
    _run(operations, f"DROP FUNCTION {_name(operations, op.name, op.schema)}")


@implements(ReplaceFunctionOp)
def replace_function(operations: Operations, op: ReplaceFunctionOp) -> None:
    _postgresql_only(operations, f"replace_function {op.name!r}")
    _run(operations, or_replace(op.ddl))


@implements(CreateTriggerOp)
def create_trigger(operations: Operations, op: CreateTriggerOp) -> None:
    _postgresql_only(operations, f"create_trigger {op.name!r}")
    _run(operations, _statement(op.ddl))


def _drop_trigger_sql(operations: Operations, name: str, table: str, schema: str | None) -> str:
    quoted = operations.impl.preparer.quote(name)
    return f"DROP TRIGGER {quoted} ON {_name(operations, table, schema)}"


@implements(DropTriggerOp)
def drop_trigger(operations: Operations, op: DropTriggerOp) -> None:
    _postgresql_only(operations, f"drop_trigger {op.name!r}")
    _run(operations, _drop_trigger_sql(operations, op.name, op.table_name, op.schema))


@implements(ReplaceTriggerOp)
def replace_trigger(operations: Operations, op: ReplaceTriggerOp) -> None:
    _postgresql_only(operations, f"replace_trigger {op.name!r}")
    drop = _drop_trigger_sql(operations, op.name, op.table_name, op.schema)
    _run(operations, drop, _statement(op.ddl))


def _register_directives() -> None:
    for op_cls, name in (
        (CreateViewOp, "create_view"),
        (DropViewOp, "drop_view"),
        (ReplaceViewOp, "replace_view"),
        (CreateMaterializedViewOp, "create_materialized_view"),
        (DropMaterializedViewOp, "drop_materialized_view"),
        (RefreshMaterializedViewOp, "refresh_materialized_view"),
        (CreateFunctionOp, "create_function"),
        (DropFunctionOp, "drop_function"),
        (ReplaceFunctionOp, "replace_function"),
        (CreateTriggerOp, "create_trigger"),
        (DropTriggerOp, "drop_trigger"),
        (ReplaceTriggerOp, "replace_trigger"),
    ):
        if name not in Operations._registered:
            Operations.register_operation(name)(op_cls)


_register_directives()
