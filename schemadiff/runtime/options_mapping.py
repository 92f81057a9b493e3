"""``op.get_context().opts[...]``: the migration options read as a mapping.

Scripts written for the seeds' tool read ``context.opts`` as the dict of
keywords env.py gave ``context.configure()`` (``opts["target_metadata"]``,
``opts.get("version_table")``).  schemadiff keeps its options as a typed
dataclass; this mixin lets that dataclass answer the same reads.
"""

from __future__ import annotations

import dataclasses
from typing import Any

_MISSING = object()


class OptionsMapping:
    """Read access by key: what env.py passed, else the option's own value."""

    configured: dict[str, Any]
    extra: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        if key in self.configured:
            return self.configured[key]
        if key in self.extra:
            return self.extra[key]
        names = {f.name for f in dataclasses.fields(self)}  # type: ignore[arg-type]
        if key in names - {"configured", "extra"}:
            return getattr(self, key)
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key, _MISSING) is not _MISSING
