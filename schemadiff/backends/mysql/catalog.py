"""MySQL's and MariaDB's own catalog reader for :func:`reflect_snapshot`.

SQLAlchemy's MySQL dialect parses one ``SHOW CREATE TABLE`` per table, so
1000 tables cost 1000 round trips.  This reader asks ``information_schema``
set-wise: tables, columns, CHECKs, index parts, foreign key columns and
rules, one statement each (plus, on some servers, the default collations
and a case fix-up for foreign keys): at most eight, whatever the size.
On MariaDB 10.5+ the six go out as one statement of JSON documents
(:mod:`schemadiff.backends.mysql.catalog_rows`).

The contract is strict equality with the generic path (``use_bulk=False``),
which reports what SQLAlchemy's regular expressions extract from SHOW CREATE
TABLE.  So the parts of that text which matter (a column's line after its
type, the ``CHARACTER SET`` / ``COLLATE`` words) are rebuilt from catalog
values and read the same way, quirks included: a default SQLAlchemy cannot
tokenize (``b'101'``) is no default here either, because the comparators
and the dialect impl were written against what SQLAlchemy reports.
"""

from __future__ import annotations

import re
import warnings
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy import exc as sa_exc
from sqlalchemy import types as sqltypes
from sqlalchemy.dialects.mysql import DATETIME, ENUM, SET, TIME, TIMESTAMP
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.base import SchemaEventTarget
from sqlalchemy.types import TypeEngine

from schemadiff.backends.mysql.catalog_rows import Queries, Query, Reader, Server
from schemadiff.snapshot.index_shape import option_items
from schemadiff.snapshot.model import (
    CheckSnapshot,
    ColumnSnapshot,
    ComputedSnapshot,
    ForeignKeySnapshot,
    IndexSnapshot,
    PrimaryKeySnapshot,
    TableKey,
    TableSnapshot,
    UniqueSnapshot,
    ordered,
)

# A column type as information_schema.COLUMNS.COLUMN_TYPE spells it, which is
# also how SHOW CREATE TABLE spells it: ``int(10) unsigned zerofill``,
# ``enum('a','b''c')``; arguments are numbers or quoted values.  Anything
# else (MariaDB 10.3's ``/*M!100301 COMPRESSED*/``) stops SQLAlchemy's parse
# of the line, so it is kept as ``rest`` and put in front of the line's tail.
_COLUMN_TYPE = re.compile(
    r"(?P<name>\w+)(?:\((?P<args>\d+(?:,\d+)?|(?:'(?:''|[^'])*',?)+)\))?"
    r"(?P<flags>(?:\ +(?:unsigned|zerofill))*)(?P<rest>.*)$",
    re.I | re.S,
)
_QUOTED_VALUE = re.compile(r"'(?:''|[^'])*'")
_NUMBER = re.compile(r"\d+")

# What SQLAlchemy reads from the part of a SHOW CREATE TABLE column line
# after the type: NULL-ness, one DEFAULT token (a token it cannot read
# means no default, and then nothing after it is read either), a generated
# expression (greedy: up to the last ")" that leaves a readable rest), the
# AUTO_INCREMENT flag and a COMMENT directly following those; anything else
# ends the parse.  Matched against the tail this module rebuilds.
_TAIL = re.compile(
    r"""(?:\ +(?P<notnull>(?:NOT\ )?NULL))?
    (?:\ +DEFAULT\ +(?P<default>NULL|'(?:''|[^'])*'|\(.+?\)
        |[-\w.()]+(?:\ +ON\ UPDATE\ [-\w.()]+)?))?
    (?:\ +(?:GENERATED\ ALWAYS)?\ ?AS\ +(?P<generated>\(.*\))?\ ?(?P<persistence>VIRTUAL|STORED)?
        (?:\ +(?P<notnull_generated>(?:NOT\ )?NULL))?)?
    (?:\ +(?P<autoincr>AUTO_INCREMENT))?
    (?:\ +COMMENT\ +'(?P<comment>(?:''|[^'])*)')?
    (?:\ +.*)?$""",
    re.I | re.X,
)
# How SHOW CREATE TABLE escapes a comment or string default (MySQL 5.7+,
# MariaDB 10.x); SQLAlchemy undoes exactly these escapes in a comment.
_ESCAPES = {"\0": r"\0", "\n": r"\n", "\r": r"\r", "\\": "\\\\", "'": "''"}
_ESCAPE = re.compile(r"[\0\n\r\\']")
_ON_UPDATE = re.compile(r"on update ([^\s,]+)", re.I)
_CURRENT_TIMESTAMP = re.compile(r"current_timestamp(\(\d*\))?$", re.I)


