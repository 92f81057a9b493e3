"""``safe_migrations``: the same directives, run with the locks a busy table can bear.

The option changes how directives execute, not what scripts say: a
generated script, a hand-written one and one imported from Alembic all
become safer by switching it on, and switching it off gives back exactly
the plain DDL.  Each backend's module (``schemadiff.backends.<name>.safe_ddl``)
knows its own rules; a backend without one (SQLite, a single writer
anyway) runs everything as before.

What this module keeps is the state every backend needs: which tables the
running migration created (an index or constraint on a table nobody else
can see yet gains nothing from an online build, and a CONCURRENTLY build
would commit the table's creation early) and the ``lock_timeout`` value.
"""

from __future__ import annotations

import importlib
import re
from types import ModuleType
from typing import TYPE_CHECKING, Any

from schemadiff.errors import ConfigError

if TYPE_CHECKING:
    from schemadiff.config import Config
    from schemadiff.operations import Operations
    from schemadiff.runtime.migration import MigrationContext

#: dialect name -> the module with its rules (explicit, so nothing is discovered at run time)
BACKENDS = {
    "postgresql": "schemadiff.backends.postgresql.safe_ddl",
    "mysql": "schemadiff.backends.mysql.safe_ddl",
    "mariadb": "schemadiff.backends.mysql.safe_ddl",
}
DEFAULT_LOCK_TIMEOUT = "5s"
_DURATION = re.compile(r"^\s*(\d+)\s*(ms|s|min)?\s*$")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def lock_timeout_ms(value: str) -> int:
    """``'5s'``, ``'500ms'``, ``'2min'`` or a bare number of milliseconds.

    Parsed rather than passed through, since it ends up inside a SET statement.
    """
    match = _DURATION.match(str(value))
    if match is None:
        raise ConfigError(
            f"Option 'safe_lock_timeout' must be a duration like '5s', '500ms' or '1min', "
            f"not {value!r}"
        )
    number, unit = int(match.group(1)), match.group(2) or "ms"
    return number * {"ms": 1, "s": 1000, "min": 60_000}[unit]


def config_options(config: Config, given: dict[str, Any]) -> dict[str, Any]:
    """``safe_migrations`` / ``safe_lock_timeout`` from the config file, where env.py
    did not pass them to ``configure()``."""
    out: dict[str, Any] = {}
    if "safe_migrations" not in given:
        raw = config.get_main_option("safe_migrations")
        if raw is not None:
            word = raw.strip().lower()
            if word not in _TRUE | _FALSE:
                raise ConfigError(f"Option 'safe_migrations' must be true or false, not {raw!r}")
            out["safe_migrations"] = word in _TRUE
    if "safe_lock_timeout" not in given:
        raw = config.get_main_option("safe_lock_timeout")
        if raw:
            out["safe_lock_timeout"] = raw.strip()
    if "safe_lock_timeout" in {**given, **out}:
        lock_timeout_ms({**given, **out}["safe_lock_timeout"])  # fail early, at configure()
    return out


def rules(mc: MigrationContext) -> ModuleType | None:
    """The backend's safe-DDL module when the option is on, else None."""
    if not mc.opts.safe_migrations:
        return None
    name = BACKENDS.get(mc.dialect.name)
    return importlib.import_module(name) if name else None


def created_here(mc: MigrationContext) -> set[tuple[str | None, str]]:
    found: set[tuple[str | None, str]] | None = getattr(mc, "_safe_created", None)
    if found is None:
        found = set()
        mc._safe_created = found  # type: ignore[attr-defined]
    return found


def start_migration(mc: MigrationContext) -> None:
    """At the start of each migration: forget the last one's new tables, set the lock timeout."""
    created_here(mc).clear()
    backend = rules(mc)
    if backend is not None:
        for statement in backend.session_statements(lock_timeout_ms(mc.opts.safe_lock_timeout)):
            mc.execute(statement)


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
