"""PostgreSQL's enums and sequences, read from the catalog in three statements.

Enums come from every schema (a compared table may use a type from
another), each with its labels in ``enumsortorder`` and the table columns
of it or of its array type.  Sequences come from the compared schemas,
leaving out those a SERIAL or identity column owns (``pg_depend`` types
``a`` and ``i``): they belong to their column, not to the model's
``Sequence`` objects.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from schemadiff.snapshot.objects import (
    ColumnRef,
    EnumSnapshot,
    ObjectKey,
    SequenceSnapshot,
    register_object_reader,
)

ENUMS = sa.text(
    """
SELECT t.oid, n.nspname::text, t.typname::text,
       ARRAY(SELECT e.enumlabel::text FROM pg_enum e
             WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'e' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
"""
)

#: the table columns of each enum type or of its array type, in one pass
#: over pg_attribute (it has no index on the type)
ENUM_USERS = sa.text(
    """
SELECT t.oid, cn.nspname::text, c.relname::text, a.attname::text
FROM pg_type t
JOIN pg_attribute a ON a.atttypid IN (t.oid, t.typarray) AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p')
JOIN pg_namespace cn ON cn.oid = c.relnamespace
WHERE t.typtype = 'e'
ORDER BY cn.nspname, c.relname, a.attnum
"""
)

SEQUENCES = sa.text(
    """
SELECT n.nspname::text, c.relname::text, s.seqstart, s.seqincrement, s.seqmin, s.seqmax,
       s.seqcycle, s.seqcache, format_type(s.seqtypid, NULL)
FROM pg_sequence s
JOIN pg_class c ON c.oid = s.seqrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(:schemas)
  AND NOT EXISTS (
      SELECT 1 FROM pg_depend d
      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
        AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))
"""
)


def read_postgresql_objects(
    connection: Connection, schemas: Sequence[str | None], default_schema: str | None
) -> tuple[dict[ObjectKey, EnumSnapshot], dict[ObjectKey, SequenceSnapshot]]:
    def key_schema(name: str) -> str | None:
        return None if name == default_schema else name

    enums: dict[ObjectKey, EnumSnapshot] = {}
    found = connection.execute(ENUMS).all()
    users: dict[int, list[ColumnRef]] = {}
    if found:
        for oid, schema, table, column in connection.execute(ENUM_USERS):
            users.setdefault(oid, []).append((key_schema(schema), table, column))
    for oid, schema, name, labels in found:
        snap = EnumSnapshot(key_schema(schema), name, tuple(labels), tuple(users.get(oid, ())))
        enums[snap.key] = snap

    names = [s if s is not None else default_schema for s in schemas]
    sequences: dict[ObjectKey, SequenceSnapshot] = {}
    for row in connection.execute(SEQUENCES, {"schemas": [n for n in names if n]}):
        schema, name, start, increment, minvalue, maxvalue, cycle, cache, data_type = row
        seq = SequenceSnapshot(
            key_schema(schema),
            name,
            int(start),
            int(increment),
            int(minvalue),
            int(maxvalue),
            bool(cycle),
            int(cache),
            str(data_type).upper(),
        )
        sequences[seq.key] = seq
    return enums, sequences


register_object_reader("postgresql", read_postgresql_objects)