def reflect_mysql_tables(
    connection: Connection,
    schema: str | None,
    key_schema: str | None,
    table_names: list[str],
    default_schema: str | None,
    *,
    whole_schema: bool = False,
) -> dict[TableKey, TableSnapshot]:
    """Snapshot ``table_names`` of one database in a fixed number of statements."""
    server = Server.of(connection.dialect)
    queries = Queries.of(server)
    reader = Reader(
        connection,
        schema,
        table_names,
        aggregate=server.json_aggregates,
        by_name=not whole_schema,
    )
    reader.prefetch(q for q in queries if q is not None)
    wanted = set(table_names)
    tables = {
        name: (comment, collation)
        for name, comment, collation in reader.rows(queries.tables)
        if name in wanted
    }
    column_rows = reader.rows(queries.columns)
    checks, column_checks = _checks(reader, queries.checks, server, column_rows)
    builder = _ColumnBuilder(connection, server)
    columns: dict[str, list[ColumnSnapshot]] = defaultdict(list)
    for row in column_rows:
        table = tables.get(row[0])
        if table is not None:
            check = column_checks.get((row[0], row[1])) if column_checks else None
            columns[row[0]].append(builder.build(row, table[1], check))
    keys = _keys(reader.rows(queries.keys), server)
    fks = _foreign_keys(reader, queries, server, schema, default_schema)
    result: dict[TableKey, TableSnapshot] = {}
    for name, (comment, _) in tables.items():
        pk, indexes, uniques = keys.get(name, (None, [], []))
        result[(key_schema, name)] = TableSnapshot(
            schema=key_schema,
            name=name,
            columns=tuple(columns.get(name, ())),
            primary_key=pk,
            indexes=ordered(indexes),
            uniques=ordered(uniques),
            foreign_keys=ordered(fks.get(name)),
            checks=ordered(checks.get(name)),
            comment=comment or None,
        )
    return result


def _quoted(name: str) -> str:
    """A name as SQLAlchemy 2.x reports it: a column, index, constraint or key
    part keeps SHOW CREATE TABLE's doubled backticks (table names do not)."""
    return name.replace("`", "``")


