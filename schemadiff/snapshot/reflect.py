"""Build a SchemaSnapshot from a live database in a few bulk reads.

SQLAlchemy 2's ``Inspector.get_multi_*`` calls reflect every table of a
schema per call, so the cost is a fixed number of catalog queries per
schema instead of a handful per table.  Names are filtered *before*
reflection (``include_name``) so excluded tables cost nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Inspector

from schemadiff.plugins import default_registries
from schemadiff.snapshot.index_shape import option_items, sorting_suffix
from schemadiff.snapshot.model import (
    CheckSnapshot,
    ColumnSnapshot,
    ComputedSnapshot,
    ForeignKeySnapshot,
    IdentitySnapshot,
    IndexSnapshot,
    PrimaryKeySnapshot,
    SchemaSnapshot,
    TableKey,
    TableSnapshot,
    UniqueSnapshot,
    ordered,
)

NameFilter = Callable[[str, str | None], bool]
"""``(table_name, schema) -> keep?``; applied before any per-table read."""


def reflect_snapshot(
    connection: Connection,
    *,
    schemas: Sequence[str | None] = (None,),
    include_table_name: NameFilter | None = None,
    exclude_tables: Sequence[TableKey] = (),
    use_bulk: bool = True,
    known_schemas: Sequence[str] | None = None,
) -> SchemaSnapshot:
    """Reflect the named schemas; ``use_bulk=False`` forces the generic path.

    ``known_schemas``: every schema the database has, where the caller
    listed them (with ``include_schemas``), so a schema the model needs can
    be told missing.
    """

    backend = default_registries().backend(connection.dialect.name)
    inspector = inspect(connection)
    default_schema = inspector.default_schema_name
    excluded = set(exclude_tables)
    tables: dict[TableKey, TableSnapshot] = {}
    for schema in schemas:
        key_schema = None if schema == default_schema else schema
        listed = inspector.get_table_names(schema=schema)
        names = [
            n
            for n in listed
            if (key_schema, n) not in excluded
            and (include_table_name is None or include_table_name(n, key_schema))
        ]
        if not names:
            continue
        bulk = backend.reflectors.get(connection.dialect.name) if use_bulk else None
        if bulk is not None:
            # Nine in ten tables or more: reading the whole schema and dropping
            # the rest costs less than having the server filter by name.
            whole = len(names) * 10 >= len(listed) * 9
            tables.update(
                bulk(connection, schema, key_schema, names, default_schema, whole_schema=whole)
            )
        else:
            tables.update(_reflect_schema(inspector, schema, key_schema, names))
    reader = backend.object_readers.get(connection.dialect.name)
    enums, sequences = reader(connection, schemas, default_schema) if reader else ({}, {})
    return SchemaSnapshot(
        tables,
        default_schema,
        enums,
        sequences,
        frozenset(known_schemas) if known_schemas is not None else None,
        tuple(None if s == default_schema else s for s in schemas),
    )


BulkReflector = Callable[..., dict[TableKey, TableSnapshot]]
"""``(connection, schema, key_schema, table_names, default_schema, *, whole_schema)
-> snapshots``.

``whole_schema`` says that ``table_names`` are (nearly) all of the schema's
tables, so a reader may read the whole schema unfiltered and drop the rest.

