"""``from schemadiff import command``; ``command.stamp(cfg, "head")`` as in the seeds."""

from schemadiff.commands import (
    branches,
    check,
    current,
    downgrade,
    edit,
    heads,
    history,
    import_alembic,
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
    "heads",
    "history",
    "import_alembic",
    "init",
    "list_templates",
    "merge",
    "revision",
    "show",
    "stamp",
    "upgrade",
]
