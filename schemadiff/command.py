"""``from schemadiff import command``; ``command.stamp(cfg, "head")`` as in the seeds."""

from schemadiff.commands import (
    branches,
    check,
    current,
    downgrade,
    edit,
    ensure_version,
    heads,
    history,
    init,
    list_templates,
    merge,
    revision,
    show,
    stamp,
    upgrade,
)

__all__ = [
    "branches",
    "check",
    "current",
    "downgrade",
    "edit",
    "ensure_version",
    "heads",
    "history",
    "init",
    "list_templates",
    "merge",
    "revision",
    "show",
    "stamp",
    "upgrade",
]
