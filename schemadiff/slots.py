"""The registry slots that are not a package's own: generic, and cheap to import.

Built-ins register through the same ``setup(registries)`` door as plugins,
but most commands need few of them: ``current`` needs no comparator,
renderer, report format or operation, and importing all of them costs more
than the rest of its start-up.  So the built-in ``setup`` *defers* a
loader, which runs the first time the slot is read.  Whatever was
registered directly before that (a plugin's) still wins: the built-ins used
to register first and plugins after them, and loading late must not turn
that around.

This module imports nothing of schemadiff's, so ``schemadiff.plugins`` can
build every slot without pulling in the packages that fill them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, cast, runtime_checkable

if TYPE_CHECKING:
    from typing_extensions import Self

    from schemadiff.operations.base import Operations
    from schemadiff.ops.base import MigrateOperation
    from schemadiff.renderers.report import Report

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


class LazyMapping(Generic[K, V]):
    """A plain mapping slot with deferred built-in loaders (the base of every
    registry keyed by a name or a class: operations, renderers, change kinds)."""

    def __init__(self) -> None:
        self._items: dict[K, V] = {}
        self._deferred: list[Callable[[Self], None]] = []

    def defer(self, loader: Callable[[Self], None]) -> None:
        """Register through ``loader`` when first read; what is registered
        directly before that keeps its place."""
        self._deferred.append(loader)

    def add(self, key: K, value: V) -> None:
        self._items[key] = value

    def get(self, key: K) -> V | None:
        self.ensure_loaded()
        return self._items.get(key)

    def keys(self) -> list[K]:
        self.ensure_loaded()
        return list(self._items)

    def ensure_loaded(self: Self) -> None:
        if not self._deferred:
            return
        loaders, self._deferred = self._deferred, []
        registered, self._items = self._items, {}
        for loader in loaders:
            loader(self)
        self._items.update(registered)


@runtime_checkable
class _Deferring(Protocol):
    def defer(self, loader: Callable[[Any], None]) -> None: ...


class MadeOnFirstUse(Generic[T]):
    """A registry made the first time it is asked for (from ``"module:Class"``).

    Loaders given before are handed over then: to the registry's own
    ``defer`` where it has one (they run when it is first read), else run
    at once.  Importing the registry's module is what this saves: the
    comparators package alone pulls in the snapshot layer and every op class.
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._made: T | None = None
        self._loaders: list[Callable[[T], None]] = []

    def get(self) -> T:
        if self._made is None:
            made = cast(Callable[[], T], import_attribute(self._path))()
            self._made = made
            for loader in self._loaders:
                _hand(made, loader)
        return self._made

    def defer(self, loader: Callable[[T], None]) -> None:
        if self._made is None:
            self._loaders.append(loader)
        else:
            _hand(self._made, loader)


def _hand(registry: T, loader: Callable[[T], None]) -> None:
    if isinstance(registry, _Deferring):
        registry.defer(loader)
    else:
        loader(registry)


def import_attribute(path: str) -> object:
    """``"package.module:name"`` → the object, imported now; ``"package.module"``
    → the module itself (a backend's rules kept as module functions)."""
    module, _, name = path.partition(":")
    found = importlib.import_module(module)
    return getattr(found, name) if name else found


# -- operations ------------------------------------------------------------------
Implementation = Callable[["Operations", Any], Any]


class OperationRegistry(LazyMapping[type, Implementation]):
    """Operation class → the function that runs it, looked up along the MRO, so a
    plugin's subclass of a built-in operation runs like its parent until it
    registers its own implementation."""

    def register(self, op_cls: type[MigrateOperation], fn: Implementation) -> None:
        self.add(op_cls, fn)

    def lookup(self, operation: MigrateOperation) -> Implementation | None:
        self.ensure_loaded()
        for klass in type(operation).__mro__:
            fn = self._items.get(klass)
            if fn is not None:
                return fn
        return None


class ImplementationTable(dict[type, Implementation]):
    """A module's own implementations, which the built-in ``setup`` registers.

    ``@implements(SomeOp)`` records without touching any registry, so the
    module can be imported (for its helpers) before the registries exist.
    """

    def __call__(
        self, op_cls: type[MigrateOperation]
    ) -> Callable[[Implementation], Implementation]:
        def decorate(fn: Implementation) -> Implementation:
            self[op_cls] = fn
            return fn

        return decorate


# -- report formats --------------------------------------------------------------
Formatter = Callable[["Report"], str]


class FormatRegistry:
    """Report format name → writer.  Built-in formats are declared by
    ``"module:function"`` and imported when a report in that format is written."""

    def __init__(self) -> None:
        self._formats: dict[str, Formatter | str] = {}

    def declare(self, name: str, path: str) -> None:
        """A built-in format, imported from ``"module:function"`` on first use."""
        self._formats.setdefault(name, path)

    def add(self, name: str, formatter: Formatter) -> None:
        if not callable(formatter):
            raise TypeError(f"report format {name!r} is not callable: {formatter!r}")
        self._formats[name] = formatter

    def names(self) -> list[str]:
        return sorted(self._formats)

    def get(self, name: str) -> Formatter | None:
        entry = self._formats.get(name)
        if isinstance(entry, str):
            entry = cast(Formatter, import_attribute(entry))
            self._formats[name] = entry
        return entry


# -- per-dialect slots -------------------------------------------------------------
class DialectSlot(dict[str, Any]):
    """Dialect name → what a backend registered, given as the object or as
    ``"module:attribute"``, imported on first lookup: a backend's ``setup``
    runs as soon as a connection needs its dialect rules, and must not pull
    in its catalog reader (the snapshot layer) for a ``current``."""

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self:
            return default
        return self[key]

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        if isinstance(value, str):
            value = import_attribute(value)
            self[key] = value
        return value