class _ColumnBuilder:
    """Turns COLUMNS rows into ColumnSnapshots, each distinct one built once.

    A column is read the way SQLAlchemy reads its SHOW CREATE TABLE line: the
    text after the type is rebuilt from catalog values and matched against
    ``_TAIL``, so a default or comment SQLAlchemy cannot see is not seen here.
    Snapshots are immutable, so the thousand ``id INT NOT NULL AUTO_INCREMENT``
    columns of a large schema share one instance (and one type instance).
    """

    def __init__(self, connection: Connection, server: Server) -> None:
        self.dialect = connection.dialect
        self.server = server
        query = "SELECT COLLATION_NAME FROM information_schema.COLLATIONS WHERE IS_DEFAULT = 'Yes'"
        rows = () if server.paired_collations else connection.exec_driver_sql(query)
        self.default_collations = frozenset(r[0] for r in rows)
        self._types: dict[tuple[str, str | None, str | None], _TypeRecipe] = {}
        self._columns: dict[tuple[Any, ...], ColumnSnapshot] = {}

    def build(
        self, row: Sequence[Any], table_collation: str | None, check: str | None
    ) -> ColumnSnapshot:
        key = (*row[1:], table_collation, check)
        column = self._columns.get(key)
        if column is None:
            column = self._build(row, table_collation, check)
            if not isinstance(column.type, SchemaEventTarget):  # ENUM binds to a table
                self._columns[key] = column
        return column

    def _build(
        self, row: Sequence[Any], table_collation: str | None, check: str | None
    ) -> ColumnSnapshot:
        _, name, column_type, is_nullable, default, extra, charset, collation, gen, comment = row
        type_key = (column_type, *self._shown_collation(charset, collation, table_collation))
        recipe = self._types.get(type_key)
        if recipe is None:
            recipe = self._types[type_key] = _TypeRecipe(self.dialect, *type_key)
        nullable, extra = is_nullable == "YES", extra or ""
        if not self.server.sql_defaults:
            default = _printed_default(default, extra, nullable, recipe)
        # EXTRA is "VIRTUAL GENERATED" / "STORED GENERATED" (MariaDB 10.2+,
        # MySQL 5.7+); MySQL 8.0.13+ also says DEFAULT_GENERATED for defaults.
        upper = extra.upper()
        generated = gen if "GENERATED" in upper.replace("DEFAULT_GENERATED", "") else None
        out: list[str] = []
        period = generated in ("ROW START", "ROW END")  # MariaDB 10.3+ system versioning
        if period:
            out.append(f" GENERATED ALWAYS AS {generated}")  # never NOT NULL
        elif generated:
            out.append(f" GENERATED ALWAYS AS ({generated}) {upper.split()[0]}")
        if not nullable and not period:
            out.append(" NOT NULL")
        elif recipe.timestamp and not generated:
            out.append(" NULL")  # a nullable TIMESTAMP says so (both servers)
        if "INVISIBLE" in upper:  # MariaDB 10.3+, MySQL 8.0.23+
            out.append(" INVISIBLE" if self.server.mariadb else " /*!80023 INVISIBLE */")
        if not generated:
            if default is not None:
                out.append(f" DEFAULT {default}")
            if "WITHOUT SYSTEM VERSIONING" in upper:  # MariaDB 10.3+
                out.append(" WITHOUT SYSTEM VERSIONING")
            on_update = _ON_UPDATE.search(extra) if extra else None
            if on_update:
                out.append(f" ON UPDATE {on_update.group(1)}")
            if "AUTO_INCREMENT" in upper:
                out.append(" AUTO_INCREMENT")
        if comment:
            out.append(f" COMMENT '{_ESCAPE.sub(lambda m: _ESCAPES[m.group()], comment)}'")
        if check is not None:
            out.append(f" CHECK ({check})")  # MariaDB: column-level CHECKs come last
        parsed = _TAIL.match(recipe.rest + "".join(out))
        assert parsed is not None  # the pattern's last group accepts any rest
        computed = None
        if parsed["generated"] is not None:
            persistence = parsed["persistence"]
            persisted = None if persistence is None else persistence.upper() == "STORED"
            computed = ComputedSnapshot(parsed["generated"], persisted)
        shown_default = parsed["default"]
        return ColumnSnapshot(
            name=_quoted(name),
            type=recipe.instance(name),
            nullable="NOT NULL" not in (parsed["notnull"], parsed["notnull_generated"]),
            server_default=None if computed or shown_default == "NULL" else shown_default,
            # a COMMENT clause read at all is read whole, and unescapes to the original
            comment=comment if parsed["comment"] is not None else None,
            autoincrement=True if parsed["autoincr"] else False if recipe.integer else "auto",
            computed=computed,
        )

    def _shown_collation(
        self, charset: str | None, collation: str | None, table_collation: str | None
    ) -> tuple[str | None, str | None]:
        """The ``CHARACTER SET`` / ``COLLATE`` words SHOW CREATE TABLE would print."""
        if collation is None or charset is None:
            return None, None
        differs = collation != table_collation
        if self.server.paired_collations:
            return (charset, collation) if differs else (None, None)
        # MySQL and older MariaDB: the charset when the collation differs from
        # the table's, the collation when it is not its charset's default.
        # MySQL 8.0 also prints both for a column whose COLLATE was written
        # explicitly, which information_schema does not tell.
        shown = collation not in self.default_collations or (
            not self.server.mariadb and collation == "utf8mb4_0900_ai_ci" and differs
        )
        return (charset if differs else None), (collation if shown else None)


def _printed_default(
    default: str | None, extra: str, nullable: bool, recipe: _TypeRecipe
) -> str | None:
    """MySQL's COLUMN_DEFAULT is the bare value; rebuild SHOW CREATE TABLE's text."""
    upper = extra.upper()
    if default is None:  # DEFAULT NULL, unless the type cannot have a literal default
        return "NULL" if nullable and not recipe.blob and "AUTO_INC" not in upper else None
    if "DEFAULT_GENERATED" in upper:  # MySQL 8.0.13+ expression defaults
        return default if recipe.temporal and _CURRENT_TIMESTAMP.match(default) else f"({default})"
    if recipe.bit or (recipe.temporal and _CURRENT_TIMESTAMP.match(default)):
        return default  # b'101'; CURRENT_TIMESTAMP before MySQL 8.0.13
    return f"'{_ESCAPE.sub(lambda m: _ESCAPES[m.group()], default)}'"


