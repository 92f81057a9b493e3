"""What :mod:`schemadiff.backends.postgresql.catalog` asks ``pg_catalog``.

The statements depend on two things only: the server generation (which
catalog columns exist) and whether ``schema=None`` means "visible on the
search path".  Both are fixed for a connection, so each combination is
built once (``statements_for`` is cached) and reused for every reflection.

The row-to-snapshot code reads results by position, so the select lists
here and the unpacking there change together; each statement's columns are
listed in :class:`Statements`.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import TextClause


class Features(NamedTuple):
    """Catalog columns that exist only from some server version on."""

    identity: bool  # pg_attribute.attidentity, PostgreSQL 10
    include: bool  # pg_index.indnkeyatts (INCLUDE columns), PostgreSQL 11
    generated: bool  # pg_attribute.attgenerated, PostgreSQL 12
    nulls_not_distinct: bool  # pg_index.indnullsnotdistinct, PostgreSQL 15
    set_columns: bool  # pg_constraint.confdelsetcols (SET NULL (a)), PostgreSQL 15

    @classmethod
    def of(cls, version: tuple[int | str, ...]) -> Features:
        return cls(version >= (10,), version >= (11,), version >= (12,), *[version >= (15,)] * 2)


class Statements(NamedTuple):
    """One statement per kind of item; each row starts with the table's name.

    - comments: table, ``objsubid`` (0 for the table), text
    - columns: table, attnum, name, ``format_type``, default, NOT NULL,
      generated kind, identity sequence options (start, increment, min, max,
      cache, cycle as 0/1; NULL unless an identity), ALWAYS, collation
    - constraints: table, name, kind, columns, referred table, its schema,
      its visibility, referred columns, ON UPDATE, ON DELETE, deferrable,
      deferred, SET NULL/DEFAULT columns, CHECK definition
    - indexes: table, name, unique, valid, backs a constraint, reloptions,
      access method, predicate, key count, NULLS NOT DISTINCT, attnums,
      elements, non-default operator classes
    """

    comments: TextClause
    columns: TextClause
    constraints: TextClause
    indexes: TextClause


NAMED_TYPES = sa.text(
    """
SELECT t.typtype::text, t.typname::text, n.nspname::text, pg_type_is_visible(t.oid),
       ARRAY(SELECT e.enumlabel::text FROM pg_enum e
             WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder),
       format_type(t.typbasetype, t.typtypmod), NOT t.typnotnull, t.typdefault,
       co.collname::text,
       CASE WHEN co.oid IS NULL OR pg_collation_is_visible(co.oid) THEN NULL
            ELSE cn.nspname END,
       ARRAY(SELECT k.conname::text FROM pg_constraint k
             WHERE k.contypid = t.oid ORDER BY k.oid),
       ARRAY(SELECT pg_get_constraintdef(k.oid, true) FROM pg_constraint k
             WHERE k.contypid = t.oid ORDER BY k.oid)
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_collation co ON co.oid = t.typcollation
LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
WHERE t.typtype IN ('e', 'd')
"""
)


def _column_name(relid: str, attnum: str) -> str:
    return (
        f"(SELECT a.attname::text FROM pg_attribute a "
        f"WHERE a.attrelid = {relid} AND a.attnum = {attnum})"
    )


def _schema_of(namespace_oid: str) -> str:
    return f"(SELECT ns.nspname::text FROM pg_namespace ns WHERE ns.oid = {namespace_oid})"


#: Per key, the collation an index states (``COLLATE x``) where it is not
#: the key's own: a column's ``attcollation``; for an expression, whose
#: collation SQL cannot derive, when the index definition spells it out.
#: Only computed when some key has a collation other than "default" (100).
_INDEX_COLLATIONS = """CASE WHEN NOT i.indcollation::oid[] <@ '{0,100}'::oid[]
            THEN ARRAY(SELECT CASE
                 WHEN u.coll IS NULL OR u.coll = 0 THEN NULL
                 WHEN u.n <> 0 THEN (SELECT co.collname::text
                     FROM pg_collation co JOIN pg_attribute a
                       ON a.attrelid = i.indrelid AND a.attnum = u.n
                     WHERE co.oid = u.coll AND a.attcollation <> u.coll)
                 ELSE (SELECT co.collname::text FROM pg_collation co
                     WHERE co.oid = u.coll AND position(
                       pg_get_indexdef(i.indexrelid, u.ord::int, true) || ' COLLATE '
                       || quote_ident(co.collname) IN pg_get_indexdef(i.indexrelid)) > 0)
                 END
               FROM unnest(i.indkey::int2[], i.indcollation::oid[])
                    WITH ORDINALITY u(n, coll, ord) ORDER BY u.ord)
       END"""


@cache
def statements_for(features: Features, by_visibility: bool) -> Statements:
    """The four statements for one server generation and schema mode.

    ``by_visibility`` mirrors SQLAlchemy's reading of ``schema=None``:
    every table visible on the search path (``pg_catalog`` aside), not only
    those of ``current_schema()``.
    """
    where = (
        "c.relname = ANY(:names) AND c.relkind IN ('r', 'p', 'f') AND c.relpersistence <> 't' AND "
        + (
            "pg_table_is_visible(c.oid) AND n.nspname <> 'pg_catalog'"
            if by_visibility
            else "n.nspname = :schema"
        )
    )
    tables = "pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    identity = (
        """CASE WHEN a.attidentity <> '' THEN (
             SELECT ARRAY[s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,
                          s.seqcycle::int]
             FROM pg_depend dep
             JOIN pg_sequence s ON s.seqrelid = dep.objid
             WHERE dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass
               AND dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum
               AND dep.deptype = 'i') END, a.attidentity = 'a'"""
        if features.identity
        else "NULL, false"
    )
    # Lookups are scalar subqueries rather than joins: the planner badly
    # underestimates "relname = ANY(:names)" and would otherwise loop over
    # whole catalogs (pg_namespace, pg_description) once per column.  For
    # the same reason comments are one range scan per table, on their own.
    comments = f"""
