"""SQLite's views, from ``sqlite_master`` (one statement per compared schema).

SQLite keeps a view's text exactly as it was written, so nothing on the
server can tell two spellings of one query apart; both sides are put in
one form instead by parsing them (sqlglot) and printing them back with
identifiers unquoted and folded to lower case, as SQLite compares them,
and ``INNER JOIN`` written ``JOIN``.
The dependencies are the tables and views the parse names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy.engine import Connection

from schemadiff.entities.model import (
    EntityKey,
    EntitySnapshot,
    folded,
    key_schema,
    relations_read,
)

_HEAD = re.compile(
    r"""\s*CREATE\s+(?:TEMP(?:ORARY)?\s+)?VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?
        (?:(?:"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|[^\s.(]+)\s*\.\s*)?
        (?:"(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|[^\s(]+)\s*AS\s+""",
    re.IGNORECASE | re.VERBOSE,
)


def read_entities(
    connection: Connection, schemas: Sequence[str | None], default_schema: str | None
) -> list[EntitySnapshot]:
    out: list[EntitySnapshot] = []
    quote = connection.dialect.identifier_preparer.quote
    for schema in schemas:
        where = schema or default_schema or "main"
        master = f"{quote(where)}.sqlite_master"
        for name, sql in connection.exec_driver_sql(
            f"SELECT name, sql FROM {master} WHERE type = 'view' ORDER BY name"
        ):
            match = _HEAD.match(sql or "")
            definition = (sql[match.end() :] if match else str(sql)).strip().rstrip(";").strip()
            out.append(
                EntitySnapshot(
                    "view",
                    key_schema(where, default_schema),
                    name,
                    definition,
                    normal(definition),
                    None,
                    True,
                    relations_read(definition, "sqlite", where, default_schema),
                )
            )
    return out


def normal(select: str) -> str:
    """One spelling of a SELECT: parsed and printed back; folded text where it does not parse."""
    # here: only a database that has views pays for importing sqlglot
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(select, read="sqlite")
    except sqlglot.errors.SqlglotError:
        return folded(select).lower()
    for ident in tree.find_all(exp.Identifier):
        ident.set("quoted", False)
    for join in tree.find_all(exp.Join):
        if str(join.args.get("kind") or "").upper() == "INNER":
            join.set("kind", None)  # JOIN is INNER JOIN
    return tree.sql(dialect="sqlite", normalize=True)


def canonical(
    connection: Connection, pairs: Sequence[tuple[EntitySnapshot, EntitySnapshot]]
) -> dict[EntityKey, str | None]:
    return {declared.key: normal(declared.definition) for declared, _ in pairs}
