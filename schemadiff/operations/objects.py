"""How enum types, sequences and schemas are created, changed and dropped.

Enum types exist as objects on PostgreSQL only.  Adding values is done in
place (``ALTER TYPE ... ADD VALUE``: a catalog change that rewrites no
table); removing, renaming or reordering values recreates the type and
casts each column of it through text, after checking that no row holds a
value that goes.  Sequences use SQLAlchemy's own CREATE/DROP SEQUENCE for
the dialect, and one ALTER SEQUENCE for changed options.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Sequence as SASequence
from sqlalchemy import text
from sqlalchemy.schema import CreateSequence, DropSequence

from schemadiff.errors import MigrationError
from schemadiff.operations.base import Operations
from schemadiff.ops import (
    AlterEnumOp,
    AlterSequenceOp,
    CreateEnumOp,
    CreateSchemaOp,
    CreateSequenceOp,
    DropEnumOp,
    DropSchemaOp,
    DropSequenceOp,
    SequenceOptions,
)
from schemadiff.slots import ImplementationTable

log = logging.getLogger("schemadiff.operations")

# -- which named types this run has created ----------------------------------------
_CREATED: weakref.WeakKeyDictionary[Any, set[tuple[str | None, str]]] = weakref.WeakKeyDictionary()


def created_types(migration_context: Any) -> set[tuple[str | None, str]]:
    """Enum types created so far in this run, as ``(schema, name)``.

    Offline there is no catalog to ask, so this is how ``CREATE TYPE`` is
    written once: by ``op.create_enum`` or by the first table that uses
    the type, not again by every later table (``create_named_types``).
    """
    found = _CREATED.get(migration_context)
    if found is None:
        found = _CREATED[migration_context] = set()
    return found


def _quote_type(operations: Operations, name: str, schema: str | None) -> str:
    preparer = operations.impl.preparer
    quoted = preparer.quote(name)
    return f"{preparer.quote_schema(schema)}.{quoted}" if schema else quoted


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _run(operations: Operations, statements: Iterable[Any]) -> None:
    for stmt in statements:
        operations.migration_context.execute(stmt)


def _need_named_types(operations: Operations, what: str) -> None:
    if not operations.impl.named_enum_types:
        raise MigrationError(
            f"{what}: enum types are objects of their own on PostgreSQL only; "
            f"{operations.impl.name} keeps an ENUM inside its column (use alter_column)"
        )


# -- enums -------------------------------------------------------------------------
#: this module's implementations, registered by :mod:`schemadiff.builtin`
implements = ImplementationTable()


@implements(CreateEnumOp)
def create_enum(operations: Operations, op: CreateEnumOp) -> None:
    _need_named_types(operations, f"create_enum {op.name!r}")
    labels = ", ".join(_literal(v) for v in op.values)
    _run(
        operations,
        [f"CREATE TYPE {_quote_type(operations, op.name, op.schema)} AS ENUM ({labels})"],
    )
    created_types(operations.migration_context).add((op.schema, op.name))


@implements(DropEnumOp)
def drop_enum(operations: Operations, op: DropEnumOp) -> None:
    _need_named_types(operations, f"drop_enum {op.name!r}")
    _run(operations, [f"DROP TYPE {_quote_type(operations, op.name, op.schema)}"])
    created_types(operations.migration_context).discard((op.schema, op.name))


@implements(AlterEnumOp)
def alter_enum(operations: Operations, op: AlterEnumOp) -> None:
    _need_named_types(operations, f"alter_enum {op.name!r}")
    if op.adds_only:
        _run(operations, add_value_statements(operations, op))
    else:
        _recreate_enum(operations, op)


def add_value_statements(operations: Operations, op: AlterEnumOp) -> list[str]:
    """``ALTER TYPE ... ADD VALUE`` for each new value, placed among the old ones.

    ``IF NOT EXISTS`` makes a rerun harmless: run in an autocommit block,
    a value stays added even when a later step of the migration fails.
    """
    type_name = _quote_type(operations, op.name, op.schema)
    present = list(op.existing_values)
    out: list[str] = []
    for index, value in enumerate(op.values):
        if value in present:
            continue
        if index == 0:
            place = f" BEFORE {_literal(present[0])}" if present else ""
        elif op.values[index - 1] == present[-1]:
            place = ""  # at the end, where ADD VALUE puts it anyway
        else:
            place = f" AFTER {_literal(op.values[index - 1])}"
        out.append(f"ALTER TYPE {type_name} ADD VALUE IF NOT EXISTS {_literal(value)}{place}")
        present.insert(present.index(op.values[index - 1]) + 1 if index else 0, value)
    return out


@dataclass(frozen=True)
class _EnumColumn:
    schema: str | None
    table: str
    column: str
    is_array: bool = False
    default: str | None = None


_USERS = text(
    """
