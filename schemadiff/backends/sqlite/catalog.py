"""A set-based catalog reader for SQLite.

SQLAlchemy's SQLite dialect reflects one table at a time (several PRAGMAs
and a ``sqlite_master`` read each: 12,000 statements for 1,000 tables).
From SQLite 3.16 every PRAGMA is also a table-valued function, so joining
``pragma_table_xinfo(m.name, schema)`` and its siblings against
``sqlite_master`` reads the columns, indexes and foreign keys of *all*
tables in one statement each: four statements per schema whatever its size
(one more when a key's implicit parent lies outside the reflected tables).
What the PRAGMAs do not report (constraint names, CHECKs, unique
constraints, key options, generation expressions, partial-index predicates)
comes from the stored DDL, read by :mod:`.ddl_parser`.

The contract: the result equals the generic path (SQLAlchemy's per-table
reflection) field by field, so that switching readers never changes a diff.
SQLAlchemy reads the DDL with regular expressions that understand only some
spellings; the "SQLAlchemy parity" helpers (:mod:`.catalog_parity`)
keep, from an exact parse, what those expressions find.  Where SQLAlchemy's
answer comes from text matched by accident (inside strings or comments, or
another column's name), we report the parse instead.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import exc, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.sql.base import SchemaEventTarget
from sqlalchemy.types import TypeEngine

from schemadiff.backends.sqlite import ddl_parser as ddl
from schemadiff.backends.sqlite.catalog_parity import (
    sa_checks,
    sa_generation_expression,
    sa_name,
    sa_partial_predicate,
    sa_readable_foreign_keys,
    sa_uniques,
)
from schemadiff.backends.sqlite.table_detail import detailed_table
from schemadiff.snapshot.model import (
    ColumnSnapshot,
    ComputedSnapshot,
    ForeignKeySnapshot,
    IndexSnapshot,
    PrimaryKeySnapshot,
    TableKey,
    TableSnapshot,
    ordered,
)
from schemadiff.snapshot.reflect import _reflect_schema

__all__ = ["reflect_sqlite_tables"]

Row = Sequence[Any]

#: Table-valued PRAGMA functions (``pragma_table_info(...)``) exist from SQLite 3.16.
_MIN_VERSION = (3, 16)
#: SQLAlchemy reads generated columns through ``table_xinfo`` from SQLite 3.31
#: (when generated columns arrived); before that, ``table_info``.
_XINFO_VERSION = (3, 31)

_AUTOINDEX_PREFIX = "sqlite_autoindex"
_PRAGMA_ORDER = itemgetter(0, 1)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def reflect_sqlite_tables(
    connection: Connection,
    schema: str | None,
    key_schema: str | None,
    table_names: list[str],
    default_schema: str | None,
    *,
    whole_schema: bool = False,
    detailed: bool = False,
) -> dict[TableKey, TableSnapshot]:
    """Snapshot ``table_names`` of one SQLite database (``main`` or attached).

    ``detailed``: also what a table rebuild must keep and SQLAlchemy does not
    report (``backends.sqlite.table_detail``); one statement more.
    """
    dialect = connection.dialect
    version = tuple(dialect.server_version_info or ())
    if version < _MIN_VERSION or not hasattr(dialect, "_resolve_type_affinity"):
        if detailed:
            raise NotImplementedError("SQLite before 3.16 has no table-valued PRAGMAs")
        return _reflect_schema(inspect(connection), schema, key_schema, table_names)
    catalog = _Catalog(connection, schema, table_names, version >= _XINFO_VERSION)
    if detailed:
        catalog.read_stored(table_names)
    referred_schema = None if schema == default_schema else schema
    return {
        (key_schema, name): _table(catalog, name, key_schema, referred_schema)
        for name in table_names
        if name in catalog.columns
    }


class _Catalog:
    """Everything the PRAGMAs and ``sqlite_master`` say, read in bulk and grouped by table."""

    def __init__(
        self, connection: Connection, schema: str | None, names: list[str], xinfo: bool
    ) -> None:
        self.connection = connection
        self.dialect: Any = connection.dialect
        quote = self.dialect.identifier_preparer.quote_identifier
        self.pragma_schema = schema or "main"
        self.master = f"{quote(schema)}.sqlite_master" if schema else "main.sqlite_master"
        self.table_sql: dict[str, str | None] = {}
        self.index_sql: dict[str, str | None] = {}
        self.all_tables: dict[str, str] = {}  # ASCII-lowered name -> name
        for type_, name, sql in self._run(
            f"SELECT type, name, sql FROM {self.master} WHERE type IN ('table', 'index')", ()
        ):
            if type_ == "table":
                self.table_sql[name] = sql
                self.all_tables[name.translate(_ASCII_LOWER)] = name
            else:
                self.index_sql[name] = sql
        self._types: dict[str, TypeEngine[Any]] = {}
        self.shared_columns: dict[tuple[Any, ...], ColumnSnapshot] = {}
        wanted = [n for n in names if n in self.table_sql]
        # hidden: 0 plain, 1 hidden (virtual tables), 2 generated virtual, 3 generated stored
        pragma, hidden = ("pragma_table_xinfo", "p.hidden") if xinfo else ("pragma_table_info", 0)
        self.columns = self._group(
            f'SELECT m.name, p.cid, p.name, p.type, p."notnull", p.dflt_value, p.pk, {hidden} '
            f"FROM {self.master} AS m JOIN {pragma}(m.name, ?) AS p",
            (self.pragma_schema,),
            wanted,
        )
        self.indexes = self._group(
            'SELECT m.name, il.seq, ii.seqno, il.name, il."unique", il.partial, ii.name '
            f"FROM {self.master} AS m JOIN pragma_index_list(m.name, ?) AS il "
            "JOIN pragma_index_info(il.name, ?) AS ii",
            (self.pragma_schema, self.pragma_schema),
            wanted,
        )
        self.foreign_keys = self._group(
            'SELECT m.name, f.id, f.seq, f."table", f."from", f."to" '
            f"FROM {self.master} AS m JOIN pragma_foreign_key_list(m.name, ?) AS f",
            (self.pragma_schema,),
            wanted,
        )
        self._outside_keys = self._read_outside_keys()
        self.stored: dict[str, list[tuple[str, str, str]]] | None = None

    def read_stored(self, names: list[str]) -> None:
        """The indexes' and triggers' own SQL text, by table (``detailed`` reads)."""
        self.stored = defaultdict(list)
        wanted = set(names)
        for type_, name, table, sql in self._run(
            f"SELECT type, name, tbl_name, sql FROM {self.master} "
            "WHERE type IN ('index', 'trigger') AND sql IS NOT NULL",
            (),
        ):
            if table in wanted:
                self.stored[table].append((type_, name, sql))

    def _run(self, sql: str, params: tuple[Any, ...]) -> list[Row]:
        return list(self.connection.exec_driver_sql(sql, params).fetchall())

    def _group(
        self, select: str, params: tuple[Any, ...], names: list[str]
    ) -> dict[str, list[Row]]:
        """Run ``select`` over the wanted tables; rows grouped by table, in PRAGMA order.

        Each SELECT lists the table name first, then the PRAGMA's ordering
        columns (cid; seq, seqno; id, seq), so sorting restores that order.
        """
        if not names:
            return {}
        sql = f"{select} WHERE m.type = 'table'"
        rows: list[Row] | None = None
        user_tables = [n for n in self.table_sql if not n.lower().startswith("sqlite_")]
        if len(names) < len(user_tables):
            try:
                rows = self._run(
                    f"{sql} AND m.name IN (SELECT value FROM json_each(?))",
                    (*params, json.dumps(names)),
                )
            except exc.OperationalError:
                pass  # no JSON1 (built in only from SQLite 3.38): filter below instead
        if rows is None:
            rows = self._run(f"{sql} AND m.name NOT LIKE 'sqlite~_%' ESCAPE '~'", params)
        wanted = set(names)
        grouped: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            if row[0] in wanted:
                grouped[row[0]].append(row[1:])
        for table_rows in grouped.values():
            table_rows.sort(key=_PRAGMA_ORDER)
        return grouped

    def primary_key_of(self, table: str) -> list[str]:
        """PK columns of a referred table, found case-insensitively as SQLite does.

        SQLAlchemy reports no columns for a parent that does not exist.
        """
        real = self.all_tables.get(table.translate(_ASCII_LOWER), "")
        if real in self.columns:
            return [r[1] for r in sorted(self.columns[real], key=lambda r: r[5]) if r[5] > 0]
        return self._outside_keys.get(real, [])

    def _read_outside_keys(self) -> dict[str, list[str]]:
        """PKs of parents outside the reflected tables that keys refer to implicitly."""
        implicit = {
            self.all_tables.get(row[2].translate(_ASCII_LOWER), "")
            for rows in self.foreign_keys.values()
            for row in rows
            if not row[4]
        }
        outside = sorted(n for n in implicit if n and n not in self.columns)
        rows = self._group(
            f"SELECT m.name, p.pk, p.name FROM {self.master} AS m "
            "JOIN pragma_table_info(m.name, ?) AS p",
            (self.pragma_schema,),
            outside,
        )
        return {name: [r[1] for r in rows.get(name, []) if r[0] > 0] for name in outside}

    def resolve_type(self, declared: str) -> TypeEngine[Any]:
        """Declared type string -> SQLAlchemy type, by the dialect's affinity rules.

        Resolution is pure in the string and a schema repeats a handful of
        type strings, so results are shared within one read -- except
        schema types (BOOLEAN), which attach themselves to the column they
        are given and so must not be shared.
        """
        found = self._types.get(declared)
        if found is None:
            found = cast("TypeEngine[Any]", self.dialect._resolve_type_affinity(declared))
            if isinstance(found, SchemaEventTarget):
                return found
            self._types[declared] = found
        return found


def _table(
    catalog: _Catalog, name: str, key_schema: str | None, referred_schema: str | None
) -> TableSnapshot:
    sql = catalog.table_sql.get(name)
    parsed = ddl.parse_create_table(sql) if sql else None
    column_rows = [r for r in catalog.columns[name] if r[6] != 1]
    pk_rows = sorted((r[5], r[1]) for r in column_rows if r[5] > 0)
    primary_key = None
    if pk_rows:
        pk = [c for c in parsed.all_constraints() if c.kind == "primary_key"] if parsed else []
        primary_key = PrimaryKeySnapshot(
            sa_name(parsed, pk[0], any_quote=False) if parsed and pk else None,
            tuple(n for _, n in pk_rows),
        )
    indexes, autoindexes = _indexes(catalog, catalog.indexes.get(name, []))
    every_autoindex = set(autoindexes) if catalog.stored is not None else autoindexes
    fk_rows = catalog.foreign_keys.get(name, [])
    snap = TableSnapshot(
        schema=key_schema,
        name=name,
        columns=tuple([_column(catalog, row, parsed) for row in column_rows]),
        primary_key=primary_key,
        indexes=ordered(indexes),
        uniques=ordered(sa_uniques(parsed, autoindexes)),
        foreign_keys=ordered(_foreign_keys(catalog, parsed, fk_rows, referred_schema)),
        checks=ordered(sa_checks(parsed)),
    )
    if catalog.stored is None:
        return snap
    return detailed_table(snap, parsed, every_autoindex, catalog.stored.get(name, []))


def _column(catalog: _Catalog, row: Row, parsed: ddl.TableDef | None) -> ColumnSnapshot:
    """A column's snapshot; equal plain columns of different tables share one.

    Snapshots are immutable, so the thousand ``id INTEGER NOT NULL`` of a
    large schema need one instance, as they share one type.  Generated
    columns (their expression comes from the table's DDL) and columns of a
    type that binds to its table (BOOLEAN) get their own.
    """
    _, name, declared, notnull, default, _, hidden = row
    key = cast(tuple[Any, ...], row[1:])  # a Row's slice is a plain tuple
    shared = catalog.shared_columns.get(key)
    if shared is not None:
        return shared
    column = _new_column(catalog, name, declared, notnull, default, hidden, parsed)
    if column.computed is None and not isinstance(column.type, SchemaEventTarget):
        catalog.shared_columns[key] = column
    return column


def _new_column(
    catalog: _Catalog,
    name: str,
    declared: str,
    notnull: int,
    default: str | None,
    hidden: int,
    parsed: ddl.TableDef | None,
) -> ColumnSnapshot:
    declared = declared.upper()
    computed = None
    if hidden in (2, 3):
        # Some SQLite releases after 3.31 (generated columns) report the type
        # run on into "GENERATED ALWAYS"; SQLAlchemy removes both words.
        declared = declared.replace("GENERATED", "").replace("ALWAYS", "").strip()
        computed = ComputedSnapshot(sa_generation_expression(parsed, name), hidden == 3)
    return ColumnSnapshot(
        name=name,
        type=catalog.resolve_type(declared),
        nullable=not notnull,
        server_default=None if computed is not None or default is None else str(default),
        computed=computed,
    )


def _indexes(
    catalog: _Catalog, rows: list[Row]
) -> tuple[list[IndexSnapshot], set[tuple[str, ...]]]:
    """Named indexes, and the column signatures of SQLite's automatic ones.

    An index on an expression (SQLite >= 3.9) has a NULL column name in
    ``index_info``; SQLAlchemy 2.x skips such indexes, and so do we.
    """
    by_index: dict[str, list[Row]] = defaultdict(list)
    for row in rows:  # (seq, seqno, name, unique, partial, column name)
        by_index[row[2]].append(row)
    indexes: list[IndexSnapshot] = []
    autoindexes: set[tuple[str, ...]] = set()
    for index_name, index_rows in by_index.items():
        columns = tuple(r[5] for r in index_rows)
        if any(c is None for c in columns):
            continue
        if index_name.startswith(_AUTOINDEX_PREFIX):
            autoindexes.add(columns)
            continue
        _, _, _, unique, partial, _ = index_rows[0]
        where = sa_partial_predicate(catalog.index_sql.get(index_name)) if partial else None
        options = (("sqlite_where", where),) if where is not None else ()
        indexes.append(IndexSnapshot(index_name, columns, bool(unique), options, where))
    return indexes, autoindexes


def _foreign_keys(
    catalog: _Catalog,
    parsed: ddl.TableDef | None,
    rows: list[Row],
    referred_schema: str | None,
) -> list[ForeignKeySnapshot]:
    """Keys from ``foreign_key_list``; names and options from the DDL, matched by signature.

    SQLAlchemy parity: the PRAGMA's own ON DELETE / ON UPDATE columns are
    not used; a key whose DDL SQLAlchemy cannot read is reported unnamed and
    without options, and keys with equal signatures collapse into one.
    """
    keys: dict[int, tuple[list[str], str, list[str]]] = {}
    for key_id, _, referred, local, remote in rows:
        if key_id not in keys:
            keys[key_id] = ([], referred, [] if remote else list(catalog.primary_key_of(referred)))
        keys[key_id][0].append(local)
        if remote:
            keys[key_id][2].append(remote)
    by_signature = {(tuple(k[0]), k[1], tuple(k[2])): k for k in keys.values()}
    found: list[ForeignKeySnapshot] = []

    def snapshot(sig: tuple[tuple[str, ...], str, tuple[str, ...]], name: str | None,
                 options: dict[str, Any]) -> ForeignKeySnapshot:  # fmt: skip
        return ForeignKeySnapshot(
            name, sig[0], referred_schema, sig[1], sig[2],
            options.get("ondelete"), options.get("onupdate"),
            options.get("deferrable"), options.get("initially"),
        )  # fmt: skip

    for sig, name, options in sa_readable_foreign_keys(parsed):
        if sig in by_signature:
            del by_signature[sig]
            found.append(snapshot(sig, name, options))
    found.extend(snapshot(sig, None, {}) for sig in by_signature)
    return found
