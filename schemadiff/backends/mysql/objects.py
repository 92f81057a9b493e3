"""MariaDB's sequences (10.3 and later), read in two statements.

A MariaDB sequence is a one-row table of ``TABLE_TYPE = 'SEQUENCE'``
holding its own options; the first statement lists them, the second reads
all of them at once (a ``UNION ALL`` of one row each).  MySQL has no
sequences, and ENUM is inline in the column there, so there are no enum
objects to read.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from schemadiff.snapshot.objects import (
    EnumSnapshot,
    ObjectKey,
    SequenceSnapshot,
)

LIST = sa.text(
    "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES "
    "WHERE TABLE_TYPE = 'SEQUENCE' AND TABLE_SCHEMA IN :schemas"
).bindparams(sa.bindparam("schemas", expanding=True))


def read_mysql_objects(
    connection: Connection, schemas: Sequence[str | None], default_schema: str | None
) -> tuple[dict[ObjectKey, EnumSnapshot], dict[ObjectKey, SequenceSnapshot]]:
    if not getattr(connection.dialect, "supports_sequences", False):
        return {}, {}
    names = [s if s is not None else default_schema for s in schemas]
    listed = connection.execute(LIST, {"schemas": [n for n in names if n]}).all()
    if not listed:
        return {}, {}
    quote = connection.dialect.identifier_preparer.quote
    parts = [
        f"SELECT {i}, start_value, increment, minimum_value, maximum_value, cycle_option, "
        f"cache_size FROM {quote(schema)}.{quote(name)}"
        for i, (schema, name) in enumerate(listed)
    ]
    sequences: dict[ObjectKey, SequenceSnapshot] = {}
    for row in connection.exec_driver_sql(" UNION ALL ".join(parts)):
        schema, name = listed[int(row[0])]
        start, increment, minvalue, maxvalue, cycle, cache = row[1:]
        seq = SequenceSnapshot(
            None if schema == default_schema else schema,
            name,
            int(start),
            int(increment),
            int(minvalue),
            int(maxvalue),
            bool(cycle),
            int(cache),
        )
        sequences[seq.key] = seq
    return {}, sequences
