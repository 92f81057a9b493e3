"""Operations on views, materialized views, functions and triggers.

Each carries what it needs to be reversed: a drop keeps the definition it
removes (``existing``), a replace the one it replaces.  ``role`` tells a
real difference (``"change"``) from a view dropped and created again
around a table change it depends on (``"around"``), which reports nothing:
the model and the database agree on that view.  A create with ``replaces``
is the second half of a change split around table operations, and reports
``modify_*``.  Materialized views report as views with ``{"materialized":
true}`` in their detail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from schemadiff.ops.base import Change, MigrateOperation


# -- views -------------------------------------------------------------------------
@dataclass(frozen=True)
class CreateViewOp(MigrateOperation):
    kind: ClassVar[str] = "add_view"
    materialized: ClassVar[bool] = False
    name: str
    definition: str
    schema: str | None = None
    role: str = "change"
    #: the definition this one replaces, when it is the second half of a change
    replaces: str | None = None

    @classmethod
    def create_view(
        cls, operations: Any, name: str, definition: str, *, schema: str | None = None
    ) -> Any:
        """``CREATE VIEW name AS definition``."""
        return operations.invoke(cls(name, definition, schema))

    def reverse(self) -> MigrateOperation:
        return DropViewOp(
            self.name, self.schema, self.definition, "around" if self.replaces else self.role
        )

    def _detail(self) -> dict[str, Any]:
        return {"materialized": True} if self.materialized else {}

    def to_changes(self) -> list[Change]:
        if self.replaces is not None:
            detail = {**self._detail(), "from": self.replaces, "to": self.definition}
            return [Change("modify_view", self.schema, None, self.name, detail)]
        if self.role == "around":
            return []
        return [Change("add_view", self.schema, None, self.name, self._detail())]


@dataclass(frozen=True)
class DropViewOp(MigrateOperation):
    kind: ClassVar[str] = "remove_view"
    materialized: ClassVar[bool] = False
    name: str
    schema: str | None = None
    #: the definition it had, for the downgrade; None when unknown
    existing: str | None = None
    role: str = "change"

    @classmethod
    def drop_view(
        cls,
        operations: Any,
        name: str,
        *,
        schema: str | None = None,
        existing: str | None = None,
    ) -> Any:
        """``DROP VIEW``; ``existing`` is its definition, which the downgrade recreates."""
        return operations.invoke(cls(name, schema, existing))

    def reverse(self) -> MigrateOperation:
        if self.existing is None:
            return super().reverse()
        return CreateViewOp(self.name, self.existing, self.schema, self.role)

    def to_changes(self) -> list[Change]:
        if self.role == "around":
            return []
        detail = {"materialized": True} if self.materialized else {}
        return [Change("remove_view", self.schema, None, self.name, detail)]


@dataclass(frozen=True)
class ReplaceViewOp(MigrateOperation):
    """A view's new definition, where nothing around it needs it gone first."""

    kind: ClassVar[str] = "modify_view"
    name: str
    definition: str
    existing: str
    schema: str | None = None

    @classmethod
    def replace_view(
        cls,
        operations: Any,
        name: str,
        definition: str,
        *,
        existing: str,
        schema: str | None = None,
    ) -> Any:
        """Give a view a new definition; ``existing`` is the old one (for the downgrade)."""
        return operations.invoke(cls(name, definition, existing, schema))

    def reverse(self) -> ReplaceViewOp:
        return ReplaceViewOp(self.name, self.existing, self.definition, self.schema)

    def to_changes(self) -> list[Change]:
        detail = {"from": self.existing, "to": self.definition}
        return [Change("modify_view", self.schema, None, self.name, detail)]


