"""``safe_migrations``: the same directives, run with the locks a busy table can bear.

The option changes how directives execute, not what scripts say: a
generated script, a hand-written one and one imported from Alembic all
become safer by switching it on, and switching it off gives back exactly
the plain DDL.  Each backend registers its rules as the ``safe_ddl`` slot
(``schemadiff.backends.<name>.safe_ddl``); a backend without them (SQLite,
a single writer anyway) runs everything as before.

What this module keeps is the state every backend needs: which tables the
running migration created (an index or constraint on a table nobody else
can see yet gains nothing from an online build, and a CONCURRENTLY build
would commit the table's creation early).  Reading the option from the
configuration and starting each migration is the runtime's side
(``schemadiff.runtime.safe``).
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from schemadiff.operations.base import Operations
    from schemadiff.operations.target import MigrationTarget


def rules(mc: MigrationTarget) -> ModuleType | None:
    """The backend's safe-DDL rules when the option is on, else None."""
    if not mc.opts.safe_migrations:
        return None
    from schemadiff.plugins import default_registries

    name = mc.dialect.name
    found: ModuleType | None = default_registries().backend(name).get("safe_ddl", name)
    return found


def created_here(mc: MigrationTarget) -> set[tuple[str | None, str]]:
    found: set[tuple[str | None, str]] | None = getattr(mc, "_safe_created", None)
    if found is None:
        found = set()
        mc._safe_created = found  # type: ignore[attr-defined]
    return found


def table_created(operations: Operations, schema: str | None, name: str) -> None:
    if operations.migration_context.opts.safe_migrations:
        created_here(operations.migration_context).add((schema, name))


def is_new(operations: Operations, schema: str | None, name: str | None) -> bool:
    return name is not None and (schema, name) in created_here(operations.migration_context)


def run(operations: Operations, op: Any) -> bool:
    """Run ``op`` the safe way if the backend has one for it; False: run it as usual."""
    backend = rules(operations.migration_context)
    if backend is None:
        return False
    return bool(backend.run(operations, op))
