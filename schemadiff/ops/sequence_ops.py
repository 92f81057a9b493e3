"""Sequences and schemas as objects of their own.

Like the enum operations these sit outside any table: creations come
before the table operations (``placement = "first"``), drops after them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar

from sqlalchemy.types import TypeEngine

from schemadiff.ops.base import Change, MigrateOperation

#: the options a sequence has, in the order ``CREATE SEQUENCE`` lists them
SEQUENCE_OPTIONS = ("start", "increment", "minvalue", "maxvalue", "cycle", "cache")


@dataclass(frozen=True)
class SequenceOptions:
    """What a sequence is made with; None leaves an option to the database."""

    start: int | None = None
    increment: int | None = None
    minvalue: int | None = None
    maxvalue: int | None = None
    cycle: bool | None = None
    cache: int | None = None
    data_type: TypeEngine[Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        """The options given (for reports): ``data_type`` as SQL text."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None:
                out[f.name] = str(value.compile()) if f.name == "data_type" else value
        return out


def _options(kw: dict[str, Any]) -> SequenceOptions:
    unknown = set(kw) - {f.name for f in fields(SequenceOptions)}
    if unknown:
        raise TypeError(f"unknown sequence option(s): {', '.join(sorted(unknown))}")
    return SequenceOptions(**kw)


@dataclass(frozen=True)
class CreateSequenceOp(MigrateOperation):
    kind: ClassVar[str] = "add_sequence"
    placement: ClassVar[str] = "first"
    name: str
    options: SequenceOptions = SequenceOptions()
    schema: str | None = None

    @classmethod
    def create_sequence(
        cls, operations: Any, name: str, *, schema: str | None = None, **options: Any
    ) -> Any:
        """``CREATE SEQUENCE``; options: start, increment, minvalue, maxvalue,
        cycle, cache, data_type."""
        return operations.invoke(cls(name, _options(options), schema))

    def reverse(self) -> DropSequenceOp:
        return DropSequenceOp(self.name, self.schema, existing=self.options)

    def to_changes(self) -> list[Change]:
        return [Change("add_sequence", self.schema, None, self.name, self.options.as_dict())]


@dataclass(frozen=True)
class DropSequenceOp(MigrateOperation):
    kind: ClassVar[str] = "remove_sequence"
    placement: ClassVar[str] = "last"
    name: str
    schema: str | None = None
    #: the options it had, for the downgrade; None when unknown
    existing: SequenceOptions | None = None

    @classmethod
    def drop_sequence(
        cls, operations: Any, name: str, *, schema: str | None = None, **existing: Any
    ) -> Any:
        """``DROP SEQUENCE``; ``existing_<option>=`` keywords say what it was made with."""
        given = {k.removeprefix("existing_"): v for k, v in existing.items()}
        return operations.invoke(cls(name, schema, _options(given) if given else None))

    def reverse(self) -> CreateSequenceOp:
        if self.existing is None:
            raise self.not_reversible()
        return CreateSequenceOp(self.name, self.existing, self.schema)

    def to_changes(self) -> list[Change]:
        return [Change("remove_sequence", self.schema, None, self.name)]


@dataclass(frozen=True)
class AlterSequenceOp(MigrateOperation):
    """``ALTER SEQUENCE``: the options in ``options`` that differ from ``existing``."""

    kind: ClassVar[str] = "modify_sequence"
    placement: ClassVar[str] = "first"
    name: str
    options: SequenceOptions
    existing: SequenceOptions
    schema: str | None = None

    @classmethod
    def alter_sequence(
        cls, operations: Any, name: str, *, schema: str | None = None, **options: Any
    ) -> Any:
        """Change a sequence's options; ``existing_<option>=`` keywords give the old ones."""
        new = {k: v for k, v in options.items() if not k.startswith("existing_")}
        old = {k.removeprefix("existing_"): v for k, v in options.items() if k not in new}
        return operations.invoke(cls(name, _options(new), _options(old), schema))

    def reverse(self) -> AlterSequenceOp:
        return AlterSequenceOp(self.name, self.existing, self.options, self.schema)

    def to_changes(self) -> list[Change]:
        detail = {"from": self.existing.as_dict(), "to": self.options.as_dict()}
        return [Change("modify_sequence", self.schema, None, self.name, detail)]


@dataclass(frozen=True)
class CreateSchemaOp(MigrateOperation):
    """``CREATE SCHEMA``: a schema the model puts tables in, missing from the database."""

    kind: ClassVar[str] = "add_schema"
    placement: ClassVar[str] = "first"
    name: str

    @classmethod
    def create_schema(cls, operations: Any, name: str) -> Any:
        """Create the schema ``name``."""
        return operations.invoke(cls(name))

    def reverse(self) -> DropSchemaOp:
        return DropSchemaOp(self.name)

    def to_changes(self) -> list[Change]:
        return [Change("add_schema", self.name, None, self.name)]


@dataclass(frozen=True)
class DropSchemaOp(MigrateOperation):
    """``DROP SCHEMA`` (never CASCADE: whatever is still in it stops the drop)."""

    kind: ClassVar[str] = "remove_schema"
    placement: ClassVar[str] = "last"
    name: str

    @classmethod
    def drop_schema(cls, operations: Any, name: str) -> Any:
        """Drop the schema ``name``, which must be empty."""
        return operations.invoke(cls(name))

    def reverse(self) -> CreateSchemaOp:
        return CreateSchemaOp(self.name)

    def to_changes(self) -> list[Change]:
        return [Change("remove_schema", self.name, None, self.name)]
