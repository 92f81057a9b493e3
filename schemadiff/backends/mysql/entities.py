"""MariaDB's (and MySQL's) views, from ``information_schema.VIEWS`` in one statement.

The server stores a view's SELECT rewritten: every column fully qualified
and aliased, keywords in lower case.  A declared definition is put in the
same words by creating it under a throwaway name, reading it back and
dropping it (DDL is not transactional here, so a savepoint would not
help; the throwaway views are dropped whatever happens, in one statement,
and all are read back with one query).  Dependencies are
the tables and views the stored text names, as its parse finds them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from schemadiff.entities.model import (
    EntityKey,
    EntitySnapshot,
    folded,
    key_schema,
    relations_read,
)

VIEWS = sa.text(
    "SELECT TABLE_SCHEMA, TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS "
    "WHERE TABLE_SCHEMA IN :schemas ORDER BY TABLE_SCHEMA, TABLE_NAME"
).bindparams(sa.bindparam("schemas", expanding=True))

_DEFINITIONS = sa.text(
    "SELECT TABLE_SCHEMA, TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS "
    "WHERE TABLE_NAME IN :names"
).bindparams(sa.bindparam("names", expanding=True))


def read_entities(
    connection: Connection, schemas: Sequence[str | None], default_schema: str | None
) -> list[EntitySnapshot]:
    names = [n for n in (s or default_schema for s in schemas) if n]
    if not names:
        return []
    out: list[EntitySnapshot] = []
    for schema, name, text in connection.execute(VIEWS, {"schemas": names}):
        definition = str(text).strip()
        out.append(
            EntitySnapshot(
                "view",
                key_schema(schema, default_schema),
                name,
                definition,
                folded(definition),
                None,
                True,
                relations_read(definition, "mysql", schema, default_schema),
            )
        )
    return out


def canonical(
    connection: Connection, pairs: Sequence[tuple[EntitySnapshot, EntitySnapshot]]
) -> dict[EntityKey, str | None]:
    """Each declared view created under a throwaway name, all read back at once, dropped."""
    quote = connection.dialect.identifier_preparer.quote
    made: dict[tuple[str, str], EntityKey] = {}
    out: dict[EntityKey, str | None] = {}
    try:
        for declared, _ in pairs:
            out[declared.key] = None
            schema = str(declared.schema or connection.dialect.default_schema_name)
            name = f"sd_canon_{uuid.uuid4().hex[:12]}"
            try:
                connection.exec_driver_sql(
                    f"CREATE VIEW {quote(schema)}.{quote(name)} AS {declared.definition}",
                    execution_options={"no_parameters": True},
                )
            except DBAPIError:
                continue
            made[(schema, name)] = declared.key
        if made:
            params = {"names": [n for _, n in made]}
            for schema, name, text in connection.execute(_DEFINITIONS, params):
                if (schema, name) in made:
                    out[made[(schema, name)]] = folded(str(text))
    finally:
        if made:
            names = ", ".join(f"{quote(s)}.{quote(n)}" for s, n in made)
            connection.exec_driver_sql(f"DROP VIEW IF EXISTS {names}")
    return out
