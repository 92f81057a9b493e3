"""PostgreSQL: dialect rules, catalog readers, run lock.

Loaded by the registries the first time a PostgreSQL connection needs it
(see :mod:`schemadiff.backends.registry`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from schemadiff.entities.model import EntityRegistry
    from schemadiff.plugins import Registries


def setup(registries: Registries) -> None:
    backends = registries.backends
    backends.add_dialect("postgresql", "schemadiff.backends.postgresql.dialect:PostgresqlImpl")
    backends.add_reflector(
        "postgresql", "schemadiff.backends.postgresql.catalog:reflect_postgresql"
    )
    backends.add_object_reader(
        "postgresql", "schemadiff.backends.postgresql.objects:read_postgresql_objects"
    )
    backends.add(
        "recreate", "postgresql", "schemadiff.backends.postgresql.batch:PostgresqlRecreate"
    )
    backends.add(
        "hazard_rules", "postgresql", "schemadiff.backends.postgresql.hazards:PostgreSQLHazards"
    )
    backends.add("safe_ddl", "postgresql", "schemadiff.backends.postgresql.safe_ddl")
    backends.add_run_lock("postgresql", "schemadiff.backends.postgresql.run_lock:PostgresqlRunLock")
    backends.add(
        "scratch_inventory", "postgresql", "schemadiff.backends.postgresql.scratch:inventory"
    )
    backends.add("scratch_empty", "postgresql", "schemadiff.backends.postgresql.scratch:empty")
    registries.defer_entities(_entities)


def _entities(registry: EntityRegistry) -> None:
    module = "schemadiff.backends.postgresql.entities"
    registry.register_reader("postgresql", f"{module}:read_entities")
    for kind in ("view", "materialized_view", "function", "trigger"):
        registry.register_canonicalizer(kind, "postgresql", f"{module}:canonical")
