"""Named enum types as objects: created, dropped, their values changed.

These are not table operations: ``placement`` tells the comparison engine
to put creations and value changes before every table operation (a type
exists before the first column of it) and drops after them (a type goes
after its last column).  The reverse of a list reverses that order, so a
downgrade recreates the type before the columns that come back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from schemadiff.ops.base import Change, MigrateOperation

#: ``(schema, table, column)`` of a column whose type is the enum
ColumnRef = tuple[str | None, str, str]


@dataclass(frozen=True)
class CreateEnumOp(MigrateOperation):
    """``CREATE TYPE name AS ENUM (...)``."""

    kind: ClassVar[str] = "add_enum"
    placement: ClassVar[str] = "first"
    name: str
    values: tuple[str, ...]
    schema: str | None = None

    @classmethod
    def create_enum(
        cls, operations: Any, name: str, values: Any, *, schema: str | None = None
    ) -> Any:
        """Create the enum type ``name`` with ``values`` in this order."""
        return operations.invoke(cls(name, tuple(values), schema))

    def reverse(self) -> DropEnumOp:
        return DropEnumOp(self.name, self.schema, existing_values=self.values)

    def to_changes(self) -> list[Change]:
        return [Change("add_enum", self.schema, None, self.name, {"values": list(self.values)})]


@dataclass(frozen=True)
class DropEnumOp(MigrateOperation):
    """``DROP TYPE name``; ``existing_values`` lets the downgrade recreate it."""

    kind: ClassVar[str] = "remove_enum"
    placement: ClassVar[str] = "last"
    name: str
    schema: str | None = None
    existing_values: tuple[str, ...] | None = None

    @classmethod
    def drop_enum(
        cls,
        operations: Any,
        name: str,
        *,
        schema: str | None = None,
        existing_values: Any = None,
    ) -> Any:
        """Drop the enum type ``name`` (no column may use it any more)."""
        values = tuple(existing_values) if existing_values is not None else None
        return operations.invoke(cls(name, schema, values))

    def reverse(self) -> CreateEnumOp:
        if self.existing_values is None:
            raise self.not_reversible()
        return CreateEnumOp(self.name, self.existing_values, self.schema)

    def to_changes(self) -> list[Change]:
        values = list(self.existing_values) if self.existing_values is not None else None
        return [Change("remove_enum", self.schema, None, self.name, {"values": values})]


@dataclass(frozen=True)
class AlterEnumOp(MigrateOperation):
    """The values of an enum type go from ``existing_values`` to ``values``.

    When every old value stays, in the same order, the new ones are added
    in place (``ALTER TYPE ... ADD VALUE``, which touches no table).
    Otherwise the type is recreated and each column of it cast to the new
    one; ``columns`` names those columns for offline (``--sql``) output,
    while a run against a database reads them from its catalog.
    """

    kind: ClassVar[str] = "modify_enum"
    placement: ClassVar[str] = "first"
    name: str
    values: tuple[str, ...]
    existing_values: tuple[str, ...]
    schema: str | None = None
    columns: tuple[ColumnRef, ...] = field(default=(), compare=False)

    @classmethod
    def alter_enum(
        cls,
        operations: Any,
        name: str,
        values: Any,
        *,
        existing_values: Any,
        schema: str | None = None,
        columns: Any = (),
    ) -> Any:
        """Change the values of the enum type ``name`` from ``existing_values`` to ``values``."""
        refs = tuple((c[0], c[1], c[2]) for c in columns)
        return operations.invoke(cls(name, tuple(values), tuple(existing_values), schema, refs))

    @property
    def adds_only(self) -> bool:
        """Every existing value stays, in its order: new values can be added in place."""
        kept = [v for v in self.values if v in set(self.existing_values)]
        return kept == list(self.existing_values)

    @property
    def removed(self) -> tuple[str, ...]:
        new = set(self.values)
        return tuple(v for v in self.existing_values if v not in new)

    def reverse(self) -> AlterEnumOp:
        return AlterEnumOp(self.name, self.existing_values, self.values, self.schema, self.columns)

    def to_changes(self) -> list[Change]:
        detail = {"from": list(self.existing_values), "to": list(self.values)}
        return [Change("modify_enum", self.schema, None, self.name, detail)]
