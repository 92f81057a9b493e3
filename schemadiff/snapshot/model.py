"""Plain, frozen descriptions of a schema.

Both sides of a comparison are turned into these before any diffing
happens, so comparators never touch a database and can be unit tested with
hand-built snapshots.  Each item may keep a link (``source``) to the
SQLAlchemy object it came from, because renderers must print what the user
wrote (custom types, their modules, naming-convention names), not a
re-derived approximation.  Links are excluded from equality.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import field
from typing import Any, TypeVar, cast

from sqlalchemy.types import TypeEngine
from typing_extensions import dataclass_transform  # a SQLAlchemy 2 dependency; 3.11+ typing

TableKey = tuple[str | None, str]

_C = TypeVar("_C", bound=type)


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def snapshot(cls: _C) -> _C:
    """``@dataclass(frozen=True, slots=True)``: one spelling for every snapshot item.

    A generated ``__init__`` storing through the slots' own setters was tried
    here; it saved no measurable time in the compare suite, so the dataclass
    ``__init__`` stays (figures: benchmarks/README.md).
    """
    return cast(_C, dataclasses.dataclass(frozen=True, slots=True)(cls))


@snapshot
class ComputedSnapshot:
    sqltext: str
    persisted: bool | None = None


@snapshot
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


@snapshot
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


@snapshot
class PrimaryKeySnapshot:
    name: str | None
    columns: tuple[str, ...]
    source: Any = field(default=None, compare=False, repr=False)


@snapshot
class IndexSnapshot:
    name: str | None
    # Column names; an expression element is kept as its SQL text.
    expressions: tuple[str, ...]
    unique: bool = False
    #: sorted (key, value) pairs, values hashable (see ``snapshot.index_shape``)
    dialect_options: tuple[tuple[str, Any], ...] = ()
    #: partial-index predicate (PostgreSQL / SQLite ``WHERE``), as SQL text
    where: str | None = None
    #: per expression, its ``COLLATE`` / ``DESC`` / ``NULLS`` suffix (see
    #: ``snapshot.index_shape``); empty when no key has one
    modifiers: tuple[str, ...] = ()
    source: Any = field(default=None, compare=False, repr=False)
    #: the backend's own CREATE INDEX text, where it keeps one (SQLite), read
    #: for a table rebuild only (see ``reflect_table``); never compared
    sql: str | None = field(default=None, compare=False, repr=False)


@snapshot
class UniqueSnapshot:
    name: str | None
    columns: tuple[str, ...]
    source: Any = field(default=None, compare=False, repr=False)


@snapshot
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
    #: ``MATCH FULL``, as a batch's model gives it (readers leave it unset)
    match: str | None = field(default=None, compare=False, repr=False)


@snapshot
class CheckSnapshot:
    name: str | None
    sqltext: str
    source: Any = field(default=None, compare=False, repr=False)


_Item = TypeVar("_Item", "IndexSnapshot", "UniqueSnapshot", "ForeignKeySnapshot", "CheckSnapshot")


def ordered(items: Iterable[_Item] | None) -> tuple[_Item, ...]:
    """Items of one kind in the one order every reader and the model use.

    By name, unnamed first, then by what the item covers, so that two
    snapshots of the same table compare equal field by field.  Most tables
    have at most one item of a kind, which needs no sorting.
    """
    found = tuple(items) if items else ()
    return tuple(sorted(found, key=_order_key)) if len(found) > 1 else found


def _order_key(item: Any) -> tuple[str, Any]:
    if isinstance(item, IndexSnapshot):
        return (item.name or "", item.expressions)
    if isinstance(item, CheckSnapshot):
        return (item.name or "", item.sqltext)
    return (item.name or "", item.columns)


@snapshot
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
    #: the table's dialect options (``sqlite_autoincrement``, ``mysql_engine``),
    #: and SQLite's CREATE TRIGGER texts on it: what a rebuilt table must keep.
    #: Read for a table rebuild only (see ``reflect_table``); never compared.
    options: tuple[tuple[str, Any], ...] = field(default=(), compare=False, repr=False)
    triggers: tuple[str, ...] = field(default=(), compare=False, repr=False)

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


class _Nothing(Mapping[Any, Any]):
    """An empty mapping that may be a dataclass default (it is immutable and hashable)."""

    def __getitem__(self, key: Any) -> Any:
        raise KeyError(key)

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __hash__(self) -> int:
        return 0


_NOTHING: Mapping[Any, Any] = _Nothing()


@snapshot
class SchemaSnapshot:
    """All tables of one side of a comparison, keyed by (schema, name).

    ``default_schema`` is the connection's default schema name; tables in it
    are keyed with schema ``None`` on both sides so that ``Table('t', m)``
    and ``Table('t', m, schema='public')`` line up.
    """

    tables: Mapping[TableKey, TableSnapshot]
    default_schema: str | None = None
    #: named enum types and sequences (``snapshot.objects``), keyed like tables
    enums: Mapping[TableKey, Any] = field(default=_NOTHING)
    sequences: Mapping[TableKey, Any] = field(default=_NOTHING)
    #: the database: every schema it has (None when not listed); the model:
    #: the schemas it puts something in
    schemas: frozenset[str] | None = None
    #: the schemas compared, the default one as None
    compared_schemas: tuple[str | None, ...] = (None,)
    #: views, functions, triggers, ... (``schemadiff.entities.model.EntitySnapshot``)
    entities: Mapping[tuple[str, str | None, str], Any] = field(default=_NOTHING)

    def __iter__(self) -> Iterator[TableSnapshot]:
        return iter(self.tables.values())

    def __len__(self) -> int:
        return len(self.tables)

    def get(self, key: TableKey) -> TableSnapshot | None:
        return self.tables.get(key)