A backend's own set-based catalog reader: a fixed number of queries for
any number of tables, producing exactly what the generic path
(``_reflect_schema``, SQLAlchemy's ``get_multi_*``) produces.
"""


def reflect_table(connection: Connection, name: str, schema: str | None) -> TableSnapshot | None:
    """One table, as a batch rebuild needs it: what a comparison reads, plus
    its dialect options (and, where the reader is ``detailed``, what else the
    backend keeps: SQLite's triggers, expression indexes, AUTOINCREMENT).

    None when the table does not exist.
    """
    dialect = connection.dialect.name
    backend = default_registries().backend(dialect)
    detailed = backend.get("detailed_reflector", dialect)
    inspector = inspect(connection)
    default_schema = inspector.default_schema_name
    if not inspector.has_table(name, schema=schema):
        return None
    key_schema = None if schema == default_schema else schema
    bulk = backend.reflectors.get(dialect)
    found: dict[TableKey, TableSnapshot]
    if detailed is not None:
        found = detailed(connection, schema, key_schema, [name], default_schema, detailed=True)
    elif bulk is not None:
        found = bulk(connection, schema, key_schema, [name], default_schema, whole_schema=False)
    else:
        found = _reflect_schema(inspector, schema, key_schema, [name])
    snap: TableSnapshot | None = found.get((key_schema, name))
    if snap is None or detailed is not None:
        return snap
    options = _optional_options(inspector, name, schema)
    return dataclasses.replace(snap, options=tuple(sorted(options.items())))


def _reflect_schema(
    inspector: Inspector, schema: str | None, key_schema: str | None, names: list[str]
) -> dict[TableKey, TableSnapshot]:
    kw: dict[str, Any] = {"schema": schema, "filter_names": names}
    columns = inspector.get_multi_columns(**kw)
    pks = inspector.get_multi_pk_constraint(**kw)
    fks = inspector.get_multi_foreign_keys(**kw)
    indexes = inspector.get_multi_indexes(**kw)
    uniques = _optional(inspector.get_multi_unique_constraints, kw)
    checks = _optional(inspector.get_multi_check_constraints, kw)
    comments = _optional(inspector.get_multi_table_comment, kw)
    dialect = inspector.dialect.name
    result: dict[TableKey, TableSnapshot] = {}
    for (_, name), cols in columns.items():
        rkey = (schema, name)
        table = TableSnapshot(
            schema=key_schema,
            name=name,
            columns=tuple(_column(c) for c in cols),
            primary_key=_pk(pks.get(rkey)),
            indexes=ordered(_index(i, dialect) for i in indexes.get(rkey, [])),
            uniques=ordered(
                UniqueSnapshot(u["name"], tuple(u["column_names"])) for u in uniques.get(rkey, [])
            ),
            foreign_keys=ordered(_fk(f, inspector.default_schema_name) for f in fks.get(rkey, [])),
            checks=ordered(CheckSnapshot(c["name"], c["sqltext"]) for c in checks.get(rkey, [])),
            comment=(comments.get(rkey) or {}).get("text"),
        )
        result[(key_schema, name)] = table
    return result


def _optional_options(inspector: Inspector, name: str, schema: str | None) -> dict[str, Any]:
    try:
        return dict(inspector.get_table_options(name, schema=schema))
    except NotImplementedError:
        return {}


def _optional(method: Callable[..., Any], kw: dict[str, Any]) -> dict[Any, Any]:
    """Some dialects do not implement every reflection method."""
    try:
        return dict(method(**kw))
    except NotImplementedError:
        return {}


def _column(c: Mapping[str, Any]) -> ColumnSnapshot:
    computed = None
    if c.get("computed"):
        computed = ComputedSnapshot(str(c["computed"]["sqltext"]), c["computed"].get("persisted"))
    identity = None
    if c.get("identity"):
        ident = c["identity"]
        identity = IdentitySnapshot(
            bool(ident.get("always")),
            ident.get("start"),
            ident.get("increment"),
            ident.get("minvalue"),
            ident.get("maxvalue"),
            ident.get("cycle"),
            ident.get("cache"),
        )
    default = c.get("default")
    return ColumnSnapshot(
        name=c["name"],
        type=c["type"],
        nullable=bool(c["nullable"]),
        server_default=None if computed or identity or default is None else str(default),
        comment=c.get("comment"),
        autoincrement=c.get("autoincrement", "auto"),
        computed=computed,
        identity=identity,
    )


def _pk(pk: Mapping[str, Any] | None) -> PrimaryKeySnapshot | None:
    if not pk or not pk.get("constrained_columns"):
        return None
    return PrimaryKeySnapshot(pk.get("name"), tuple(pk["constrained_columns"]))


def _index(ix: Mapping[str, Any], dialect: str = "") -> IndexSnapshot:
    exprs = ix.get("expressions")
    names = ix.get("column_names") or []
    if exprs:
        expressions = tuple(str(e) for e in exprs)
    else:
        expressions = tuple(str(n) for n in names)
    options = ix.get("dialect_options") or {}
    where = options.get("postgresql_where") or options.get("sqlite_where")
    sorting = ix.get("column_sorting") or {}
    modifiers: tuple[str, ...] = ()
    if sorting:
        modifiers = tuple(sorting_suffix(sorting.get(e, ()), None, dialect) for e in expressions)
        if not any(modifiers):
            modifiers = ()
    return IndexSnapshot(
        name=ix["name"],
        expressions=expressions,
        unique=bool(ix.get("unique")),
        dialect_options=option_items(options),
        where=str(where) if where is not None else None,
        modifiers=modifiers,
        source=ix,
    )


def _fk(fk: Mapping[str, Any], default_schema: str | None) -> ForeignKeySnapshot:
    options = fk.get("options") or {}
    referred_schema = fk.get("referred_schema")
    if referred_schema == default_schema:
        referred_schema = None
    return ForeignKeySnapshot(
        name=fk.get("name"),
        columns=tuple(fk["constrained_columns"]),
        referred_schema=referred_schema,
        referred_table=fk["referred_table"],
        referred_columns=tuple(fk["referred_columns"]),
        ondelete=options.get("ondelete"),
        onupdate=options.get("onupdate"),
        deferrable=options.get("deferrable"),
        initially=options.get("initially"),
    )
