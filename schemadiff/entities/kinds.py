"""The built-in entity kinds: views, materialized views, functions, triggers.

Readers and canonicalizers are registered as ``"module:function"`` names,
imported for the backend being compared only (as the table readers are).
The operation classes are imported by the functions that make operations:
most comparisons find no entity to change, and every ``check`` start-up
would pay for importing them (about 7 ms).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Dialect

from schemadiff.entities import Function, MaterializedView, Trigger, View
from schemadiff.entities.model import (
    EntityKind,
    EntityRegistry,
    EntitySnapshot,
    folded,
    key_schema,
)


def select_text(definition: Any, dialect: Dialect) -> str:
    """SELECT text as given, or a ``select()`` compiled for the dialect, values inlined."""
    if isinstance(definition, str):
        return definition.strip().rstrip(";").strip()
    compiled = definition.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    return str(compiled).strip()


def _view(item: View, dialect: Dialect, default_schema: str | None) -> EntitySnapshot:
    text = select_text(item.definition, dialect)
    with_data = getattr(item, "with_data", True)
    schema = key_schema(item.schema, default_schema)
    return EntitySnapshot(
        item.kind, schema, item.name, text, folded(text), None, with_data, (), item
    )


def _routine(
    item: Function | Trigger, dialect: Dialect, default_schema: str | None
) -> EntitySnapshot:
    text = item.ddl.strip()
    table = item.table if isinstance(item, Trigger) else None
    schema = key_schema(item.schema, default_schema)
    return EntitySnapshot(item.kind, schema, item.name, text, folded(text), table, True, (), item)


def _create_view(found: EntitySnapshot, role: str = "change", replaces: str | None = None) -> Any:
    from schemadiff.ops.entity_ops import CreateViewOp

    return CreateViewOp(found.name, found.definition, found.schema, role, replaces)


def _drop_view(found: EntitySnapshot, role: str = "change") -> Any:
    from schemadiff.ops.entity_ops import DropViewOp

    return DropViewOp(found.name, found.schema, found.definition, role)


def _create_matview(
    found: EntitySnapshot, role: str = "change", replaces: str | None = None
) -> Any:
    from schemadiff.ops.entity_ops import CreateMaterializedViewOp

    return CreateMaterializedViewOp(
        found.name, found.definition, found.schema, role, replaces, found.with_data
    )


def _drop_matview(found: EntitySnapshot, role: str = "change") -> Any:
    from schemadiff.ops.entity_ops import DropMaterializedViewOp

    return DropMaterializedViewOp(found.name, found.schema, found.definition, role, found.with_data)


def _create_function(
    found: EntitySnapshot, role: str = "change", replaces: str | None = None
) -> Any:
    from schemadiff.ops.entity_ops import CreateFunctionOp

    return CreateFunctionOp(found.name, found.definition, found.schema, role, replaces)


def _drop_function(found: EntitySnapshot, role: str = "change") -> Any:
    from schemadiff.ops.entity_ops import DropFunctionOp

    return DropFunctionOp(found.name, found.schema, found.definition, role)


def _create_trigger(
    found: EntitySnapshot, role: str = "change", replaces: str | None = None
) -> Any:
    from schemadiff.ops.entity_ops import CreateTriggerOp

    table = found.table or ""
    return CreateTriggerOp(found.name, table, found.definition, found.schema, role, replaces)


def _drop_trigger(found: EntitySnapshot, role: str = "change") -> Any:
    from schemadiff.ops.entity_ops import DropTriggerOp

    return DropTriggerOp(found.name, found.table or "", found.schema, found.definition, role)


def _replace_function(new: EntitySnapshot, old: EntitySnapshot) -> Any:
    from schemadiff.ops.entity_ops import ReplaceFunctionOp

    return ReplaceFunctionOp(new.name, new.definition, old.definition, new.schema)


def _replace_view(new: EntitySnapshot, old: EntitySnapshot) -> Any:
    from schemadiff.ops.entity_ops import ReplaceViewOp

    return ReplaceViewOp(new.name, new.definition, old.definition, new.schema)


def _replace_trigger(new: EntitySnapshot, old: EntitySnapshot) -> Any:
    from schemadiff.ops.entity_ops import ReplaceTriggerOp

    return ReplaceTriggerOp(new.name, new.table or "", new.definition, old.definition, new.schema)


def setup(registry: EntityRegistry) -> None:
    pg = frozenset({"postgresql"})
    registry.register_kind(
        EntityKind(
            "function",
            _routine,
            _create_function,
            _drop_function,
            _replace_function,
            before_tables=True,
            order=10,
            reflected=lambda f: Function(f.name, None, f.definition, f.schema),
            dialects=pg,
        )
    )
    registry.register_kind(
        EntityKind(
            "view",
            _view,
            _create_view,
            _drop_view,
            _replace_view,
            order=20,
            reflected=lambda f: View(f.name, None, f.definition, f.schema),
        )
    )
    registry.register_kind(
        EntityKind(
            "materialized_view",
            _view,
            _create_matview,
            _drop_matview,
            None,
            order=20,
            reflected=lambda f: MaterializedView(f.name, None, f.definition, f.schema, f.with_data),
            dialects=pg,
        )
    )
    registry.register_kind(
        EntityKind(
            "trigger",
            _routine,
            _create_trigger,
            _drop_trigger,
            _replace_trigger,
            order=30,
            reflected=lambda f: Trigger(f.name, None, f.definition, f.table or "", f.schema),
            dialects=pg,
        )
    )
    # each backend registers its reader and canonicalizers (backends/<name>/entities.py)