SELECT cn.nspname::text, c.relname::text, a.attname::text, a.atttypid = t.typarray,
       pg_get_expr(ad.adbin, ad.adrelid)
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_depend d ON d.refclassid = 'pg_type'::regclass AND d.refobjid IN (t.oid, t.typarray)
                AND d.classid = 'pg_class'::regclass AND d.objsubid > 0
JOIN pg_attribute a ON a.attrelid = d.objid AND a.attnum = d.objsubid AND NOT a.attisdropped
JOIN pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p')
JOIN pg_namespace cn ON cn.oid = c.relnamespace
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE t.typtype = 'e' AND t.typname = :name AND n.nspname = COALESCE(:schema, current_schema())
ORDER BY cn.nspname, c.relname, a.attnum
"""
)


def _enum_columns(operations: Operations, op: AlterEnumOp) -> list[_EnumColumn]:
    """The columns of the type: from the catalog online, from the op's hints offline."""
    mc = operations.migration_context
    if mc.as_sql:
        return [_EnumColumn(s, t, c) for s, t, c in op.columns]
    conn = mc.get_bind()
    rows = conn.execute(_USERS, {"name": op.name, "schema": op.schema}).all()
    default_schema = conn.dialect.default_schema_name
    return [
        _EnumColumn(None if s == default_schema else s, t, c, bool(arr), d)
        for s, t, c, arr, d in rows
    ]


def _check_removed_values(
    operations: Operations, op: AlterEnumOp, columns: list[_EnumColumn]
) -> None:
    """Refuse, naming table, column and value, while a row holds a value that goes."""
    removed = op.removed
    if not removed or operations.migration_context.as_sql:
        return
    conn = operations.migration_context.get_bind()
    quote = operations.impl.preparer.quote
    values = ", ".join(_literal(v) for v in removed)
    for col in columns:
        table = operations.impl.quote_table(col.table, col.schema)
        column = quote(col.column)
        element = f"unnest({column})" if col.is_array else column
        found = conn.exec_driver_sql(
            f"SELECT v, count(*) FROM (SELECT {element}::text AS v FROM {table}) AS x "
            f"WHERE v IN ({values}) GROUP BY v ORDER BY v LIMIT 1"
        ).first()
        if found is not None:
            where = f"{col.schema}.{col.table}" if col.schema else col.table
            raise MigrationError(
                f"enum {op.name!r} cannot lose value {found[0]!r}: table {where!r} column "
                f"{col.column!r} still holds it in {found[1]} row(s); update or delete "
                f"those rows first (the type and the table were not changed)"
            )


def _recreate_enum(operations: Operations, op: AlterEnumOp) -> None:
    """Rename the type away, create it anew, cast every column of it, drop the old one.

    Each column goes through text (``col::text::new``), which fails for a
    value the new type lacks: online that is checked first, to fail with
    the table, column and value named.  A column default naming the type
    is dropped for the cast and set again (online, where it can be read).
    """
    columns = _enum_columns(operations, op)
    _check_removed_values(operations, op, columns)
    type_name = _quote_type(operations, op.name, op.schema)
    old_name = f"{op.name[:50]}__sd_old"
    labels = ", ".join(_literal(v) for v in op.values)
    quote = operations.impl.preparer.quote
    statements = [
        f"ALTER TYPE {type_name} RENAME TO {quote(old_name)}",
        f"CREATE TYPE {type_name} AS ENUM ({labels})",
    ]
    for col in columns:
        table = operations.impl.quote_table(col.table, col.schema)
        column = quote(col.column)
        alter = f"ALTER TABLE {table} ALTER COLUMN {column}"
        if col.default is not None:
            statements.append(f"{alter} DROP DEFAULT")
        cast = (
            f"{column}::text[]::{type_name}[]" if col.is_array else f"{column}::text::{type_name}"
        )
        new_type = f"{type_name}[]" if col.is_array else type_name
        statements.append(f"{alter} TYPE {new_type} USING {cast}")
        if col.default is not None:
            statements.append(f"{alter} SET DEFAULT {col.default}")
    statements.append(f"DROP TYPE {_quote_type(operations, old_name, op.schema)}")
    _run(operations, statements)


# -- sequences ---------------------------------------------------------------------
def _sequence(name: str, schema: str | None, options: SequenceOptions | None) -> SASequence:
    o = options or SequenceOptions()
    return SASequence(
        name,
        start=o.start,
        increment=o.increment,
        minvalue=o.minvalue,
        maxvalue=o.maxvalue,
        cycle=o.cycle,
        cache=o.cache,
        data_type=o.data_type,
        schema=schema,
    )


@implements(CreateSequenceOp)
def create_sequence(operations: Operations, op: CreateSequenceOp) -> None:
    _run(operations, [CreateSequence(_sequence(op.name, op.schema, op.options))])


