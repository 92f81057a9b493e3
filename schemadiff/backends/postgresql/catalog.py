"""PostgreSQL's own catalog reader for :func:`reflect_snapshot`.

SQLAlchemy's ``get_multi_*`` path already reads a schema in bulk, but it
spends most of its time in Python: one reflected dict per item, the
dialect's type parser run once per column, ``pg_get_constraintdef`` text
parsed by regular expression for every foreign key, then our own pass
turning those dicts into snapshots.  This reader asks ``pg_catalog`` for
exactly what a snapshot holds, in four set-based statements (comments,
columns, constraints, indexes; see :mod:`.catalog_sql`) plus at
most one for enums and domains, whatever the number of tables, and builds
each distinct type string once.  This module turns their rows into
snapshots.

The contract is strict equality with the generic path (``use_bulk=False``):
same tables, columns, defaults, types (by compiled form), constraints and
index options.  Where SQLAlchemy's output has a quirk (a sequence name
qualified with the reflected schema, a domain's base type stripped of its
length), this module reproduces the quirk, because the comparators and
the dialect impl were written against what SQLAlchemy reports.
"""

from __future__ import annotations

import inspect as pyinspect
import re
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlalchemy import types as sqltypes
from sqlalchemy import util as sa_util
from sqlalchemy.dialects.postgresql import DOMAIN
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.base import SchemaEventTarget
from sqlalchemy.types import TypeEngine

from schemadiff.backends.postgresql.catalog_sql import NAMED_TYPES, Features, statements_for
from schemadiff.snapshot.index_shape import option_items, sorting_suffix
from schemadiff.snapshot.model import (
    CheckSnapshot,
    ColumnSnapshot,
    ComputedSnapshot,
    ForeignKeySnapshot,
    IdentitySnapshot,
    IndexSnapshot,
    PrimaryKeySnapshot,
    TableKey,
    TableSnapshot,
    UniqueSnapshot,
    ordered,
)
from schemadiff.snapshot.reflect import _reflect_schema

