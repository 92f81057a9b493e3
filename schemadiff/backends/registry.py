"""The backend slot of the registries: what each database contributes.

Everything schemadiff knows about one database (its dialect rules, its
catalog readers, its run lock, later its hazard rules) is registered here
under the SQLAlchemy dialect name, by the backend package's own
``setup(registries)``: the same door a plugin uses, so a third-party
dialect is one package with one ``setup``.

Built-in backends are *declared* by module path and imported the first
time a connection of that dialect needs them.  Each pulls in its
SQLAlchemy dialect package, and a ``current`` on SQLite should not pay
for PostgreSQL's and MySQL's.  Whatever a plugin registered for a dialect
before its built-in package loads keeps its place: plugins used to
register after the built-ins and replace them, and loading late must not
turn that around.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from schemadiff.slots import DialectSlot

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from schemadiff.dialects.base import DialectImpl
    from schemadiff.plugins import Registries
    from schemadiff.runtime.locking import RunLock
    from schemadiff.snapshot.objects import ObjectReader
    from schemadiff.snapshot.reflect import BulkReflector

    RunLockFactory = Callable[[Connection, str, str | None], RunLock]


@dataclass
class BackendRegistry:
    """Per-dialect slots, each a plain mapping from dialect name to what fills it."""

    dialects: DialectSlot = field(default_factory=DialectSlot)
    reflectors: DialectSlot = field(default_factory=DialectSlot)
    object_readers: DialectSlot = field(default_factory=DialectSlot)
    run_locks: DialectSlot = field(default_factory=DialectSlot)
    #: slots that later features add (hazard rules, ...), by slot name
    extra: dict[str, DialectSlot] = field(default_factory=dict)
    _declared: dict[str, str] = field(default_factory=dict)
    _loaded: set[str] = field(default_factory=set)

    # -- registration: what a backend's setup(registries) calls ------------------
    def declare(self, dialect_name: str, module: str) -> None:
        """A backend package to import, and ``setup`` with the registries, on first use."""
        self._declared[dialect_name] = module

    # Each value may be given as ``"module:attribute"``, imported on first lookup.
    def add_dialect(self, dialect_name: str, impl: type[DialectImpl] | str) -> None:
        self.dialects[dialect_name] = impl

    def add_reflector(self, dialect_name: str, reflector: BulkReflector | str) -> None:
        self.reflectors[dialect_name] = reflector

    def add_object_reader(self, dialect_name: str, reader: ObjectReader | str) -> None:
        self.object_readers[dialect_name] = reader

    def add_run_lock(self, dialect_name: str, factory: RunLockFactory | str) -> None:
        self.run_locks[dialect_name] = factory

    def add(self, slot: str, dialect_name: str, value: Any) -> None:
        """Fill a slot the four above do not name (a feature's own, e.g. hazard rules)."""
        self.extra.setdefault(slot, DialectSlot())[dialect_name] = value

    def get(self, slot: str, dialect_name: str) -> Any:
        """What fills a feature slot (see ``add``) for ``dialect_name``, or None."""
        found = self.extra.get(slot)
        return found.get(dialect_name) if found is not None else None

    # -- loading -------------------------------------------------------------------
    def load(self, dialect_name: str, registries: Registries) -> None:
        """Import the declared package of ``dialect_name`` once and run its ``setup``."""
        if dialect_name in self._loaded:
            return
        self._loaded.add(dialect_name)
        module_name = self._declared.get(dialect_name)
        if module_name is None:
            return
        # every dialect name served by the same package (mysql, mariadb) loads with it
        names = [n for n, m in self._declared.items() if m == module_name]
        self._loaded.update(names)
        kept = [(name, self._slots_of(name)) for name in names]
        module = importlib.import_module(module_name)
        module.setup(registries)
        for name, slots in kept:
            for slot, value in slots:
                slot[name] = value

    def _slots_of(self, dialect_name: str) -> list[tuple[DialectSlot, Any]]:
        slots: list[DialectSlot] = [
            self.dialects,
            self.reflectors,
            self.object_readers,
            self.run_locks,
            *self.extra.values(),
        ]
        return [(slot, dict.get(slot, dialect_name)) for slot in slots if dialect_name in slot]

    def loaded(self, dialect_name: str) -> bool:
        return dialect_name in self._loaded
