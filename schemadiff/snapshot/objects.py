"""Schema objects that are not tables: named enum types, sequences, schemas.

They live beside the tables in a ``SchemaSnapshot`` (``enums``,
``sequences``, ``schemas``) because their lifecycle is not a table's: an
enum is created once before the first column that uses it, whichever table
or schema that column is in, and dropped after the last one goes; a
sequence exists before any table whose column draws from it.

The model side is read here from ``MetaData``; the database side by a
reader each backend registers (``register_object_reader``), since the
catalogs have nothing in common.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import field
from typing import Any

from sqlalchemy import Enum, MetaData, Table
from sqlalchemy import Sequence as SASequence
from sqlalchemy.engine import Connection, Dialect

from schemadiff.snapshot.model import snapshot

ObjectKey = tuple[str | None, str]
#: ``(schema, table, column)`` of a column using a type; schema None is the default one
ColumnRef = tuple[str | None, str, str]


@snapshot
class EnumSnapshot:
    """A named enum type (PostgreSQL's ``CREATE TYPE ... AS ENUM``).

    ``used_by`` lists the database's columns of this type (arrays of it
    included); it says whether dropping the model's last use of the type
    may drop the type too, and which columns a recreated type must be cast
    on.  It is not part of equality: two enums are the same type when their
    names and labels (in order) are.
    """

    schema: str | None
    name: str
    labels: tuple[str, ...]
    used_by: tuple[ColumnRef, ...] = field(default=(), compare=False)
    source: Any = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> ObjectKey:
        return (self.schema, self.name)


@snapshot
class SequenceSnapshot:
    """A standalone sequence, with its options as given (None: left to the database).

    Reflection reports every option; a model leaves out what it lets the
    database pick, so comparison goes through the dialect's
    ``sequence_signature``, which knows those defaults.  ``data_type`` is
    the SQL type text (PostgreSQL's ``AS``), upper case.
    """

    schema: str | None
    name: str
    start: int | None = None
    increment: int | None = None
    minvalue: int | None = None
    maxvalue: int | None = None
    cycle: bool | None = None
    cache: int | None = None
    data_type: str | None = None
    source: Any = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> ObjectKey:
        return (self.schema, self.name)


# -- the model side ------------------------------------------------------------------
def is_named_enum(type_: Any, dialect: Dialect) -> Any:
    """The dialect's form of ``type_`` when it is an enum that is a type of its own.

    PostgreSQL turns a native ``sa.Enum(name=...)`` into a named type
    (SQLAlchemy's ``NamedType``); MySQL's ENUM is inline in the column and
    SQLite has none, so there nothing is an object.  None otherwise.
    """
    if not isinstance(type_, Enum):
        return None
    from sqlalchemy.dialects.postgresql.named_types import NamedType

    native: Any = type_.dialect_impl(dialect)
    if isinstance(native, NamedType) and getattr(native, "native_enum", True):
        return native if getattr(native, "name", None) else None
    return None


def _key_schema(schema: str | None, default_schema: str | None) -> str | None:
    return None if schema == default_schema else schema


def model_enums(
    tables: Iterable[Table], dialect: Dialect, default_schema: str | None
) -> dict[ObjectKey, EnumSnapshot]:
    """Every named enum a model column uses (arrays of one included), once each."""
    found: dict[ObjectKey, EnumSnapshot] = {}
    for table in tables:
        for column in table.columns:
            type_ = column.type
            item_type = getattr(type_, "item_type", None)
            given = item_type if item_type is not None else type_
            native = is_named_enum(given, dialect)
            if native is None:
                continue
            schema = _key_schema(native.schema, default_schema)
            key = (schema, str(native.name))
            user: ColumnRef = (_key_schema(table.schema, default_schema), table.name, column.name)
            known = found.get(key)
            if known is None:
                # the user's own type object, as hooks and renderers want it
                found[key] = EnumSnapshot(
                    schema, str(native.name), tuple(native.enums), (user,), given
                )
            else:
                found[key] = EnumSnapshot(
                    schema, known.name, known.labels, (*known.used_by, user), known.source
                )
    return found


def model_sequences(
    metadatas: Sequence[MetaData], dialect: Dialect, default_schema: str | None
) -> dict[ObjectKey, SequenceSnapshot]:
    """The model's sequences: declared with ``metadata=`` or on a column.

    SQLAlchemy registers both kinds with the MetaData.  Nothing where the
    backend has no sequences, and an ``optional=True`` sequence only where
    the backend has no other way to number rows (not on PostgreSQL).
    """
    if not getattr(dialect, "supports_sequences", False):
        return {}
    found: dict[ObjectKey, SequenceSnapshot] = {}
    for md in metadatas:
        for seq in md._sequences.values():
            if seq.optional and getattr(dialect, "sequences_optional", False):
                continue
            snap = sequence_snapshot(seq, dialect, default_schema)
            found[snap.key] = snap
    return found


def sequence_snapshot(
    seq: SASequence, dialect: Dialect, default_schema: str | None
) -> SequenceSnapshot:
    data_type = None
    if seq.data_type is not None:
        data_type = str(seq.data_type.compile(dialect=dialect)).upper()
    return SequenceSnapshot(
        _key_schema(seq.schema, default_schema),
        str(seq.name),
        seq.start,
        seq.increment,
        seq.minvalue,
        seq.maxvalue,
        seq.cycle,
        seq.cache,
        data_type,
        seq,
    )


def model_schemas(
    tables: Iterable[Table],
    enums: Iterable[EnumSnapshot],
    sequences: Iterable[SequenceSnapshot],
) -> frozenset[str]:
    """Schemas the model puts something in, the default one aside."""
    names = {t.schema for t in tables if t.schema}
    names.update(e.schema for e in enums if e.schema)
    names.update(s.schema for s in sequences if s.schema)
    return frozenset(n for n in names if n)


# -- the database side ----------------------------------------------------------------
ObjectReader = Callable[
    [Connection, Sequence[str | None], str | None],
    tuple[dict[ObjectKey, EnumSnapshot], dict[ObjectKey, SequenceSnapshot]],
]
"""``(connection, schemas, default_schema) -> (enums, sequences)``.

``schemas`` are those compared (None: the default one).  Enums are read
from every schema, since a compared table may use one from elsewhere;
sequences from the compared schemas.  A fixed number of catalog queries.
"""
