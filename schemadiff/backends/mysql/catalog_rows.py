"""What :mod:`schemadiff.backends.mysql.catalog` asks the catalog, and how.

:class:`Server` tells what the server's information_schema offers,
:class:`Queries` are the catalog queries it allows, :class:`Reader` runs them.

Decoding result rows is PyMySQL's slowest part: about twenty thousand
information_schema rows for a thousand tables cost more CPU than everything
done with them.  Where the server can (MariaDB 10.5+), each query therefore
yields one JSON document holding all of its rows,
``JSON_ARRAYAGG(JSON_ARRAY(...))``, which ``json.loads`` decodes
in C; and the queries known in advance go out as one statement, one
document per result row (``UNION ALL``), so the list of table names is
bound and sent once.  MariaDB builds the aggregate on GROUP_CONCAT, so the
statement lifts ``group_concat_max_len`` for itself alone
(``SET STATEMENT ... FOR``; the server caps it at ``max_allowed_packet``).

Both ways yield the same values: JSON keeps strings as strings, integers as
integers and NULL as None, and every column read here is text or an
integer.  A document that does not decode to the counted number of rows
(cut at the cap) is read again row by row, as are all queries on other
servers (MySQL has no SET STATEMENT; its rows are read as before).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import bindparam, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Dialect

# Asked for GROUP_CONCAT's limit; the server lowers it to max_allowed_packet.
_GROUP_CONCAT_MAX_LEN = 4294967295


# MDEV-29446: MariaDB prints "CHARACTER SET x COLLATE y" for every column whose
# collation differs from the table's from these releases of each series on
# (10.11 and later always); earlier it printed them separately, like MySQL.
_MDEV_29446: dict[tuple[int, ...], int] = {
    (10, 3): 37, (10, 4): 27, (10, 5): 18, (10, 6): 11, (10, 7): 7, (10, 8): 6, (10, 9): 4, (10, 10): 2
}  # fmt: skip


class Server(NamedTuple):
    """What the connected server's catalog offers and how it prints tables."""

    mariadb: bool
    dialect_name: str
    sql_defaults: bool  # COLUMN_DEFAULT is already SHOW CREATE TABLE's text
    paired_collations: bool  # MDEV-29446 behaviour
    has_checks: bool
    has_generated: bool  # COLUMNS.GENERATION_EXPRESSION exists
    check_level: bool  # CHECK_CONSTRAINTS.LEVEL exists
    ignored_indexes: bool  # STATISTICS.IGNORED exists
    silent_fk_rules: frozenset[str]  # rules SQLAlchemy does not report
    fk_case_bug: bool
    casing: int
    json_aggregates: bool  # JSON_ARRAYAGG and SET STATEMENT

    @classmethod
    def of(cls, dialect: Dialect) -> Server:
        v = tuple(n for n in (dialect.server_version_info or ()) if isinstance(n, int))
        maria = bool(getattr(dialect, "is_mariadb", False))
        fixed = _MDEV_29446.get(v[:2])
        casing = int(getattr(dialect, "_casing", 0) or 0)
        return cls(
            mariadb=maria,
            dialect_name=dialect.name,
            # MariaDB 10.2.7+ reports defaults as SQL text ('abc', NULL,
            # current_timestamp()); MySQL reports the bare value.
            sql_defaults=maria and v >= (10, 2, 7),
            paired_collations=maria
            and (v >= (10, 11) or (fixed is not None and v[2:3] >= (fixed,))),
            # CHECK constraints: MariaDB 10.2.1, MySQL 8.0.16; LEVEL: MariaDB 10.5.10
            has_checks=v >= ((10, 2, 1) if maria else (8, 0, 16)),
            has_generated=v >= ((10, 2, 5) if maria else (5, 7)),
            check_level=maria and v >= (10, 5, 10),
            ignored_indexes=maria and v >= (10, 6),
            # InnoDB before MySQL 8.0's data dictionary (MariaDB, MySQL 5.7)
            # stores RESTRICT as "no clause"; MySQL 8.0 prints RESTRICT and
            # omits NO ACTION, which SQLAlchemy drops anyway.
            silent_fk_rules=frozenset(
                {"RESTRICT", "NO ACTION"} if maria or v < (8,) else {"NO ACTION"}
            ),
            # MySQL bugs #88718 / #96365: 8.0.0-8.0.13 (and lower_case_table_names
            # = 2) lower-case referenced names; SQLAlchemy corrects them from
            # information_schema.COLUMNS, one more statement here.
            fk_case_bug=not maria and v >= (8,) and (v < (8, 0, 14) or casing == 2),
            casing=casing,
            # MariaDB 10.5.0+ (SET STATEMENT is MariaDB's; MySQL reads rows)
            json_aggregates=maria and v >= (10, 5),
        )


