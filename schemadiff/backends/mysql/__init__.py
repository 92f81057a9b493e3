"""MySQL and MariaDB: dialect rules, catalog readers, run lock.

One package serves both dialect names SQLAlchemy uses (``mysql`` and
``mariadb``); where the servers differ, the rules ask the server version.
Loaded by the registries the first time such a connection needs it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from schemadiff.entities.model import EntityRegistry
    from schemadiff.plugins import Registries

DIALECT_NAMES = ("mysql", "mariadb")


def setup(registries: Registries) -> None:
    backends = registries.backends
    for name in DIALECT_NAMES:
        backends.add_dialect(name, "schemadiff.backends.mysql.dialect:MySQLImpl")
        backends.add_reflector(name, "schemadiff.backends.mysql.catalog:reflect_mysql_tables")
        backends.add_object_reader(name, "schemadiff.backends.mysql.objects:read_mysql_objects")
        backends.add("hazard_rules", name, "schemadiff.backends.mysql.hazards:MariaDBHazards")
        backends.add("safe_ddl", name, "schemadiff.backends.mysql.safe_ddl")
        backends.add("referring_keys", name, "schemadiff.backends.mysql.batch:referring_keys")
        backends.add("recreate", name, "schemadiff.backends.mysql.batch:MySQLRecreate")
        backends.add_run_lock(name, "schemadiff.backends.mysql.run_lock:MySQLRunLock")
        backends.add("scratch_inventory", name, "schemadiff.backends.mysql.scratch:inventory")
        backends.add("scratch_empty", name, "schemadiff.backends.mysql.scratch:empty")
    registries.defer_entities(_entities)


def _entities(registry: EntityRegistry) -> None:
    module = "schemadiff.backends.mysql.entities"
    registry.register_reader("mysql", f"{module}:read_entities")
    registry.register_canonicalizer("view", "mysql", f"{module}:canonical")
