"""PostgreSQL's enums and sequences, read from the catalog in one statement.

Three ``json_agg`` lists in one row, so reflection costs one round trip
more whatever the number of objects.  Enums come from every schema (a
compared table may use a type from another), each with its labels in
``enumsortorder`` and the table columns of it or of its array type,
found through ``pg_depend`` (indexed by the type) rather than by scanning
``pg_attribute``, which has no index on a column's type (figures:
benchmarks/README.md).  Sequences come from the compared schemas, leaving
out those a SERIAL or identity column owns (``pg_depend`` types ``a`` and
``i``): they belong to their column, not to the model's ``Sequence``
objects.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from schemadiff.snapshot.objects import (
    ColumnRef,
    EnumSnapshot,
    ObjectKey,
    SequenceSnapshot,
)

OBJECTS = sa.text(
    """
SELECT
  (SELECT coalesce(json_agg(json_build_array(t.oid, n.nspname, t.typname,
            ARRAY(SELECT e.enumlabel::text FROM pg_enum e
                  WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder))), '[]')
   FROM pg_type t
   JOIN pg_namespace n ON n.oid = t.typnamespace
   WHERE t.typtype = 'e' AND n.nspname NOT IN ('pg_catalog', 'information_schema')),
  (SELECT coalesce(json_agg(json_build_array(t.oid, cn.nspname, c.relname, a.attname)
            ORDER BY cn.nspname, c.relname, a.attnum), '[]')
   FROM pg_type t
   JOIN pg_depend d ON d.refclassid = 'pg_type'::regclass
                   AND d.refobjid IN (t.oid, t.typarray)
                   AND d.classid = 'pg_class'::regclass AND d.objsubid > 0
   JOIN pg_attribute a ON a.attrelid = d.objid AND a.attnum = d.objsubid
                      AND NOT a.attisdropped
   JOIN pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p')
   JOIN pg_namespace cn ON cn.oid = c.relnamespace
   WHERE t.typtype = 'e'),
  (SELECT coalesce(json_agg(json_build_array(n.nspname, c.relname, s.seqstart, s.seqincrement,
            s.seqmin, s.seqmax, s.seqcycle, s.seqcache, format_type(s.seqtypid, NULL))), '[]')
   FROM pg_sequence s
   JOIN pg_class c ON c.oid = s.seqrelid
   JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = ANY(:schemas)
     AND NOT EXISTS (
         SELECT 1 FROM pg_depend d
         WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
           AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
"""
)


def read_postgresql_objects(
    connection: Connection, schemas: Sequence[str | None], default_schema: str | None
) -> tuple[dict[ObjectKey, EnumSnapshot], dict[ObjectKey, SequenceSnapshot]]:
    def key_schema(name: str) -> str | None:
        return None if name == default_schema else name

    names = [s if s is not None else default_schema for s in schemas]
    found, used, listed = connection.execute(OBJECTS, {"schemas": [n for n in names if n]}).one()
    users: dict[int, list[ColumnRef]] = {}
    for oid, schema, table, column in _rows(used):
        users.setdefault(oid, []).append((key_schema(schema), table, column))
    enums: dict[ObjectKey, EnumSnapshot] = {}
    for oid, schema, name, labels in _rows(found):
        snap = EnumSnapshot(key_schema(schema), name, tuple(labels), tuple(users.get(oid, ())))
        enums[snap.key] = snap

    sequences: dict[ObjectKey, SequenceSnapshot] = {}
    for row in _rows(listed):
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


def _rows(value: Any) -> list[Any]:
    """A ``json_agg`` result: decoded by the driver, or still text."""
    return json.loads(value) if isinstance(value, str) else list(value)
