"""``safe_migrations`` on the runtime's side: the option read from the configuration,
and the session settings each migration starts with (see
``schemadiff.operations.safe`` for what the option does)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from schemadiff.errors import ConfigError

if TYPE_CHECKING:
    from schemadiff.config import Config
    from schemadiff.runtime.migration import MigrationContext

__all__ = ["DEFAULT_LOCK_TIMEOUT", "config_options", "lock_timeout_ms", "start_migration"]

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


def start_migration(mc: MigrationContext) -> None:
    """At the start of each migration: forget the last one's new tables, set the lock timeout."""
    # here: the operations package is the runner's, not every command's
    from schemadiff.operations.safe import created_here, rules

    created_here(mc).clear()
    backend = rules(mc)
    if backend is not None:
        for statement in backend.session_statements(lock_timeout_ms(mc.opts.safe_lock_timeout)):
            mc.execute(statement)
