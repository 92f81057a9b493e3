"""What every comparator receives: options, the dialect, the user's hooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Table

from schemadiff.dialects.base import DialectImpl
from schemadiff.snapshot.model import SchemaSnapshot, TableSnapshot
from schemadiff.snapshot.to_sqlalchemy import table_from_snapshot


class IncludeObject(Protocol):
    def __call__(
        self, obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool: ...


class IncludeName(Protocol):
    def __call__(self, name: str | None, type_: str, parent_names: dict[str, Any]) -> bool: ...


class CompareTypeFn(Protocol):
    def __call__(
        self,
        context: Any,
        inspected_column: Any,
        metadata_column: Any,
        inspected_type: Any,
        metadata_type: Any,
    ) -> bool | None: ...


class CompareDefaultFn(Protocol):
    def __call__(
        self,
        context: Any,
        inspected_column: Any,
        metadata_column: Any,
        inspected_default: str | None,
        metadata_default: Any,
        rendered_metadata_default: str | None,
    ) -> bool | None: ...


@dataclass
class CompareOptions:
    compare_type: bool | CompareTypeFn = True
    compare_server_default: bool | CompareDefaultFn = False
    include_schemas: bool = False
    include_object: IncludeObject | None = None
    include_name: IncludeName | None = None
    version_table: str = "schemadiff_version"
    version_table_schema: str | None = None


@dataclass
class CompareContext:
    options: CompareOptions
    impl: DialectImpl
    migration_context: Any = None
    #: reflected SQLAlchemy objects built on demand, cached per table key
    cache: dict[Any, Any] = field(default_factory=dict)
    #: the database side of the comparison in progress
    db_snapshot: SchemaSnapshot | None = None

    def db_table(self, key: Any) -> TableSnapshot | None:
        return self.db_snapshot.tables.get(key) if self.db_snapshot is not None else None

    def include(
        self, obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
    ) -> bool:
        hook = self.options.include_object
        if hook is None:
            return True
        return bool(hook(obj, name, type_, reflected, compare_to))

    def include_reflected_name(self, name: str | None, type_: str, table: Any) -> bool:
        """``include_name`` for objects inside a reflected table."""
        hook = self.options.include_name
        if hook is None:
            return True
        parents = {"schema_name": table.schema, "table_name": table.name}
        return bool(hook(name, type_, parents))

    def reflected_table(self, table: TableSnapshot) -> Table:
        """The reflected table as SQLAlchemy objects, built once per comparison."""
        key = ("reflected", table.key)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = table_from_snapshot(table)
        return found