# -- materialized views --------------------------------------------------------------
@dataclass(frozen=True)
class CreateMaterializedViewOp(CreateViewOp):
    materialized: ClassVar[bool] = True
    with_data: bool = True

    @classmethod
    def create_materialized_view(
        cls,
        operations: Any,
        name: str,
        definition: str,
        *,
        schema: str | None = None,
        with_data: bool = True,
    ) -> Any:
        """``CREATE MATERIALIZED VIEW name AS definition WITH [NO] DATA``."""
        return operations.invoke(cls(name, definition, schema, with_data=with_data))

    def reverse(self) -> MigrateOperation:
        role = "around" if self.replaces else self.role
        return DropMaterializedViewOp(self.name, self.schema, self.definition, role, self.with_data)


@dataclass(frozen=True)
class DropMaterializedViewOp(DropViewOp):
    materialized: ClassVar[bool] = True
    with_data: bool = True

    @classmethod
    def drop_materialized_view(
        cls,
        operations: Any,
        name: str,
        *,
        schema: str | None = None,
        existing: str | None = None,
        existing_with_data: bool = True,
    ) -> Any:
        """``DROP MATERIALIZED VIEW``; ``existing`` is its definition (for the downgrade)."""
        return operations.invoke(cls(name, schema, existing, with_data=existing_with_data))

    def reverse(self) -> MigrateOperation:
        if self.existing is None:
            return MigrateOperation.reverse(self)
        return CreateMaterializedViewOp(
            self.name, self.existing, self.schema, self.role, with_data=self.with_data
        )


@dataclass(frozen=True)
class RefreshMaterializedViewOp(MigrateOperation):
    """``REFRESH MATERIALIZED VIEW``: written by hand; it is its own reverse."""

    kind: ClassVar[str] = "refresh_view"
    name: str
    schema: str | None = None
    concurrently: bool = False

    @classmethod
    def refresh_materialized_view(
        cls, operations: Any, name: str, *, schema: str | None = None, concurrently: bool = False
    ) -> Any:
        """Run the materialized view's query again and store the rows."""
        return operations.invoke(cls(name, schema, concurrently))

    def reverse(self) -> RefreshMaterializedViewOp:
        return self


# -- functions ---------------------------------------------------------------------
@dataclass(frozen=True)
class CreateFunctionOp(MigrateOperation):
    kind: ClassVar[str] = "add_function"
    name: str
    ddl: str
    schema: str | None = None
    role: str = "change"
    replaces: str | None = None

    @classmethod
    def create_function(
        cls, operations: Any, name: str, ddl: str, *, schema: str | None = None
    ) -> Any:
        """Run ``ddl``, the whole CREATE FUNCTION statement of function ``name``."""
        return operations.invoke(cls(name, ddl, schema))

    def reverse(self) -> DropFunctionOp:
        role = "around" if self.replaces is not None else self.role
        return DropFunctionOp(self.name, self.schema, self.ddl, role)

    def to_changes(self) -> list[Change]:
        if self.replaces is not None:
            detail = {"from": self.replaces, "to": self.ddl}
            return [Change("modify_function", self.schema, None, self.name, detail)]
        if self.role == "around":
            return []
        return [Change("add_function", self.schema, None, self.name)]


@dataclass(frozen=True)
class DropFunctionOp(MigrateOperation):
    kind: ClassVar[str] = "remove_function"
    name: str
    schema: str | None = None
    existing: str | None = None
    role: str = "change"

    @classmethod
    def drop_function(
        cls,
        operations: Any,
        name: str,
        *,
        schema: str | None = None,
        existing: str | None = None,
    ) -> Any:
        """``DROP FUNCTION name``; ``existing`` is its DDL (for the downgrade)."""
        return operations.invoke(cls(name, schema, existing))

    def reverse(self) -> MigrateOperation:
        if self.existing is None:
            return super().reverse()
        return CreateFunctionOp(self.name, self.existing, self.schema, self.role)

    def to_changes(self) -> list[Change]:
        if self.role == "around":
            return []
        return [Change("remove_function", self.schema, None, self.name)]