class _TypeRecipe:
    """How to build the type SQLAlchemy would build for one COLUMN_TYPE.

    Built once per distinct (COLUMN_TYPE, shown charset, shown collation):
    a thousand ``varchar(255)`` columns share one parse and one instance.
    """

    def __init__(
        self, dialect: Dialect, column_type: str, charset: str | None, collate: str | None
    ) -> None:
        m = _COLUMN_TYPE.match(column_type)
        self.name = m.group("name") if m else column_type
        self.rest = m.group("rest") if m else ""
        self.cls: type[TypeEngine[Any]] | None = dialect.ischema_names.get(self.name)  # type: ignore[attr-defined]
        self.args: list[Any] = []
        self.kwargs: dict[str, Any] = {}
        self.shared: TypeEngine[Any] | None = None  # reused unless it attaches to tables
        self.integer = self.cls is not None and issubclass(self.cls, sqltypes.Integer)
        self.timestamp = self.name == "timestamp"
        self.temporal = self.name in ("timestamp", "datetime")
        self.bit = self.name == "bit"
        self.blob = self.cls is None or self.name.endswith(("text", "blob")) or self.name == "json"
        if m is None or self.cls is None:
            return
        raw = m.group("args") or ""
        if raw[:1] == "'" and raw[-1:] == "'":
            self.args = _QUOTED_VALUE.findall(raw)
        else:
            self.args = [int(n) for n in _NUMBER.findall(raw)]
        if issubclass(self.cls, (DATETIME, TIME, TIMESTAMP)) and self.args:
            self.kwargs["fsp"] = self.args.pop(0)
        flags = m.group("flags").lower().split()
        self.kwargs.update({flag: True for flag in ("unsigned", "zerofill") if flag in flags})
        if not self.rest:  # CHARACTER SET / COLLATE come after it and are not read
            self.kwargs.update({k: v for k, v in (("charset", charset), ("collate", collate)) if v})
        if issubclass(self.cls, (ENUM, SET)):
            self.args = [v[1:-1].replace("''", "'") for v in self.args]
            if issubclass(self.cls, SET) and "" in self.args:
                self.kwargs["retrieve_as_bitwise"] = True
        instance = self.cls(*self.args, **self.kwargs)
        if not isinstance(instance, SchemaEventTarget):
            self.shared = instance

    def instance(self, column_name: str) -> TypeEngine[Any]:
        if self.shared is not None:
            return self.shared
        if self.cls is None:
            warnings.warn(
                f"Did not recognize type {self.name!r} of column {column_name!r}",
                sa_exc.SAWarning,
                stacklevel=5,
            )
            return sqltypes.NullType()
        return self.cls(*self.args, **self.kwargs)


_Keys = tuple[PrimaryKeySnapshot | None, list[IndexSnapshot], list[UniqueSnapshot]]


def _keys(rows: Iterable[Sequence[Any]], server: Server) -> dict[str, _Keys]:
    """Primary key, indexes and unique constraints from STATISTICS.

    As SQLAlchemy reads SHOW CREATE TABLE's KEY lines: an unnamed primary key,
    each UNIQUE index also a unique constraint, FULLTEXT / SPATIAL as
    ``<dialect>_prefix``, column prefixes as ``<dialect>_length``; a MariaDB
    10.6+ IGNORED index has a line it does not recognize, so it is left out.
    """
    # (table, index) -> [unique, index type, column names, sub-part lengths]
    found: dict[tuple[str, str], list[Any]] = {}
    for table, name, non_unique, column, sub_part, index_type, is_ignored in rows:
        if is_ignored == "YES":
            continue
        index = found.get((table, name))
        if index is None:  # every part of an index has the same kind
            index = found[(table, name)] = [int(non_unique) == 0, index_type, [], None]
        # MySQL 8.0.13+ functional key parts have no COLUMN_NAME; SQLAlchemy
        # keeps only the plain columns of such an index.
        if column is not None:
            column = _quoted(column) if "`" in column else column
            index[2].append(column)
            if sub_part is not None:
                index[3] = index[3] or {}
                index[3][column] = int(sub_part)
    out: dict[str, _Keys] = {}
    for (table, name), (unique, index_type, columns, lengths) in found.items():
        pk, indexes, uniques = out.setdefault(table, (None, [], []))
        cols = tuple(columns)
        if name == "PRIMARY":
            out[table] = (PrimaryKeySnapshot(None, cols), indexes, uniques)
            continue
        options: dict[str, Any] = {}
        if index_type in ("FULLTEXT", "SPATIAL"):
            options[f"{server.dialect_name}_prefix"] = index_type
        elif lengths:
            options[f"{server.dialect_name}_length"] = lengths
        name = _quoted(name) if "`" in name else name
        # the source mirrors the generic path's reflected dict, which comparators read
        source = {"name": name, "column_names": columns, "unique": unique}
        dialect_options = option_items(options) if options else ()
        indexes.append(IndexSnapshot(name, cols, unique, dialect_options, source=source))
        if options:
            source["dialect_options"] = options
        if unique:
            uniques.append(UniqueSnapshot(name, cols))
    return out


