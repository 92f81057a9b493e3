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
from typing import TYPE_CHECKING

from schemadiff.backends.registry import BackendRegistry
from schemadiff.errors import ConfigError
from schemadiff.slots import FormatRegistry, MadeOnFirstUse, OperationRegistry

if TYPE_CHECKING:
    from schemadiff.comparators.registry import ComparatorRegistry
    from schemadiff.entities.model import EntityRegistry
    from schemadiff.ops.kinds import KindRegistry
    from schemadiff.renderers.python.registry import RendererRegistry

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "schemadiff.plugins"


@dataclass
class Registries:
    """Every slot a plugin (or a built-in) can fill.

    ``comparators`` and ``renderers`` make autogenerate; ``entities`` holds the
    kinds of schema object beside tables (views, functions, triggers, a
    plugin's own); ``kinds`` says what
    each ``Change.kind`` means and how it reads; ``backends`` holds
    what each database contributes (dialect rules, catalog readers, run
    lock, ...); ``operations`` runs ``op.*`` directives; ``report_formats``
    writes ``check`` reports.
    """

    backends: BackendRegistry = field(default_factory=BackendRegistry)
    operations: OperationRegistry = field(default_factory=OperationRegistry)
    report_formats: FormatRegistry = field(default_factory=FormatRegistry)
    loaded: list[str] = field(default_factory=list)
    # Made on first use (``slots.MadeOnFirstUse``): runtime commands never compare,
    # render or read entities, and importing those packages is most of a start-up.
    _comparators: MadeOnFirstUse[ComparatorRegistry] = field(
        default_factory=lambda: MadeOnFirstUse(
            "schemadiff.comparators.registry:ComparatorRegistry"
        ),
        repr=False,
    )
    _renderers: MadeOnFirstUse[RendererRegistry] = field(
        default_factory=lambda: MadeOnFirstUse(
            "schemadiff.renderers.python.registry:RendererRegistry"
        ),
        repr=False,
    )
    _kinds: MadeOnFirstUse[KindRegistry] = field(
        default_factory=lambda: MadeOnFirstUse("schemadiff.ops.kinds:KindRegistry"), repr=False
    )
    _entities: MadeOnFirstUse[EntityRegistry] = field(
        default_factory=lambda: MadeOnFirstUse("schemadiff.entities.model:EntityRegistry"),
        repr=False,
    )

    @property
    def comparators(self) -> ComparatorRegistry:
        return self._comparators.get()

    @property
    def renderers(self) -> RendererRegistry:
        return self._renderers.get()

    @property
    def kinds(self) -> KindRegistry:
        """Change kinds: what a ``Change.kind`` word means and how it reads."""
        return self._kinds.get()

    @property
    def entities(self) -> EntityRegistry:
        """Views, functions, triggers and any kind a plugin adds."""
        return self._entities.get()

    # ``<slot>.defer(loader)`` without making the registry now
    def defer_comparators(self, loader: Callable[[ComparatorRegistry], None]) -> None:
        self._comparators.defer(loader)

    def defer_renderers(self, loader: Callable[[RendererRegistry], None]) -> None:
        self._renderers.defer(loader)

    def defer_kinds(self, loader: Callable[[KindRegistry], None]) -> None:
        self._kinds.defer(loader)

    def defer_entities(self, loader: Callable[[EntityRegistry], None]) -> None:
        """``loader`` runs on the entity registry when it is made."""
        self._entities.defer(loader)

    def entities_for(self, dialect_name: str) -> EntityRegistry:
        """The entity registry with ``dialect_name``'s readers in it: each backend
        package registers its own as it loads."""
        self.backend(dialect_name)
        return self.entities

    def backend(self, dialect_name: str) -> BackendRegistry:
        """The backend slots, with ``dialect_name``'s declared package loaded."""
        self.backends.load(dialect_name, self)
        return self.backends

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
        # Published before the plugins load: a plugin module that registers
        # at import (``Operations.implementation_for``) reaches this same object.
        regs = _default = Registries()
        try:
            _load_plugins(regs)
        except BaseException:
            _default = None
            raise
    return _default


def _load_plugins(regs: Registries) -> None:
    from schemadiff import builtin

    regs.install("builtin", builtin.setup)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == "builtin":
            continue
        try:
            setup = ep.load()
        except Exception as exc:
            raise ConfigError(f"schemadiff plugin {ep.name!r} could not be loaded: {exc}") from exc
        regs.install(ep.name, setup)