@dataclass(frozen=True)
class ReplaceFunctionOp(MigrateOperation):
    kind: ClassVar[str] = "modify_function"
    name: str
    ddl: str
    existing: str
    schema: str | None = None

    @classmethod
    def replace_function(
        cls, operations: Any, name: str, ddl: str, *, existing: str, schema: str | None = None
    ) -> Any:
        """``CREATE OR REPLACE`` the function from ``ddl``; ``existing`` is the old DDL."""
        return operations.invoke(cls(name, ddl, existing, schema))

    def reverse(self) -> ReplaceFunctionOp:
        return ReplaceFunctionOp(self.name, self.existing, self.ddl, self.schema)

    def to_changes(self) -> list[Change]:
        detail = {"from": self.existing, "to": self.ddl}
        return [Change("modify_function", self.schema, None, self.name, detail)]


# -- triggers ----------------------------------------------------------------------
@dataclass(frozen=True)
class CreateTriggerOp(MigrateOperation):
    kind: ClassVar[str] = "add_trigger"
    name: str
    table_name: str
    ddl: str
    schema: str | None = None
    role: str = "change"
    replaces: str | None = None

    @classmethod
    def create_trigger(
        cls, operations: Any, name: str, table_name: str, ddl: str, *, schema: str | None = None
    ) -> Any:
        """Run ``ddl``, the whole CREATE TRIGGER statement of trigger ``name``."""
        return operations.invoke(cls(name, table_name, ddl, schema))

    def reverse(self) -> DropTriggerOp:
        role = "around" if self.replaces is not None else self.role
        return DropTriggerOp(self.name, self.table_name, self.schema, self.ddl, role)

    def to_changes(self) -> list[Change]:
        if self.replaces is not None:
            detail = {"from": self.replaces, "to": self.ddl}
            return [Change("modify_trigger", self.schema, self.table_name, self.name, detail)]
        if self.role == "around":
            return []
        return [Change("add_trigger", self.schema, self.table_name, self.name)]


@dataclass(frozen=True)
class DropTriggerOp(MigrateOperation):
    kind: ClassVar[str] = "remove_trigger"
    name: str
    table_name: str
    schema: str | None = None
    existing: str | None = None
    role: str = "change"

    @classmethod
    def drop_trigger(
        cls,
        operations: Any,
        name: str,
        table_name: str,
        *,
        schema: str | None = None,
        existing: str | None = None,
    ) -> Any:
        """``DROP TRIGGER name ON table``; ``existing`` is its DDL (for the downgrade)."""
        return operations.invoke(cls(name, table_name, schema, existing))

    def reverse(self) -> MigrateOperation:
        if self.existing is None:
            return super().reverse()
        return CreateTriggerOp(self.name, self.table_name, self.existing, self.schema, self.role)

    def to_changes(self) -> list[Change]:
        if self.role == "around":
            return []
        return [Change("remove_trigger", self.schema, self.table_name, self.name)]


@dataclass(frozen=True)
class ReplaceTriggerOp(MigrateOperation):
    kind: ClassVar[str] = "modify_trigger"
    name: str
    table_name: str
    ddl: str
    existing: str
    schema: str | None = None

    @classmethod
    def replace_trigger(
        cls,
        operations: Any,
        name: str,
        table_name: str,
        ddl: str,
        *,
        existing: str,
        schema: str | None = None,
    ) -> Any:
        """Drop the trigger and create it from ``ddl``; ``existing`` is the old DDL."""
        return operations.invoke(cls(name, table_name, ddl, existing, schema))

    def reverse(self) -> ReplaceTriggerOp:
        return ReplaceTriggerOp(self.name, self.table_name, self.existing, self.ddl, self.schema)

    def to_changes(self) -> list[Change]:
        detail = {"from": self.existing, "to": self.ddl}
        return [Change("modify_trigger", self.schema, self.table_name, self.name, detail)]


ENTITY_OPS: tuple[type[MigrateOperation], ...] = (
    CreateViewOp,
    DropViewOp,
    ReplaceViewOp,
    CreateMaterializedViewOp,
    DropMaterializedViewOp,
    RefreshMaterializedViewOp,
    CreateFunctionOp,
    DropFunctionOp,
    ReplaceFunctionOp,
    CreateTriggerOp,
    DropTriggerOp,
    ReplaceTriggerOp,
)
