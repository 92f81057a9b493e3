"""Plugin loading: one door for built-ins and third parties alike.

A plugin is a callable ``setup(registries)`` published under the
entry-point group ``schemadiff.plugins``; schemadiff's own comparators and
renderers are published the same way (``builtin``).  Each plugin is
validated when it registers: a failing or non-callable entry point is a
``ConfigError`` naming it, never a half-configured registry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points

from schemadiff.comparators.registry import ComparatorRegistry
from schemadiff.entities.model import EntityRegistry
from schemadiff.errors import ConfigError
from schemadiff.renderers.python.registry import RendererRegistry

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "schemadiff.plugins"


@dataclass
class Registries:
    comparators: ComparatorRegistry = field(default_factory=ComparatorRegistry)
    renderers: RendererRegistry = field(default_factory=RendererRegistry)
    #: views, functions, triggers and any kind a plugin adds
    entities: EntityRegistry = field(default_factory=EntityRegistry)
    loaded: list[str] = field(default_factory=list)

    def install(self, name: str, setup: Callable[[Registries], None]) -> None:
        if name in self.loaded:
            return
        if not callable(setup):
            raise ConfigError(f"schemadiff plugin {name!r} is not callable: {setup!r}")
        try:
            setup(self)
        except ConfigError:
            raise
        except Exception as exc:
            raise ConfigError(f"schemadiff plugin {name!r} failed to register: {exc}") from exc
        self.loaded.append(name)


_default: Registries | None = None


def default_registries() -> Registries:
    """The process-wide registries, with every installed plugin loaded once."""
    global _default
    if _default is None:
        regs = Registries()
        from schemadiff import builtin

        regs.install("builtin", builtin.setup)
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if ep.name == "builtin":
                continue
            try:
                setup = ep.load()
            except Exception as exc:
                raise ConfigError(
                    f"schemadiff plugin {ep.name!r} could not be loaded: {exc}"
                ) from exc
            regs.install(ep.name, setup)
        _default = regs
    return _default
