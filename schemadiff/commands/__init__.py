"""Every command as a plain function: ``schemadiff.command.<verb>(config, ...)``.

Commands raise typed errors; only the command line prints ``FAILED:`` and
exits.  Output goes through ``config.print_stdout`` so it can be captured.
"""

from schemadiff.commands.check import check
from schemadiff.commands.inspect import branches, current, edit, heads, history, show
from schemadiff.commands.migrate import downgrade, stamp, upgrade
from schemadiff.commands.revision import merge, revision
from schemadiff.commands.setup import init, list_templates

__all__ = [
    "branches",
    "check",
    "current",
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