class Queries(NamedTuple):
    """The catalog queries, as the server's information_schema allows them."""

    tables: Query
    columns: Query
    checks: Query | None
    keys: Query
    foreign_keys: Query
    rules: Query

    @classmethod
    def of(cls, server: Server) -> Queries:
        checks = None
        if server.has_checks and server.mariadb:
            level = "LEVEL" if server.check_level else "NULL"
            checks = Query(
                f"TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE, {level}",
                "information_schema.CHECK_CONSTRAINTS",
                schema_col="CONSTRAINT_SCHEMA",
            )
        elif server.has_checks:  # MySQL 8.0's views join cheaply; names are per database
            checks = Query(
                "TABLE_NAME, tc.CONSTRAINT_NAME, CHECK_CLAUSE",
                "information_schema.TABLE_CONSTRAINTS tc "
                "JOIN information_schema.CHECK_CONSTRAINTS cc ON cc.CONSTRAINT_SCHEMA = "
                "tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME",
                " AND CONSTRAINT_TYPE = 'CHECK'",
            )
        generation = "GENERATION_EXPRESSION" if server.has_generated else "NULL"
        ignored = "IGNORED" if server.ignored_indexes else "'NO'"
        return cls(
            tables=Query("TABLE_NAME, TABLE_COMMENT, TABLE_COLLATION", "information_schema.TABLES"),
            columns=Query(
                "TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, "
                f"CHARACTER_SET_NAME, COLLATION_NAME, {generation}, COLUMN_COMMENT",
                "information_schema.COLUMNS",
                order="TABLE_NAME, ORDINAL_POSITION",
                position="ORDINAL_POSITION",
            ),
            checks=checks,
            keys=Query(
                f"TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, INDEX_TYPE, {ignored}",
                "information_schema.STATISTICS",
                order="TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
                position="SEQ_IN_INDEX",
            ),
            foreign_keys=Query(
                "TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, TABLE_SCHEMA, REFERENCED_TABLE_SCHEMA, "
                "REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME",
                "information_schema.KEY_COLUMN_USAGE",
                " AND REFERENCED_TABLE_NAME IS NOT NULL",
                order="TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION",
                position="ORDINAL_POSITION",
            ),
            rules=Query(
                "TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE",
                "information_schema.REFERENTIAL_CONSTRAINTS",
                schema_col="CONSTRAINT_SCHEMA",
            ),
        )


class Query(NamedTuple):
    """``SELECT columns FROM source WHERE <the wanted tables>condition ORDER BY order``.

    ``order`` sorts the rows of the row-by-row statement.  The readers group
    rows by table, index or constraint through dicts, so only the order
    within a group matters, which ``position`` numbers: an aggregate carries
    it along and is sorted by it here (stably; the groups interleave, which
    nothing reads), cheaper than an ORDER BY inside GROUP_CONCAT.
    """

    columns: str
    source: str
    condition: str = ""
    order: str = ""
    position: str = ""
    schema_col: str = "TABLE_SCHEMA"


