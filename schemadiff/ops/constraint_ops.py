"""Index and constraint operations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy import (
    CheckConstraint,
    Constraint,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    UniqueConstraint,
)
from sqlalchemy.sql.schema import ColumnCollectionConstraint

from schemadiff.ops.base import Change, MigrateOperation, NotReversible

# (add kind, remove kind) per constraint type, as named in SPEC's JSON report.
CONSTRAINT_KINDS: dict[str, tuple[str, str]] = {
    "unique": ("add_unique", "remove_unique"),
    "foreignkey": ("add_fk", "remove_fk"),
    "check": ("add_check", "remove_check"),
    "primary": ("add_primary_key", "remove_primary_key"),
}


def constraint_type(constraint: Constraint) -> str:
    if isinstance(constraint, UniqueConstraint):
        return "unique"
    if isinstance(constraint, ForeignKeyConstraint):
        return "foreignkey"
    if isinstance(constraint, CheckConstraint):
        return "check"
    if isinstance(constraint, PrimaryKeyConstraint):
        return "primary"
    raise TypeError(f"unsupported constraint {constraint!r}")


def _table_of(obj: Any) -> tuple[str | None, str]:
    table = obj.table
    return table.schema, table.name


def _name(obj: Any) -> str | None:
    name = obj.name
    return str(name) if isinstance(name, str) else None


def is_concurrent(index: Index | None) -> bool:
    """Whether the index is built with PostgreSQL's ``CONCURRENTLY``."""
    given = index.__dict__.get("dialect_options") if index is not None else None
    return bool(given and "postgresql" in given and given["postgresql"]["concurrently"])


@dataclass(frozen=True)
class CreateIndexOp(MigrateOperation):
    kind: ClassVar[str] = "add_index"
    index: Index
    #: keywords for the DDL itself (``if_exists``/``if_not_exists``, dialect options)
    options: dict[str, Any] = field(default_factory=dict, compare=False)

    def reverse(self) -> DropIndexOp:
        schema, table = _table_of(self.index)
        return DropIndexOp(
            _name(self.index) or "",
            table,
            schema,
            existing=self.index,
            options={"postgresql_concurrently": True} if is_concurrent(self.index) else {},
        )

    def to_changes(self) -> list[Change]:
        schema, table = _table_of(self.index)
        cols = [getattr(e, "name", str(e)) for e in self.index.expressions]
        return [
            Change(
                "add_index",
                schema,
                table,
                _name(self.index),
                {"columns": cols, "unique": bool(self.index.unique)},
            )
        ]


@dataclass(frozen=True)
class DropIndexOp(MigrateOperation):
    kind: ClassVar[str] = "remove_index"
    index_name: str
    table_name: str | None = None
    schema: str | None = None
    existing: Index | None = field(default=None, compare=False)
    #: keywords for the DDL itself (``if_exists``/``if_not_exists``, dialect options)
    options: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def concurrently(self) -> bool:
        """PostgreSQL ``DROP INDEX CONCURRENTLY`` (outside a transaction)."""
        return bool(self.options.get("postgresql_concurrently"))

    def reverse(self) -> MigrateOperation:
        if self.existing is None:
            raise self.not_reversible()
        return CreateIndexOp(self.existing)

    def to_changes(self) -> list[Change]:
        return [Change("remove_index", self.schema, self.table_name, self.index_name)]


@dataclass(frozen=True)
class AddConstraintOp(MigrateOperation):
    """A unique, foreign key, check or primary key constraint being added."""

    kind: ClassVar[str] = "add_constraint"
    constraint: Constraint

    @property
    def constraint_type(self) -> str:
        return constraint_type(self.constraint)

    def reverse(self) -> DropConstraintOp:
        schema, table = _table_of(self.constraint)
        if _name(self.constraint) is None:
            # The database will pick the name; a downgrade cannot know it.
            raise NotReversible(
                f"unnamed {self.constraint_type} constraint on '{table}' "
                "(give it a name, or a naming convention, to make it reversible)"
            )
        return DropConstraintOp(
            _name(self.constraint), table, self.constraint_type, schema, existing=self.constraint
        )

    def to_changes(self) -> list[Change]:
        schema, table = _table_of(self.constraint)
        detail: dict[str, Any] = {}
        if isinstance(self.constraint, CheckConstraint):
            detail["sqltext"] = str(
                getattr(self.constraint.sqltext, "text", self.constraint.sqltext)
            )
        elif isinstance(self.constraint, ForeignKeyConstraint):
            detail["columns"] = [c.name for c in self.constraint.columns]
            detail["referred"] = [e.target_fullname for e in self.constraint.elements]
        elif isinstance(self.constraint, ColumnCollectionConstraint):  # unique, primary key
            detail["columns"] = [c.name for c in self.constraint.columns]
        return [
            Change(
                CONSTRAINT_KINDS[self.constraint_type][0],
                schema,
                table,
                _name(self.constraint),
                detail,
            )
        ]


@dataclass(frozen=True)
class DropConstraintOp(MigrateOperation):
    kind: ClassVar[str] = "drop_constraint"
    constraint_name: str | None
    table_name: str
    type_: str | None = None
    schema: str | None = None
    existing: Constraint | None = field(default=None, compare=False)
    #: keywords for the DDL itself (``if_exists``/``if_not_exists``, dialect options)
    options: dict[str, Any] = field(default_factory=dict, compare=False)

    def reverse(self) -> MigrateOperation:
        if self.existing is None:
            raise self.not_reversible()
        return AddConstraintOp(self.existing)

    def to_changes(self) -> list[Change]:
        kind = CONSTRAINT_KINDS.get(self.type_ or "", ("", "drop_constraint"))[1]
        return [Change(kind, self.schema, self.table_name, self.constraint_name)]
