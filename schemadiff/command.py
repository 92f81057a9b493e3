"""``from schemadiff import command``; ``command.stamp(cfg, "head")`` as in the seeds."""

from schemadiff.commands import *  # noqa: F403
from schemadiff.commands import (  # noqa: F401
    branches,
    check,
    current,
    downgrade,
    edit,
    heads,
    history,
    init,
    list_templates,
    revision,
    show,
    upgrade,
)