def _foreign_keys(
    reader: Reader,
    queries: Queries,
    server: Server,
    schema: str | None,
    default_schema: str | None,
) -> dict[str, list[ForeignKeySnapshot]]:
    """Foreign keys from KEY_COLUMN_USAGE, their rules from REFERENTIAL_CONSTRAINTS.

    SHOW CREATE TABLE qualifies the referenced table only when it lives in
    another database; SQLAlchemy then reports the reflected schema argument
    (None for the default one), and the snapshot drops the default schema.
    """
    grouped: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in reader.rows(queries.foreign_keys):
        grouped[(row[0], row[1])].append(row)
    if not grouped:
        return {}
    rules = {
        (table, name): (on_update, on_delete)
        for table, name, on_update, on_delete in reader.rows(queries.rules)
    }
    real_names = _referenced_names(reader, server, grouped.values())
    out: dict[str, list[ForeignKeySnapshot]] = defaultdict(list)
    for (table, name), rows in grouped.items():
        _, _, _, own_schema, ref_schema, ref_table, _ = rows[0]
        if "`" in "".join((ref_schema, ref_table, *(r[6] for r in rows))) or any(
            ")" in r[2] for r in rows
        ):
            continue  # SQLAlchemy cannot parse this REFERENCES clause and skips it
        ref_columns = [_quoted(r[6]) for r in rows]
        if real_names:
            ref_table, known = real_names.get(_fold(server, ref_schema, ref_table), (ref_table, {}))
            ref_columns = [known.get(c.lower(), c) for c in ref_columns]
        shown_schema = schema if ref_schema == own_schema else ref_schema
        on_update, on_delete = rules.get((table, name), (None, None))
        out[table].append(
            ForeignKeySnapshot(
                name=_quoted(name),
                columns=tuple(_quoted(r[2]) for r in rows),
                referred_schema=None if shown_schema == default_schema else shown_schema,
                referred_table=ref_table,
                referred_columns=tuple(ref_columns),
                ondelete=None if on_delete in server.silent_fk_rules else on_delete,
                onupdate=None if on_update in server.silent_fk_rules else on_update,
            )
        )
    return out


def _fold(server: Server, schema: str, table: str) -> tuple[str, str]:
    return (schema.lower(), table.lower()) if server.casing in (1, 2) else (schema, table)


def _referenced_names(
    reader: Reader, server: Server, constraints: Iterable[Sequence[Any]]
) -> dict[tuple[str, str], tuple[str, dict[str, str]]]:
    """Real spellings of referenced tables and columns, where MySQL lower-cased them."""
    if not server.fk_case_bug:
        return {}
    refs = {(rows[0][4], rows[0][5]) for rows in constraints}
    found: dict[tuple[str, str], tuple[str, dict[str, str]]] = {}
    for s, t, c in reader.connection.execute(
        text(
            "SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS "
            "WHERE TABLE_SCHEMA IN :schemas AND LOWER(TABLE_NAME) IN :tables"
        ).bindparams(bindparam("schemas", expanding=True), bindparam("tables", expanding=True)),
        {"schemas": sorted({s for s, _ in refs}), "tables": sorted({t.lower() for _, t in refs})},
    ):
        found.setdefault(_fold(server, s, t), (t, {}))[1][c.lower()] = c
    return found


_Checks = tuple[dict[str, list[CheckSnapshot]], dict[tuple[str, str], str]]


def _checks(reader: Reader, query: Query | None, server: Server, column_rows: list[Any]) -> _Checks:
    """Table-level CHECKs by table, and MariaDB's column-level ones by column.

    MariaDB prints a column-level CHECK (also the ``json_valid()`` of a JSON
    column) in the column's line, where SQLAlchemy does not report it but
    where it can disturb the parse.  MySQL 8.0 keeps the owning table in
    TABLE_CONSTRAINTS only.  CHECK_CLAUSE is the text SHOW CREATE TABLE prints
    between the parentheses.
    """
    tables: dict[str, list[CheckSnapshot]] = defaultdict(list)
    columns: dict[tuple[str, str], str] = {}
    if query is not None and server.mariadb:
        rows = reader.rows(query)
        # Before MariaDB 10.5.10 a column-level CHECK is known only by its
        # name, which is its column's.
        column_names = {(r[0], r[1]) for r in column_rows} if rows else set()
        for table, name, clause, level in rows:
            if level == "Column" or (level is None and (table, name) in column_names):
                columns[(table, name)] = clause
            else:
                tables[table].append(CheckSnapshot(_quoted(name), clause))
    elif query is not None:
        for table, name, clause in reader.rows(query):
            tables[table].append(CheckSnapshot(_quoted(name), clause))
    return tables, columns
