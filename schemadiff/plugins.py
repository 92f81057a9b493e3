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
from schemadiff.slots import FormatRegistry, OperationRegistry

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
    _comparators: ComparatorRegistry | None = field(default=None, repr=False)
    _renderers: RendererRegistry | None = field(default=None, repr=False)
    _comparator_loaders: list[Callable[[ComparatorRegistry], None]] = field(
        default_factory=list, repr=False
    )
    _renderer_loaders: list[Callable[[RendererRegistry], None]] = field(
        default_factory=list, repr=False
    )
    _entities: EntityRegistry | None = field(default=None, repr=False)
    _entity_loaders: list[Callable[[EntityRegistry], None]] = field(
        default_factory=list, repr=False
    )
    _kinds: KindRegistry | None = field(default=None, repr=False)
    _kind_loaders: list[Callable[[KindRegistry], None]] = field(default_factory=list, repr=False)

    def defer_entities(self, loader: Callable[[EntityRegistry], None]) -> None:
        """Run ``loader`` on the entity registry when it is first made."""
        if self._entities is not None:
            loader(self._entities)
        else:
            self._entity_loaders.append(loader)

    @property
    def entities(self) -> EntityRegistry:
        """Views, functions, triggers and any kind a plugin adds."""
        if self._entities is None:
            from schemadiff.entities.model import EntityRegistry

            self._entities = EntityRegistry()
            for loader in self._entity_loaders:
                loader(self._entities)
        return self._entities

    def defer_kinds(self, loader: Callable[[KindRegistry], None]) -> None:
        if self._kinds is not None:
            self._kinds.defer(loader)
        else:
            self._kind_loaders.append(loader)

    @property
    def kinds(self) -> KindRegistry:
        """Change kinds: what a ``Change.kind`` word means and how it reads."""
        if self._kinds is None:
            from schemadiff.ops.kinds import KindRegistry

            self._kinds = KindRegistry()
            for loader in self._kind_loaders:
                self._kinds.defer(loader)
        return self._kinds

    def defer_comparators(self, loader: Callable[[ComparatorRegistry], None]) -> None:
        """``comparators.defer(loader)`` without making the comparator registry now."""
        if self._comparators is not None:
            self._comparators.defer(loader)
        else:
            self._comparator_loaders.append(loader)

    def defer_renderers(self, loader: Callable[[RendererRegistry], None]) -> None:
        if self._renderers is not None:
            self._renderers.defer(loader)
        else:
            self._renderer_loaders.append(loader)

    # Made on first use: the comparators package pulls in the snapshot layer
    # and every op class, which runtime commands never need.
    @property
    def comparators(self) -> ComparatorRegistry:
        if self._comparators is None:
            from schemadiff.comparators.registry import ComparatorRegistry

            self._comparators = ComparatorRegistry()
            for loader in self._comparator_loaders:
                self._comparators.defer(loader)
        return self._comparators

    @property
    def renderers(self) -> RendererRegistry:
        if self._renderers is None:
            from schemadiff.renderers.python.registry import RendererRegistry

            self._renderers = RendererRegistry()
            for loader in self._renderer_loaders:
                self._renderers.defer(loader)
        return self._renderers

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
