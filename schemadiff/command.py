"""``from schemadiff import command``; ``command.stamp(cfg, "head")`` as in the seeds."""

from schemadiff.commands import (
    branches,
    check,
    check_dev,
    current,
    diff,
    downgrade,
    edit,
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
    "check_dev",
    "current",
    "diff",
    "downgrade",
    "edit",
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
