"""schemadiff's own pieces, registered through the plugin door like any plugin.

Everything is declared or deferred here, nothing imported: a command
loads the backend of the database it connects to, and the comparators,
renderers, report formats and operation implementations it uses, when it
first uses them (see :mod:`schemadiff.slots`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from schemadiff.comparators.registry import ComparatorRegistry
    from schemadiff.entities.model import EntityRegistry
    from schemadiff.ops.kinds import KindRegistry
    from schemadiff.plugins import Registries
    from schemadiff.renderers.python.registry import RendererRegistry
    from schemadiff.slots import Implementation, LazyMapping

BACKENDS = {
    "postgresql": "schemadiff.backends.postgresql",
    "mysql": "schemadiff.backends.mysql",
    "mariadb": "schemadiff.backends.mysql",
    "sqlite": "schemadiff.backends.sqlite",
}

REPORT_FORMATS = {
    "text": "schemadiff.renderers.report.text_format:render_text",
    "json": "schemadiff.renderers.report.json_format:render_json",
    "markdown": "schemadiff.renderers.report.markdown_format:render_markdown",
    "junit": "schemadiff.renderers.report.junit_format:render_junit",
    "github": "schemadiff.renderers.report.github_format:render_github",
    "sarif": "schemadiff.renderers.report.sarif_format:render_sarif",
}

COMPARATOR_MODULES = (
    "tables",
    "columns",
    "identity",
    "table_level",
    "indexes",
    "foreign_keys",
    "checks",
    "objects",
)

#: modules holding the built-in implementations (each an ``implements`` table)
OPERATION_MODULES = (
    "schemadiff.operations.impl",
    "schemadiff.operations.objects",
    "schemadiff.operations.entities",
)


def setup(registries: Registries) -> None:
    for dialect_name, module in BACKENDS.items():
        registries.backends.declare(dialect_name, module)
    for name, path in REPORT_FORMATS.items():
        registries.report_formats.declare(name, path)
    registries.operations.defer(_operations)
    registries.defer_comparators(lambda registry: _comparators(registry, registries))
    registries.defer_entities(_entities)
    registries.defer_renderers(_renderers)
    registries.defer_kinds(_kinds)


def _kinds(registry: KindRegistry) -> None:
    from schemadiff.ops import kind_records

    kind_records.setup(registry)


def _comparators(registry: ComparatorRegistry, registries: Registries) -> None:
    for name in COMPARATOR_MODULES:
        importlib.import_module(f"schemadiff.comparators.{name}").setup(registry)
    from schemadiff.entities import compare as entity_compare

    registry.register_finisher(entity_compare.finisher(registries.entities))


def _entities(registry: EntityRegistry) -> None:
    from schemadiff.entities import kinds as entity_kinds

    entity_kinds.setup(registry)


def _renderers(registry: RendererRegistry) -> None:
    from schemadiff.renderers.python import entity_ops, object_ops, ops

    ops.setup(registry)
    object_ops.setup(registry)
    entity_ops.setup(registry)


def _operations(registry: LazyMapping[type, Implementation]) -> None:
    for module in OPERATION_MODULES:
        for op_cls, fn in importlib.import_module(module).implements.items():
            registry.add(op_cls, fn)
