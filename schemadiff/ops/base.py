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
class Hazard:
    """What applying a change may do to a live table, besides changing it.

    ``kind`` is one of ``HAZARD_KINDS``; ``rows`` is the server's estimate
    of the rows the change touches, known only online and only for a table
    that already exists (None otherwise: unknown is not zero).
    """

    kind: str
    message: str
    rows: int | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "message": self.message}
        if self.rows is not None:
            out["rows"] = self.rows
        return out


#: the hazard kinds, most severe first; ``unchecked`` is lint's word for raw SQL
HAZARD_KINDS = ("deletes_data", "may_fail", "rewrites_table", "blocks_writes", "unchecked")


@dataclass(frozen=True)
class Change:
    """One difference between database and model, for reports and APIs.

    ``source`` is filled in by ``check`` where the model's definition can
    be found; ``hazards`` by the backend's hazard rules (``schemadiff.hazards``).
    Neither takes part in equality, so a change is the same change whatever
    is known about it.
    """

    kind: str
    schema: str | None
    table: str | None
    name: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    source: SourceLocation | None = field(default=None, compare=False)
    hazards: tuple[Hazard, ...] = field(default=(), compare=False)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "schema": self.schema,
            "table": self.table,
            "name": self.name,
            "detail": self.detail,
            "hazards": [h.as_dict() for h in self.hazards],
        }
        if self.source is not None:
            out["location"] = {"file": self.source.path, "line": self.source.line}
        return out


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
