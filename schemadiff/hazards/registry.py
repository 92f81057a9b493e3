"""Which rules apply to which backend: the backends' ``hazard_rules`` slot.

Each backend package registers its rules in its ``setup(registries)``
(``backends/<name>/hazards.py``); a plugin does the same, or calls
``register_hazard_rules``.  A dialect nobody registered gets the generic
rules, which know what holds everywhere.
"""

from __future__ import annotations

from schemadiff.hazards.rules import HazardRules

SLOT = "hazard_rules"


def register_hazard_rules(dialect_name: str, rules: HazardRules) -> None:
    """Use ``rules`` for every change on ``dialect_name`` (replaces what was there)."""
    from schemadiff.plugins import default_registries

    if not isinstance(rules, HazardRules):
        raise TypeError(f"hazard rules for {dialect_name!r} must be a HazardRules, got {rules!r}")
    backends = default_registries().backend(dialect_name)  # the built-in loads first
    backends.add(SLOT, dialect_name, rules)


def rules_for(dialect_name: str) -> HazardRules:
    from schemadiff.plugins import default_registries

    backends = default_registries().backend(dialect_name)
    found = backends.get(SLOT, dialect_name)
    if found is None:
        return HazardRules()
    if isinstance(found, type):  # a backend registers the class: made once, kept
        found = found()
        backends.add(SLOT, dialect_name, found)
    if not isinstance(found, HazardRules):
        raise TypeError(f"hazard rules for {dialect_name!r} must be a HazardRules, got {found!r}")
    return found
