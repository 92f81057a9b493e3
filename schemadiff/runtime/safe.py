"""``safe_migrations`` on the runtime's side: the option read from the configuration,
and the session settings each migration starts with (see
``schemadiff.operations.safe`` for what the option does)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from schemadiff.errors import ConfigError
from schemadiff.operations.safe import DEFAULT_LOCK_TIMEOUT, created_here, lock_timeout_ms, rules

if TYPE_CHECKING:
    from schemadiff.config import Config
    from schemadiff.runtime.migration import MigrationContext

__all__ = ["DEFAULT_LOCK_TIMEOUT", "config_options", "lock_timeout_ms", "start_migration"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


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


def start_migration(mc: MigrationContext) -> None:
    """At the start of each migration: forget the last one's new tables, set the lock timeout."""
    created_here(mc).clear()
    backend = rules(mc)
    if backend is not None:
        for statement in backend.session_statements(lock_timeout_ms(mc.opts.safe_lock_timeout)):
            mc.execute(statement)
