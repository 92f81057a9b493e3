"""Change kinds as typed records: each kind says what its detail holds and
how it reads as a sentence.

A ``Change`` keeps its plain ``kind`` string (the JSON report's word, and what
plugins emit); the record for that word is looked up in a ``KindRegistry``.
Built-in kinds register through the same ``setup(registries)`` door as a
plugin's, so a plugin's kind reads as well as ours; a kind nobody registered
still gets a generic sentence rather than an error, because a report must
never fail on a change it does not know.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from schemadiff.ops.base import Change
from schemadiff.safe_text import line_safe
from schemadiff.slots import LazyMapping

Sentence = Callable[[Change], str]


@dataclass(frozen=True)
class ChangeKind:
    """One kind of change: its name, the keys its ``detail`` may hold, its sentence.

    ``detail_fields`` is the contract between the op that emits the change
    and the report formats that read it; a test holds every built-in op to it.
    """

    name: str
    detail_fields: tuple[str, ...]
    sentence: Sentence

    def describe(self, change: Change) -> str:
        return self.sentence(change)


def target_of(change: Change) -> str:
    """``schema.table`` or ``table``: what reports group changes by (a report line
    of its own in the text format, so made line-safe)."""
    table = change.table or ""
    return line_safe(f"{change.schema}.{table}" if change.schema else table)


def generic_sentence(change: Change) -> str:
    """For a kind no one registered: its own word, its name and its table."""
    name = f" '{change.name}'" if change.name else ""
    return f"{change.kind}{name} on '{target_of(change)}'"


class KindRegistry(LazyMapping[str, ChangeKind]):
    """Change kinds by name; registering a name twice replaces the record, so a
    plugin can reword a built-in kind the way it can replace a comparator."""

    def __init__(self, kinds: Iterable[ChangeKind] = ()) -> None:
        super().__init__()
        for kind in kinds:
            self.register(kind)

    def register(self, kind: ChangeKind) -> ChangeKind:
        if not isinstance(kind, ChangeKind):
            raise TypeError(f"not a ChangeKind: {kind!r}")
        if not callable(kind.sentence):
            raise TypeError(f"the sentence of change kind {kind.name!r} is not callable")
        self.add(kind.name, kind)
        return kind

    def lookup(self, name: str) -> ChangeKind:
        """The record for ``name``; an unregistered kind gets the generic one."""
        return self.get(name) or ChangeKind(name, (), generic_sentence)

    def __contains__(self, name: object) -> bool:
        self.ensure_loaded()
        return name in self._items

    def __iter__(self) -> Iterator[ChangeKind]:
        self.ensure_loaded()
        return iter(self._items.values())

    def __len__(self) -> int:
        self.ensure_loaded()
        return len(self._items)