@implements(DropSequenceOp)
def drop_sequence(operations: Operations, op: DropSequenceOp) -> None:
    _run(operations, [DropSequence(_sequence(op.name, op.schema, None))])


@implements(AlterSequenceOp)
def alter_sequence(operations: Operations, op: AlterSequenceOp) -> None:
    """One ALTER SEQUENCE with every option that changed.

    An option the new side leaves out goes back to the default: ``NO
    MINVALUE`` / ``NO MAXVALUE``; START and CACHE to what CREATE SEQUENCE
    would pick is left to the server by restating nothing.  The sequence's
    current value is not moved (no RESTART).
    """
    new, old = op.options, op.existing
    clauses: list[str] = []
    if new.data_type is not None and operations.impl.sequence_as_type:
        compiled = new.data_type.compile(dialect=operations.migration_context.dialect)
        clauses.append(f"AS {compiled}")
    if new.increment != old.increment:
        clauses.append(f"INCREMENT BY {1 if new.increment is None else new.increment}")
    for word, before, after in (
        ("MINVALUE", old.minvalue, new.minvalue),
        ("MAXVALUE", old.maxvalue, new.maxvalue),
    ):
        if before != after:
            clauses.append(f"NO {word}" if after is None else f"{word} {after}")
    # START is checked against MINVALUE/MAXVALUE: one left to its default
    # moves with them (PostgreSQL and MariaDB both start at the bound).
    if _start(new) != _start(old):
        clauses.append(f"START WITH {_start(new)}")
    default_cache = operations.impl.sequence_default_cache
    if (new.cache or default_cache) != (old.cache or default_cache):
        clauses.append(f"CACHE {new.cache or default_cache}")
    if bool(new.cycle) != bool(old.cycle):
        clauses.append("CYCLE" if new.cycle else operations.impl.sequence_no_cycle)
    if not clauses:
        return
    preparer = operations.impl.preparer
    name = preparer.quote(op.name)
    if op.schema:
        name = f"{preparer.quote_schema(op.schema)}.{name}"
    position = _position(operations, name)
    if position is not None and not _within(position, new):
        # Both servers refuse a range that leaves out where the sequence is
        # (PostgreSQL: "RESTART value cannot be less than MINVALUE"; MariaDB
        # error 4085); there is nothing to keep, so it starts over.
        log.warning(
            "sequence '%s' is at %s, outside its new range: it restarts at %s",
            op.name,
            position,
            _start(new),
        )
        clauses.append(f"RESTART WITH {_start(new)}")
    _run(operations, [f"ALTER SEQUENCE {name} {' '.join(clauses)}"])


def _position(operations: Operations, quoted_name: str) -> int | None:
    """Where the sequence stands (the value ALTER checks its range against); None offline."""
    mc = operations.migration_context
    if mc.as_sql:
        return None
    value = (
        mc.get_bind().exec_driver_sql(operations.impl.sequence_position_sql(quoted_name)).scalar()
    )
    return int(value) if value is not None else None


def _within(value: int, options: SequenceOptions) -> bool:
    ascending = options.increment is None or options.increment > 0
    low = options.minvalue if options.minvalue is not None else (1 if ascending else None)
    high = options.maxvalue if options.maxvalue is not None else (None if ascending else -1)
    return (low is None or value >= low) and (high is None or value <= high)


def _start(options: SequenceOptions) -> int:
    """START WITH, or where the sequence starts without one."""
    if options.start is not None:
        return options.start
    if options.increment is None or options.increment > 0:
        return 1 if options.minvalue is None else options.minvalue
    return -1 if options.maxvalue is None else options.maxvalue


# -- schemas -----------------------------------------------------------------------
@implements(CreateSchemaOp)
def create_schema(operations: Operations, op: CreateSchemaOp) -> None:
    _run(operations, [f"CREATE SCHEMA {operations.impl.preparer.quote_schema(op.name)}"])


@implements(DropSchemaOp)
def drop_schema(operations: Operations, op: DropSchemaOp) -> None:
    _run(operations, [f"DROP SCHEMA {operations.impl.preparer.quote_schema(op.name)}"])


def _register_directives() -> None:
    for op_cls, name in (
        (CreateEnumOp, "create_enum"),
        (DropEnumOp, "drop_enum"),
        (AlterEnumOp, "alter_enum"),
        (CreateSequenceOp, "create_sequence"),
        (DropSequenceOp, "drop_sequence"),
        (AlterSequenceOp, "alter_sequence"),
        (CreateSchemaOp, "create_schema"),
        (DropSchemaOp, "drop_schema"),
    ):
        if name not in Operations._registered:
            Operations.register_operation(name)(op_cls)


_register_directives()
