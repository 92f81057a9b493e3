"""Which rules apply to which backend: an explicit registry by dialect name.

The built-in backends are named here as ``(module, class)`` and imported on
first use, so a command that talks to one backend never imports another's
rules; ``register_hazard_rules`` puts a plugin's (or a backend package's
``setup``) rules in front of them.  A dialect nobody registered gets the
generic rules, which know what holds everywhere.
"""

from __future__ import annotations

import importlib

from schemadiff.hazards.rules import HazardRules

_BUILTIN: dict[str, tuple[str, str]] = {
    "postgresql": ("schemadiff.backends.postgresql.hazards", "PostgreSQLHazards"),
    "mysql": ("schemadiff.backends.mysql.hazards", "MariaDBHazards"),
    "mariadb": ("schemadiff.backends.mysql.hazards", "MariaDBHazards"),
    "sqlite": ("schemadiff.backends.sqlite.hazards", "SQLiteHazards"),
}
_REGISTERED: dict[str, HazardRules] = {}


def register_hazard_rules(dialect_name: str, rules: HazardRules) -> None:
    """Use ``rules`` for every change on ``dialect_name`` (replaces what was there)."""
    if not isinstance(rules, HazardRules):
        raise TypeError(f"hazard rules for {dialect_name!r} must be a HazardRules, got {rules!r}")
    _REGISTERED[dialect_name] = rules


def rules_for(dialect_name: str) -> HazardRules:
    found = _REGISTERED.get(dialect_name)
    if found is not None:
        return found
    builtin = _BUILTIN.get(dialect_name)
    if builtin is None:
        return HazardRules()
    module, name = builtin
    rules: HazardRules = getattr(importlib.import_module(module), name)()
    _REGISTERED[dialect_name] = rules
    return rules
