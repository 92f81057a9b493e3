"""Every command as a plain function: ``schemadiff.command.<verb>(config, ...)``.

Commands raise typed errors; only the command line prints ``FAILED:`` and
exits.  Output goes through ``config.print_stdout`` so it can be captured.
"""

from __future__ import annotations

import importlib
from typing import Any

#: command -> the module defining it; modules load on first use so that
#: ``schemadiff heads`` does not import what ``schemadiff upgrade`` needs.
_HOMES = {
    "branches": "inspect",
    "check": "drift",
    "check_dev": "devdb",
    "current": "inspect",
    "diff": "schema_diff",
    "downgrade": "migrate",
    "edit": "inspect",
    "ensure_version": "migrate",
    "heads": "inspect",
    "import_alembic": "alembic_import",
    "history": "inspect",
    "init": "setup",
    "lint": "lint",
    "list_templates": "setup",
    "merge": "authoring",
    "revision": "authoring",
    "show": "inspect",
    "stamp": "migrate",
    "upgrade": "migrate",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'schemadiff.commands' has no attribute {name!r}")
    return getattr(importlib.import_module(f"schemadiff.commands.{home}"), name)


def __dir__() -> list[str]:
    return __all__