class Reader:
    """Runs the catalog queries, each filtered to the wanted tables."""

    def __init__(
        self,
        connection: Connection,
        schema: str | None,
        names: Sequence[str],
        *,
        aggregate: bool,
        by_name: bool = True,
    ) -> None:
        self.connection = connection
        self.aggregate = aggregate
        # Unfiltered, the server opens every table of the schema once, which
        # beats a lookup per name when nearly all are wanted (figures:
        # benchmarks/README.md); rows of other tables are dropped here.
        self.by_name = by_name
        self.wanted = frozenset(names)
        self.params: dict[str, Any] = {"names": list(names)} if by_name else {}
        self.schema_sql = "DATABASE()"  # the connection's current database
        if schema is not None:
            self.params["schema"] = schema
            self.schema_sql = ":schema"
        self._fetched: dict[Query, list[Any] | None] = {}

    def prefetch(self, queries: Iterable[Query]) -> None:
        """Run ``queries`` as one aggregating statement, where the server can."""
        queries = list(dict.fromkeys(queries))
        if not self.aggregate or not queries:
            return
        parts = [self._aggregate_sql(i, q) for i, q in enumerate(queries)]
        found = self._aggregated(" UNION ALL ".join(parts))
        if found is not None:
            for i, document, count in found:
                self._fetched[queries[i]] = _decoded(queries[i], document, count)

    def rows(self, query: Query) -> list[Sequence[Any]]:
        """The rows of ``query`` for the wanted tables (TABLE_NAME comes first)."""
        found = self._rows(query)
        if self.by_name:
            return found
        wanted = self.wanted
        return [row for row in found if row[0] in wanted]

    def _rows(self, query: Query) -> list[Sequence[Any]]:
        if query in self._fetched:
            found = self._fetched.pop(query)
            if found is not None:
                return found
        elif self.aggregate:
            result = self._aggregated(self._aggregate_sql(0, query))
            if result is not None:
                found = _decoded(query, *result[0][1:])
                if found is not None:
                    return found
        sql = (
            f"SELECT {query.columns} FROM {query.source} "
            f"WHERE {self._where(query)}{self._order_by(query)}"
        )
        return list(self._execute(sql))

    def _aggregate_sql(self, tag: int, query: Query) -> str:
        position = f", {query.position}" if query.position else ""
        return (
            f"SELECT {tag}, JSON_ARRAYAGG(JSON_ARRAY({query.columns}{position})), "
            f"COUNT(*) FROM {query.source} WHERE {self._where(query)}"
        )

    def _where(self, query: Query) -> str:
        names = " AND TABLE_NAME IN :names" if self.by_name else ""
        return f"{query.schema_col} = {self.schema_sql}{names}{query.condition}"

    @staticmethod
    def _order_by(query: Query) -> str:
        return f" ORDER BY {query.order}" if query.order else ""

    def _aggregated(self, select: str) -> list[Any] | None:
        sql = f"SET STATEMENT group_concat_max_len = {_GROUP_CONCAT_MAX_LEN} FOR {select}"
        try:
            return list(self._execute(sql))
        except (sa_exc.ProgrammingError, sa_exc.OperationalError):
            # no JSON_ARRAYAGG or SET STATEMENT after all: rows from now on
            self.aggregate = False
            return None

    def _execute(self, sql: str) -> Any:
        stmt = text(sql)
        if self.by_name:
            stmt = stmt.bindparams(bindparam("names", expanding=True))
        return self.connection.execute(stmt, self.params)


def _decoded(query: Query, document: str | None, count: int) -> list[Any] | None:
    """The rows in ``document``, None unless it holds all ``count`` of them."""
    if document is None:
        return [] if count == 0 else None
    try:
        found = json.loads(document)
    except ValueError:  # cut at group_concat_max_len
        return None
    if not isinstance(found, list) or len(found) != count:
        return None
    if found and not isinstance(found[0], list):
        return None  # an early release's aggregate quotes the nested arrays
    if query.position:
        found.sort(key=itemgetter(-1))
        for row in found:
            del row[-1]
    return found
