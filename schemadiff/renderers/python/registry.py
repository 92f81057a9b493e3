"""Which function renders which operation class.

Looked up along the class's MRO, so a plugin's subclass of a built-in op
renders like its parent until the plugin registers its own renderer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schemadiff.ops.base import MigrateOperation

OpRenderer = Callable[[Any, Any], list[str]]


class RendererRegistry:
    def __init__(self) -> None:
        self._by_type: dict[type[MigrateOperation], OpRenderer] = {}
        self._deferred: list[Callable[[RendererRegistry], None]] = []

    def defer(self, loader: Callable[[RendererRegistry], None]) -> None:
        """Register through ``loader`` when first looked up (see
        :mod:`schemadiff.slots`); direct registrations made before keep their place."""
        self._deferred.append(loader)

    def register(self, op_type: type[MigrateOperation]) -> Callable[[OpRenderer], OpRenderer]:
        if not (isinstance(op_type, type) and issubclass(op_type, MigrateOperation)):
            raise TypeError(f"renderers are registered for operation classes, not {op_type!r}")

        def decorate(fn: OpRenderer) -> OpRenderer:
            self._by_type[op_type] = fn
            return fn

        return decorate

    def lookup(self, op: MigrateOperation) -> OpRenderer:
        if self._deferred:
            loaders, self._deferred = self._deferred, []
            direct, self._by_type = self._by_type, {}
            for loader in loaders:
                loader(self)
            self._by_type.update(direct)
        for klass in type(op).__mro__:
            fn = self._by_type.get(klass)
            if fn is not None:
                return fn
        raise LookupError(f"no renderer registered for {type(op).__name__}")