#: ``pg_constraint.confupdtype`` / ``confdeltype`` codes; ``a`` (NO ACTION)
#: is the default, which SQLAlchemy leaves out of the reflected options.
_FK_ACTIONS = {"r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}

#: A serial column's default; SQLAlchemy keeps the text from ``nextval('``
#: on, qualifying an unqualified sequence name with the reflected schema.
_NEXTVAL = re.compile(r"nextval\('([^']+)('.*)$")


class _NamedTypes:
    """Enums and domains, keyed the way the dialect's type parser looks them up.

    ``(name,)`` when the type is visible on the search path, else
    ``(schema, name)``; records shaped like SQLAlchemy's ``_load_enums`` /
    ``_load_domains``.  Read with one statement, and only if some column
    has a type the dialect does not know by name.
    """

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    @cached_property
    def _records(self) -> tuple[dict[tuple[str, ...], Any], dict[tuple[str, ...], Any]]:
        enums: dict[tuple[str, ...], Any] = {}
        domains: dict[tuple[str, ...], Any] = {}
        native_enums = getattr(self._connection.dialect, "supports_native_enum", True)
        for row in self._connection.execute(NAMED_TYPES):
            kind, name, schema, visible, labels, base = row[:6]
            nullable, default, collation, collation_schema, connames, condefs = row[6:]
            key = (name,) if visible else (schema, name)
            record: dict[str, Any] = {"name": name, "schema": schema, "visible": visible}
            if kind == "e":
                if native_enums:
                    enums[key] = {**record, "labels": labels}
                continue
            # SQLAlchemy keeps only the base type's name: "character varying(30)"
            # becomes "character varying" (the domain's length is dropped).
            record["type"] = base.split("(", 1)[0]
            # A domain's CHECKs apply in name order; PostgreSQL 17 also lists
            # its NOT NULL here (contype 'n'), which is not a CHECK.  A NULL
            # definition is a constraint dropped by another session meanwhile
            # (pg_get_constraintdef reads the latest catalog, not our snapshot).
            record["constraints"] = [
                {"name": cname, "check": cdef[7:-1]}
                for cname, cdef in sorted(zip(connames, condefs, strict=True), key=lambda nc: nc[0])
                if cdef and cdef.casefold().startswith("check")
            ]
            record.update(
                nullable=nullable,
                default=default,
                collation=collation,
                collation_schema=collation_schema,
            )
            domains[key] = record
        return enums, domains

    @property
    def enums(self) -> dict[tuple[str, ...], Any]:
        return self._records[0]

    @property
    def domains(self) -> dict[tuple[str, ...], Any]:
        return self._records[1]


class _TypeBuilder:
    """``format_type`` text to a SQLAlchemy type, through the dialect's own parser.

    Thousands of columns share a few dozen type strings, so each string is
    parsed once.  Types that attach themselves to a table (ENUM, DOMAIN,
    ARRAY) are built afresh per column, as the generic path does, since
    attaching one may change it (an enum inheriting its table's schema).
    """

    def __init__(self, connection: Connection) -> None:
        self._dialect: Any = connection.dialect
        self._named = _NamedTypes(connection)
        self._cache: dict[tuple[str | None, str | None, str | None], TypeEngine[Any]] = {}

    def __call__(
        self,
        format_type: str | None,
        collation: str | None,
        collation_schema: str | None,
        column: str,
    ) -> TypeEngine[Any]:
        key = (format_type, collation, collation_schema)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        built: TypeEngine[Any] = self._dialect._reflect_type(
            format_type, self._named, f"column '{column}'", collation, collation_schema
        )
        if not isinstance(built, SchemaEventTarget) or isinstance(built, sqltypes.Boolean):
            self._cache[key] = built
        return built


def _parser_fits(dialect: Dialect) -> bool:
    """Whether this is the SQLAlchemy (2.1 on) whose parsing this module mirrors.

    Its type parser takes a named-type loader, and CHECK texts lose only
    the parentheses wrapping them whole (``strip_outer_parens``).
    """
    method = getattr(dialect, "_reflect_type", None)
    if method is None or not hasattr(sa_util, "strip_outer_parens"):
        return False
    return "named_type_loader" in pyinspect.signature(method).parameters


def reflect_postgresql(
    connection: Connection,
    schema: str | None,
    key_schema: str | None,
    names: list[str],
    default_schema: str | None,
    *,
    whole_schema: bool = False,
) -> dict[TableKey, TableSnapshot]:
    """Snapshots of ``names`` in ``schema`` in a fixed number of catalog reads."""
    dialect = connection.dialect
    if not _parser_fits(dialect):
        # An older SQLAlchemy parses types differently; equality with the
        # generic path matters more than speed, so let it do the work.
        return _reflect_schema(sa.inspect(connection), schema, key_schema, names)
    features = Features.of(dialect.server_version_info or (0,))
    statements = statements_for(features, schema is None)
    params: dict[str, Any] = {"names": list(names)}
    if schema is not None:
        params["schema"] = schema

    build_type = _TypeBuilder(connection)
    comments = {
        (table, subid): text
        for table, subid, text in connection.execute(statements.comments, params).all()
    }
    columns: dict[str, list[ColumnSnapshot]] = {}
    for row in connection.execute(statements.columns, params).all():
        table_columns = columns.setdefault(row[0], [])
        if row[2] is not None:  # a table may have no columns at all
            comment = comments.get((row[0], row[1]))
            table_columns.append(_column(row, comment, build_type, schema))

    pks: dict[str, PrimaryKeySnapshot] = {}
    uniques: dict[str, list[UniqueSnapshot]] = {}
    fks: dict[str, list[ForeignKeySnapshot]] = {}
    checks: dict[str, list[CheckSnapshot]] = {}
    for row in connection.execute(statements.constraints, params).all():
        table, name, kind, cols = row[0], row[1], row[2], tuple(row[3])
        if kind == "p":
            if cols:
                pks[table] = PrimaryKeySnapshot(name, cols)
        elif kind == "u":
            uniques.setdefault(table, []).append(UniqueSnapshot(name, cols))
        elif kind == "f":
            fks.setdefault(table, []).append(_foreign_key(row, schema, default_schema))
        else:
            checks.setdefault(table, []).append(CheckSnapshot(name, _check_text(row[13])))

    indexes: dict[str, list[IndexSnapshot]] = {}
    for row in connection.execute(statements.indexes, params).all():
        indexes.setdefault(row[0], []).append(_index(row, features.include))

    result: dict[TableKey, TableSnapshot] = {}
    for table, table_columns in columns.items():
        result[(key_schema, table)] = TableSnapshot(
            schema=key_schema,
            name=table,
            columns=tuple(table_columns),
            primary_key=pks.get(table),
            indexes=ordered(indexes.get(table)),
            uniques=ordered(uniques.get(table)),
            foreign_keys=ordered(fks.get(table)),
            checks=ordered(checks.get(table)),
            comment=comments.get((table, 0)),
        )
    return result


def _column(
    row: Any, comment: str | None, build_type: _TypeBuilder, schema: str | None
) -> ColumnSnapshot:
    """One column, with SQLAlchemy's reading of domains, serials and generation."""
    (_, _, name, format_type, default, not_null, generated) = row[:7]
    identity_seq, identity_always, collation_info = row[7:10]
    collation, collation_schema = collation_info or (None, None)
    coltype = build_type(format_type, collation, collation_schema, name)
    nullable = not not_null
    if isinstance(coltype, DOMAIN):
        # A column default overrides the domain's; NOT NULL on either side holds.
        if not default and coltype.default is not None:
            default = coltype.default
        nullable = nullable and not coltype.not_null
    computed = None
    if generated:  # "char" as text: '' unless generated; 's' stored, 'v' virtual (PG 18)
        computed = ComputedSnapshot(str(default), generated == "s")
        default = None
    identity = None
    if identity_seq is not None:
        start, increment, minvalue, maxvalue, cache, cycle = identity_seq
        identity = IdentitySnapshot(
            bool(identity_always), start, increment, minvalue, maxvalue, bool(cycle), cache
        )
    autoincrement = identity is not None
    if default is not None:
        serial = _NEXTVAL.search(default)
        if serial is not None:
            if issubclass(coltype._type_affinity or sqltypes.NullType, sqltypes.Integer):
                autoincrement = True
            sequence, rest = serial.groups()
            if "." not in sequence and schema is not None:
                # SQLAlchemy rebuilds the text from "nextval(" on, so a
                # leading "(" of "(nextval('s'))::text" is lost; kept as is.
                default = f'nextval(\'"{schema}".{sequence}{rest}'
    return ColumnSnapshot(
        name=name,
        type=coltype,
        nullable=nullable,
        server_default=None if computed or identity or default is None else default,
        comment=comment,
        autoincrement=autoincrement,
        computed=computed,
        identity=identity,
    )


def _foreign_key(row: Any, schema: str | None, default_schema: str | None) -> ForeignKeySnapshot:
    """A foreign key, its referred schema as ``pg_get_constraintdef`` would name it.

    PostgreSQL qualifies the referred table only when it is not visible on
    the search path; SQLAlchemy then falls back to the reflected schema
    when the referred table lives there.  The default schema becomes None.
    """
    (_, name, _, cols, ref_table, ref_schema, ref_visible, ref_cols) = row[:8]
    on_update, on_delete, deferrable, deferred, set_columns = row[8:13]
    if not ref_visible:
        referred_schema: str | None = ref_schema
    elif schema is not None and schema == ref_schema:
        referred_schema = schema
    else:
        referred_schema = None
    ondelete = _FK_ACTIONS.get(on_delete)
    if ondelete and set_columns:  # ON DELETE SET NULL (a, b), PostgreSQL 15
        ondelete = f"{ondelete} ({', '.join(set_columns)})"
    return ForeignKeySnapshot(
        name=name,
        columns=tuple(cols),
        referred_schema=None if referred_schema == default_schema else referred_schema,
        referred_table=ref_table,
        referred_columns=tuple(ref_cols),
        ondelete=ondelete,
        onupdate=_FK_ACTIONS.get(on_update),
        deferrable=True if deferrable else None,
        initially="DEFERRED" if deferred else None,
    )


def _check_text(definition: str) -> str:
    """``CHECK ((a > 0)) NOT VALID`` to ``a > 0``, as SQLAlchemy reports it."""
    text = definition
    for suffix in (" NOT VALID", " NO INHERIT"):  # printed as "NO INHERIT NOT VALID"
        text = text.removesuffix(suffix)
    head, _, inner = text.partition("(")
    if head.rstrip() != "CHECK" or not inner.endswith(")") or len(inner) < 2:
        sa_util.warn(f"Could not parse CHECK constraint text: {definition!r}")
        return ""  # as SQLAlchemy reports it
    return sa_util.strip_outer_parens(inner[:-1])


def _index(row: Any, include_key: bool) -> IndexSnapshot:
    """One index, with the dialect options SQLAlchemy reports for it.

    Options go through :func:`option_items`, as the generic path's do;
    key order (``indoption``: bit 1 DESC, bit 2 NULLS FIRST) becomes the
    same modifiers SQLAlchemy's ``column_sorting`` gives, and a key's own
    collation is added (SQLAlchemy does not report it).
    """
    (_, name, unique, valid, has_constraint, reloptions, access_method, predicate) = row[:8]
    nkeys, nulls_not_distinct, attnums, elements, opclasses, indoption, collations = row[8:15]
    keys, included = elements[:nkeys], elements[nkeys:]
    options: dict[str, Any] = {}
    if include_key and included:
        options["postgresql_include"] = included
    if not valid:
        options["postgresql_invalid"] = True
    if nulls_not_distinct:
        options["postgresql_nulls_not_distinct"] = True
    if opclasses:  # only when some key uses a non-default operator class
        ops = {e: op for e, op in zip(keys, opclasses, strict=False) if op is not None}
        if ops:
            options["postgresql_ops"] = ops
    if access_method != "btree":
        options["postgresql_using"] = access_method
    if predicate:
        options["postgresql_where"] = predicate
    if reloptions:
        options["postgresql_with"] = dict(o.split("=", 1) for o in reloptions)
    modifiers: tuple[str, ...] = ()
    if collations or any(indoption[:nkeys]):
        flags = [_SORT_FLAGS[o & 3] for o in indoption[:nkeys]]
        colls = list(collations or ()) + [None] * nkeys
        modifiers = tuple(
            sorting_suffix(f, c, "postgresql") for f, c in zip(flags, colls, strict=False)
        )
        if not any(modifiers):
            modifiers = ()
    source: dict[str, Any] = {"name": name, "unique": unique, "column_names": keys}
    if 0 in attnums[:nkeys]:
        source["column_names"] = [
            None if n == 0 else e for e, n in zip(keys, attnums, strict=False)
        ]
        source["expressions"] = keys
    if has_constraint:
        source["duplicates_constraint"] = name
    return IndexSnapshot(
        name=name,
        expressions=tuple(keys),
        unique=unique,
        dialect_options=option_items(options),
        where=predicate,
        modifiers=modifiers,
        source=source,
    )


#: ``pg_index.indoption`` bits 0-1 (DESC, NULLS FIRST) as SQLAlchemy's flags.
_SORT_FLAGS: dict[int, tuple[str, ...]] = {
    0: (),
    1: ("desc", "nulls_last"),
    2: ("nulls_first",),
    3: ("desc",),
}
