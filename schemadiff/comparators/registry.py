"""The comparator registry.

Comparators are keyed by target (``schema``: the set of tables; ``table``:
one table present on both sides; ``column``: one column present on both
sides), by the element they look at, and optionally by dialect.  Within a
target they run in priority order (FIRST before DEFAULT before LAST), so a
plugin can run before or after the built-ins, or replace one by
registering the same element for its dialect.  Built-ins register through
the very same ``setup(registry)`` door as plugins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from schemadiff.ops.base import MigrateOperation

Target = Literal["schema", "table", "column"]
TARGETS: tuple[Target, ...] = ("schema", "table", "column")

FIRST = 0
DEFAULT = 50
LAST = 100

Comparator = Callable[..., Iterable[MigrateOperation]]
Finisher = Callable[..., None]
"""``(ctx, db, model, upgrade_ops) -> None``: runs after every comparator and may
rearrange ``upgrade_ops.ops`` (entities placed around the table changes)."""


@dataclass(frozen=True)
class ComparatorSpec:
    target: Target
    element: str
    fn: Comparator
    dialect: str | None = None
    priority: int = DEFAULT


class ComparatorRegistry:
    def __init__(self) -> None:
        self._specs: list[ComparatorSpec] = []
        self._finishers: list[Finisher] = []
        self._deferred: list[Callable[[ComparatorRegistry], None]] = []

    def defer(self, loader: Callable[[ComparatorRegistry], None]) -> None:
        """Register through ``loader`` when first read (see :mod:`schemadiff.slots`);
        its comparators then come before any registered directly in the meantime."""
        self._deferred.append(loader)

    def _ensure_loaded(self) -> None:
        if not self._deferred:
            return
        loaders, self._deferred = self._deferred, []
        later, self._specs = self._specs, []
        later_finishers, self._finishers = self._finishers, []
        for loader in loaders:
            loader(self)
        self._specs.extend(later)
        self._finishers.extend(later_finishers)

    @property
    def finishers(self) -> list[Finisher]:
        """Run once the schema has been compared, with every op found so far."""
        self._ensure_loaded()
        return self._finishers

    def register_finisher(self, fn: Finisher) -> Finisher:
        if not callable(fn):
            raise TypeError(f"finisher is not callable: {fn!r}")
        self._finishers.append(fn)
        return fn

    def register(
        self,
        target: Target,
        element: str,
        *,
        dialect: str | None = None,
        priority: int = DEFAULT,
    ) -> Callable[[Comparator], Comparator]:
        if target not in TARGETS:
            raise ValueError(f"unknown comparator target {target!r}; expected one of {TARGETS}")

        def decorate(fn: Comparator) -> Comparator:
            if not callable(fn):
                raise TypeError(f"comparator for {target}/{element} is not callable: {fn!r}")
            self._specs.append(ComparatorSpec(target, element, fn, dialect, priority))
            return fn

        return decorate

    def add(self, spec: ComparatorSpec) -> None:
        self.register(spec.target, spec.element, dialect=spec.dialect, priority=spec.priority)(
            spec.fn
        )

    def for_target(self, target: Target, dialect_name: str) -> list[Comparator]:
        """Comparators for a target; a dialect-specific one replaces the generic one."""
        self._ensure_loaded()
        chosen: dict[str, ComparatorSpec] = {}
        order: list[tuple[int, int, str]] = []
        for index, spec in enumerate(self._specs):
            if spec.target != target:
                continue
            if spec.dialect not in (None, dialect_name):
                continue
            key = f"{spec.element}@{spec.priority}"
            current = chosen.get(key)
            if current is None:
                order.append((spec.priority, index, key))
            if current is None or spec.dialect is not None or current.dialect is None:
                if current is not None and current.dialect is not None and spec.dialect is None:
                    continue
                chosen[key] = spec
        order.sort()
        return [chosen[key].fn for _, _, key in order]

    def specs(self) -> list[ComparatorSpec]:
        self._ensure_loaded()
        return list(self._specs)

    def copy(self) -> ComparatorRegistry:
        self._ensure_loaded()
        new = ComparatorRegistry()
        new._specs = list(self._specs)
        new._finishers = list(self.finishers)
        return new