SELECT c.relname, d.objsubid, d.description
FROM {tables}
JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass
WHERE {where}"""
    # A default cannot name a column, so it is deparsed without its relation
    # (relid 0), which skips a relation lookup per default: a third of this
    # statement's server time at 10,000 tables.  A generated column's
    # expression does name columns and keeps its relation.
    default_relid = "CASE WHEN a.attgenerated <> '' THEN ad.adrelid ELSE 0 END"
    columns = f"""
SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod),
       CASE WHEN a.atthasdef THEN (
         SELECT pg_get_expr(ad.adbin, {default_relid if features.generated else "0"})
         FROM pg_attrdef ad WHERE ad.adrelid = a.attrelid AND ad.adnum = a.attnum) END,
       a.attnotnull,
       {"a.attgenerated::text" if features.generated else "''"}, {identity},
       CASE WHEN a.attcollation <> 0 AND a.attcollation <>
                 (SELECT ty.typcollation FROM pg_type ty WHERE ty.oid = a.atttypid)
            THEN (SELECT ARRAY[co.collname::text, CASE WHEN pg_collation_is_visible(co.oid)
                               THEN NULL ELSE {_schema_of("co.collnamespace")} END]
                  FROM pg_collation co WHERE co.oid = a.attcollation) END
FROM {tables}
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE {where}
ORDER BY c.relname, a.attnum"""
    nkeys = "i.indnkeyatts" if features.include else "i.indnatts"
    set_columns = (
        f"ARRAY(SELECT quote_ident({_column_name('k.conrelid', 'u.n')}) "
        "FROM unnest(k.confdelsetcols) WITH ORDINALITY u(n, ord) ORDER BY u.ord)"
        if features.set_columns
        else "NULL"
    )
    # PRIMARY KEY / UNIQUE columns come from the backing index's key part,
    # as SQLAlchemy reads them; foreign keys from conkey / confkey.
    constraints = f"""
SELECT c.relname, k.conname, k.contype::text,
       ARRAY(SELECT {_column_name("k.conrelid", "u.n")}
             FROM unnest(COALESCE(i.indkey::int2[], k.conkey)) WITH ORDINALITY u(n, ord)
             WHERE i.indexrelid IS NULL OR u.ord <= {nkeys} ORDER BY u.ord),
       rc.relname, {_schema_of("rc.relnamespace")},
       CASE WHEN k.contype = 'f' THEN pg_table_is_visible(rc.oid) END,
       ARRAY(SELECT {_column_name("k.confrelid", "u.n")}
             FROM unnest(k.confkey) WITH ORDINALITY u(n, ord) ORDER BY u.ord),
       k.confupdtype::text, k.confdeltype::text, k.condeferrable, k.condeferred,
       CASE WHEN k.contype = 'f' THEN {set_columns} END,
       CASE WHEN k.contype = 'c' THEN pg_get_constraintdef(k.oid, true) END
FROM pg_constraint k
JOIN {tables} ON c.oid = k.conrelid
LEFT JOIN pg_index i ON k.contype IN ('p', 'u') AND i.indexrelid = k.conindid
LEFT JOIN pg_class rc ON k.contype = 'f' AND rc.oid = k.confrelid
WHERE k.contype IN ('p', 'u', 'f', 'c') AND {where}"""
    indexes = f"""
SELECT c.relname, ic.relname, i.indisunique, i.indisvalid,
       EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = i.indrelid
               AND k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x')),
       ic.reloptions, (SELECT am.amname FROM pg_am am WHERE am.oid = ic.relam),
       pg_get_expr(i.indpred, i.indrelid), {nkeys},
       {"i.indnullsnotdistinct" if features.nulls_not_distinct else "false"},
       i.indkey::int2[],
       ARRAY(SELECT CASE WHEN u.n = 0 THEN pg_get_indexdef(i.indexrelid, u.ord::int, true)
                         ELSE {_column_name("i.indrelid", "u.n")} END
             FROM unnest(i.indkey::int2[]) WITH ORDINALITY u(n, ord) ORDER BY u.ord),
       CASE WHEN i.indclass::oid[] && (SELECT array_agg(oc.oid) FROM pg_opclass oc
                                        WHERE NOT oc.opcdefault)
            THEN ARRAY(SELECT (SELECT CASE WHEN pg_opclass_is_visible(oc.oid)
                                    THEN oc.opcname::text
                                    ELSE {_schema_of("oc.opcnamespace")} || '.' || oc.opcname END
                               FROM pg_opclass oc
                               WHERE oc.oid = u.n AND NOT oc.opcdefault)
                       FROM unnest(i.indclass::oid[]) WITH ORDINALITY u(n, ord) ORDER BY u.ord)
       END,
       i.indoption::int2[],
       {_INDEX_COLLATIONS}
FROM pg_index i
JOIN {tables} ON c.oid = i.indrelid
JOIN pg_class ic ON ic.oid = i.indexrelid
WHERE NOT i.indisprimary AND {where}"""
    names = sa.bindparam("names", type_=ARRAY(sa.Text()))
    return Statements(
        *(sa.text(sql).bindparams(names) for sql in (comments, columns, constraints, indexes))
    )
