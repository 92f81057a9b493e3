"""SQLite: dialect rules, the catalog reader and its DDL parser, transaction quirks.

SQLite registers no run lock: its write transaction (``BEGIN IMMEDIATE``,
:mod:`.transactions`) is the lock.  Loaded by the registries the first
time a SQLite connection needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from schemadiff.entities.model import EntityRegistry
    from schemadiff.plugins import Registries


def setup(registries: Registries) -> None:
    backends = registries.backends
    backends.add_dialect("sqlite", "schemadiff.backends.sqlite.dialect:SQLiteImpl")
    backends.add_reflector("sqlite", "schemadiff.backends.sqlite.catalog:reflect_sqlite_tables")
    backends.add("referring_keys", "sqlite", "schemadiff.backends.sqlite.batch:referring_keys")
    backends.add("hazard_rules", "sqlite", "schemadiff.backends.sqlite.hazards:SQLiteHazards")
    backends.add("recreate", "sqlite", "schemadiff.backends.sqlite.batch:SQLiteRecreate")
    # the same reader, asked with detailed=True, reads what a batch rebuild needs
    backends.add(
        "detailed_reflector", "sqlite", "schemadiff.backends.sqlite.catalog:reflect_sqlite_tables"
    )
    backends.add("scratch_inventory", "sqlite", "schemadiff.backends.sqlite.scratch:inventory")
    backends.add("scratch_empty", "sqlite", "schemadiff.backends.sqlite.scratch:empty")
    registries.defer_entities(_entities)


def _entities(registry: EntityRegistry) -> None:
    module = "schemadiff.backends.sqlite.entities"
    registry.register_reader("sqlite", f"{module}:read_entities")
    registry.register_canonicalizer("view", "sqlite", f"{module}:canonical")
