"""Entities as snapshots, and the registry that makes an entity kind a plugin.

An entity kind (view, function, ...) is four things: how a declaration
becomes a snapshot, how the database's are read (one reader per backend may
serve several kinds, in a fixed number of catalog queries), how a declared
definition is put in the server's own words to compare it, and which
operations create, replace and drop one.  Built-in kinds register through
the same ``EntityRegistry`` a plugin's ``setup(registries)`` gets.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection, Dialect

from schemadiff.ops.base import MigrateOperation
from schemadiff.snapshot.model import snapshot

EntityKey = tuple[str, str | None, str]
#: what a view reads: ``(schema, relation, column)``; column None for the whole relation
Dependency = tuple[str | None, str, str | None]


@snapshot
class EntitySnapshot:
    """One entity on one side of a comparison.

    ``definition`` is the text it is created from (a view's SELECT, a
    function's or trigger's whole DDL); ``canonical`` the form compared,
    whitespace folded, or the server's own rewriting where it was asked.
    ``depends_on`` is read from the catalog (database side only).
    """

    kind: str
    schema: str | None
    name: str
    definition: str = field(compare=False)
    canonical: str = ""
    table: str | None = None
    with_data: bool = field(default=True, compare=False)
    depends_on: tuple[Dependency, ...] = field(default=(), compare=False)
    source: Any = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> EntityKey:
        return (
            self.kind,
            self.schema,
            self.name if self.table is None else f"{self.table}.{self.name}",
        )

    @property
    def fullname(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


def folded(text: str) -> str:
    """Whitespace runs as one space, no trailing semicolon: spelling that never counts."""
    return re.sub(r"\s+", " ", text).strip().rstrip(";").strip()


Reader = Callable[[Connection, Sequence[str | None], str | None], Iterable[EntitySnapshot]]
"""``(connection, schemas, default_schema) -> entities`` of the compared schemas."""

Canonicalizer = Callable[
    [Connection, Sequence[tuple[EntitySnapshot, EntitySnapshot]]],
    Mapping[EntityKey, str | None],
]
"""``(connection, [(declared, found), ...]) -> {key: declared's canonical form}``.

Called once per comparison with every pair whose texts differ, so a server
round trip can serve them all; None (or no entry) for one the server
would not take."""

Builder = Callable[[Any, Dialect, str | None], EntitySnapshot]
"""A declaration to its snapshot, for the target dialect (schema None: the default one)."""

OpFactory = Callable[..., MigrateOperation]


@dataclass
class EntityKind:
    """One kind of entity and its operations.

    ``before_tables`` kinds (functions, extensions) are created before the
    table operations and dropped after them; the others (views, triggers)
    the other way round, since they read or sit on tables.  ``order`` ranks
    kinds on the same side: lower is created first and dropped last.
    ``create(found, **kw)`` / ``drop(found, **kw)`` build operations;
    ``replace(new, old)`` one that changes it in place, or None when a
    change is a drop and a create.  ``reflected(found)`` is the object
    ``include_object`` sees for a database-only entity.
    """

    name: str
    build: Builder
    create: OpFactory
    drop: OpFactory
    replace: Callable[[EntitySnapshot, EntitySnapshot], MigrateOperation] | None = None
    before_tables: bool = False
    order: int = 50
    reflected: Callable[[EntitySnapshot], Any] | None = None
    #: backends where the kind exists (empty: every backend)
    dialects: frozenset[str] = frozenset()


@dataclass
class EntityRegistry:
    kinds: dict[str, EntityKind] = field(default_factory=dict)
    #: readers by dialect name; a ``"module:function"`` string is imported on first use
    readers: dict[str, list[Reader | str]] = field(default_factory=dict)
    canonicalizers: dict[tuple[str, str], Canonicalizer | str] = field(default_factory=dict)

    def register_kind(self, kind: EntityKind) -> None:
        self.kinds[kind.name] = kind

    def register_reader(self, dialect_name: str, reader: Reader | str) -> None:
        self.readers.setdefault(dialect_name, []).append(reader)

    def register_canonicalizer(
        self, kind: str, dialect_name: str, canonicalizer: Canonicalizer | str
    ) -> None:
        self.canonicalizers[(kind, dialect_name)] = canonicalizer

    def canonicalizer(self, kind: str, dialect_name: str) -> Canonicalizer | None:
        found = self.canonicalizers.get((kind, _family(dialect_name)))
        return _load(found) if found is not None else None

    def read(
        self, connection: Connection, schemas: Sequence[str | None], default_schema: str | None
    ) -> dict[EntityKey, EntitySnapshot]:
        """The database's entities of every registered kind (none where nothing reads them)."""
        out: dict[EntityKey, EntitySnapshot] = {}
        for reader in self.readers.get(_family(connection.dialect.name), []):
            for found in _load(reader)(connection, schemas, default_schema):
                if found.kind in self.kinds:
                    out[found.key] = found
        return out

    def from_model(
        self,
        declared: Iterable[Any],
        dialect: Dialect,
        default_schema: str | None,
        keep: Callable[[str | None], bool],
    ) -> dict[EntityKey, EntitySnapshot]:
        """Snapshots of the declared entities the backend has, in a compared schema."""
        out: dict[EntityKey, EntitySnapshot] = {}
        for item in declared:
            kind = self.kinds.get(getattr(item, "kind", ""))
            if kind is None:
                continue
            if kind.dialects and _family(dialect.name) not in kind.dialects:
                continue
            snap = kind.build(item, dialect, default_schema)
            if keep(snap.schema):
                out[snap.key] = snap
        return out

    def copy(self) -> EntityRegistry:
        return EntityRegistry(
            dict(self.kinds),
            {k: list(v) for k, v in self.readers.items()},
            dict(self.canonicalizers),
        )


def _family(dialect_name: str) -> str:
    return "mysql" if dialect_name == "mariadb" else dialect_name


def _load(target: Any) -> Any:
    if not isinstance(target, str):
        return target
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def key_schema(schema: str | None, default_schema: str | None) -> str | None:
    return None if schema == default_schema else schema


def relations_read(
    select: str, sqlglot_dialect: str, schema: str, default_schema: str | None
) -> tuple[Dependency, ...]:
    """The relations a view's stored SELECT names, parsed (whole relations: which
    columns a view reads is not known from the text); none when it does not parse.
    For backends whose catalog does not record a view's dependencies."""
    # here: only a database that has views pays for importing sqlglot
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(select, read=sqlglot_dialect)
    except sqlglot.errors.SqlglotError:
        return ()
    found = {
        (key_schema(t.db or schema, default_schema), t.name, None) for t in tree.find_all(exp.Table)
    }
    return tuple(sorted(found, key=str))
