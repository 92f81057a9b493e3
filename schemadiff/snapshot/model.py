"""Plain, frozen descriptions of a schema.

Both sides of a comparison are turned into these before any diffing
happens, so comparators never touch a database and can be unit tested with
hand-built snapshots.  Each item may keep a link (``source``) to the
SQLAlchemy object it came from, because renderers must print what the user
wrote (custom types, their modules, naming-convention names), not a
re-derived approximation.  Links are excluded from equality.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.types import TypeEngine

TableKey = tuple[str | None, str]


@dataclass(frozen=True)
class ComputedSnapshot:
    sqltext: str
    persisted: bool | None = None


@dataclass(frozen=True)
class IdentitySnapshot:
    """An identity column's generator, with its sequence options.

    Reflection fills in every option the database reports; a model leaves
    unset (None) what it lets the database default, so the two sides are
    compared through the dialect, which knows those defaults.
    """

    always: bool = False
    start: int | None = None
    increment: int | None = None
    minvalue: int | None = None
    maxvalue: int | None = None
    cycle: bool | None = None
    cache: int | None = None


@dataclass(frozen=True)
class ColumnSnapshot:
    name: str
    type: TypeEngine[Any] = field(compare=False)
    nullable: bool = True
    server_default: str | None = None
    comment: str | None = None
    autoincrement: bool | str = "auto"
    computed: ComputedSnapshot | None = None
    identity: IdentitySnapshot | None = None
    source: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class PrimaryKeySnapshot:
    name: str | None
    columns: tuple[str, ...]
    source: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class IndexSnapshot:
    name: str | None
    # Column names; an expression element is kept as its SQL text.
    expressions: tuple[str, ...]
    unique: bool = False
    dialect_options: tuple[tuple[str, str], ...] = ()
    #: partial-index predicate (PostgreSQL / SQLite ``WHERE``), as SQL text
    where: str | None = None
    source: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class UniqueSnapshot:
    name: str | None
    columns: tuple[str, ...]
    source: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class ForeignKeySnapshot:
    name: str | None
    columns: tuple[str, ...]
    referred_schema: str | None
    referred_table: str
    referred_columns: tuple[str, ...]
    ondelete: str | None = None
    onupdate: str | None = None
    deferrable: bool | None = None
    initially: str | None = None
    source: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class CheckSnapshot:
    name: str | None
    sqltext: str
    source: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class TableSnapshot:
    schema: str | None
    name: str
    columns: tuple[ColumnSnapshot, ...]
    primary_key: PrimaryKeySnapshot | None = None
    indexes: tuple[IndexSnapshot, ...] = ()
    uniques: tuple[UniqueSnapshot, ...] = ()
    foreign_keys: tuple[ForeignKeySnapshot, ...] = ()
    checks: tuple[CheckSnapshot, ...] = ()
    comment: str | None = None
    source: Any = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> TableKey:
        return (self.schema, self.name)

    @property
    def fullname(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    def column(self, name: str) -> ColumnSnapshot | None:
        for col in self.columns:
            if col.name == name:
                return col
        return None


@dataclass(frozen=True)
class SchemaSnapshot:
    """All tables of one side of a comparison, keyed by (schema, name).

    ``default_schema`` is the connection's default schema name; tables in it
    are keyed with schema ``None`` on both sides so that ``Table('t', m)``
    and ``Table('t', m, schema='public')`` line up.
    """

    tables: Mapping[TableKey, TableSnapshot]
    default_schema: str | None = None

    def __iter__(self) -> Iterator[TableSnapshot]:
        return iter(self.tables.values())

    def __len__(self) -> int:
        return len(self.tables)

    def get(self, key: TableKey) -> TableSnapshot | None:
        return self.tables.get(key)
