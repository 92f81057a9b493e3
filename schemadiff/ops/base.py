"""The operation model's common parts.

Every operation is a frozen dataclass that knows its reverse, so a
downgrade is derived from an upgrade instead of being written twice, and
that describes itself as ``Change`` records, the one shape every report
format reads (their sentences come from the change kinds, ``ops.kinds``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Delta(Generic[T]):
    """An attribute going from one value to another.

    An operation field of type ``Delta | None`` is None when that attribute
    is not touched; ``Delta(x, None)`` means "set to NULL / no default",
    which keeps "unchanged" and "removed" apart.
    """

    old: T
    new: T


@dataclass(frozen=True)
class SourceLocation:
    """Where the model defines the thing a change is about: a file and a line.

    ``path`` is relative to the working directory where it lies below it
    (what CI annotations and SARIF expect), absolute otherwise.
    """

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class Change:
    """One difference between database and model, for reports and APIs.

    ``source`` is filled in by ``check`` where the model's definition can
    be found; it is not part of the SPEC's JSON shape (``as_dict``).
    """

    kind: str
    schema: str | None
    table: str | None
    name: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    source: SourceLocation | None = field(default=None, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "schema": self.schema,
            "table": self.table,
            "name": self.name,
            "detail": self.detail,
        }


class NotReversible(Exception):
    """Raised by ``reverse()`` when the inverse cannot be derived exactly.

    Renderers catch it and write a comment into the downgrade instead of
    guessing.
    """


class MigrateOperation:
    """Base of every operation.

    Not a dataclass itself: leaf operations are frozen dataclasses, while
    the containers are mutable ones, and both derive from this.
    """

    kind: ClassVar[str] = "operation"

    def reverse(self) -> MigrateOperation:
        raise self.not_reversible()

    def not_reversible(self) -> NotReversible:
        """What ``reverse()`` raises when the op lacks what its inverse needs."""
        return NotReversible(f"{type(self).__name__} cannot be reversed")

    def to_changes(self) -> list[Change]:
        return []

    def is_empty(self) -> bool:
        return False
