"""Which function renders which operation class.

Looked up along the class's MRO, so a plugin's subclass of a built-in op
renders like its parent until the plugin registers its own renderer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schemadiff.ops.base import MigrateOperation
from schemadiff.slots import LazyMapping

OpRenderer = Callable[[Any, Any], list[str]]


class RendererRegistry(LazyMapping[type[MigrateOperation], OpRenderer]):
    def register(self, op_type: type[MigrateOperation]) -> Callable[[OpRenderer], OpRenderer]:
        if not (isinstance(op_type, type) and issubclass(op_type, MigrateOperation)):
            raise TypeError(f"renderers are registered for operation classes, not {op_type!r}")

        def decorate(fn: OpRenderer) -> OpRenderer:
            self.add(op_type, fn)
            return fn

        return decorate

    def lookup(self, op: MigrateOperation) -> OpRenderer:
        self.ensure_loaded()
        for klass in type(op).__mro__:
            fn = self._items.get(klass)
            if fn is not None:
                return fn
        raise LookupError(f"no renderer registered for {type(op).__name__}")
