"""schemadiff's own comparators and renderers, registered like any plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING

from schemadiff.comparators import (
    checks,
    columns,
    foreign_keys,
    identity,
    indexes,
    objects,
    table_level,
    tables,
)
from schemadiff.entities import compare as entity_compare
from schemadiff.entities import kinds as entity_kinds
from schemadiff.renderers.python import entity_ops as python_entity_ops
from schemadiff.renderers.python import object_ops as python_object_ops
from schemadiff.renderers.python import ops as python_ops

if TYPE_CHECKING:
    from schemadiff.plugins import Registries


def setup(registries: Registries) -> None:
    tables.setup(registries.comparators)
    columns.setup(registries.comparators)
    identity.setup(registries.comparators)
    table_level.setup(registries.comparators)
    indexes.setup(registries.comparators)
    foreign_keys.setup(registries.comparators)
    checks.setup(registries.comparators)
    objects.setup(registries.comparators)
    python_ops.setup(registries.renderers)
    python_object_ops.setup(registries.renderers)
    entity_kinds.setup(registries.entities)
    python_entity_ops.setup(registries.renderers)
    registries.comparators.register_finisher(entity_compare.finisher(registries.entities))
