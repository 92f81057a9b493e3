"""Where a batch's ``BatchTable`` comes from: the live table, or ``copy_from``.

The live table is read by the snapshot reader, the one a comparison uses,
asked for the detail a rebuild needs besides (``snapshot.reflect.reflect_table``):
on SQLite that is what SQLAlchemy does not report (a column's UNIQUE,
COLLATE and REFERENCES name and actions, AUTOINCREMENT, WITHOUT ROWID,
STRICT, indexes on expressions, triggers), all of which a move-and-copy
would otherwise lose.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Computed,
    ForeignKeyConstraint,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    inspect,
    text,
)
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import SAWarning

from schemadiff.errors import MigrationError
from schemadiff.operations.batch_model import BatchTable
from schemadiff.operations.batch_specs import (
    CheckSpec,
    ColumnSlot,
    ForeignKeySpec,
    IndexSpec,
    KeySpec,
    check_spec,
    fk_spec,
    index_spec,
    resolved_name,
    without_constraint,
)
from schemadiff.snapshot.model import ColumnSnapshot, ForeignKeySnapshot, TableSnapshot
from schemadiff.snapshot.reflect import reflect_table as reflect_snapshot_table
from schemadiff.snapshot.to_sqlalchemy import identity_from_snapshot

_NEXTVAL = re.compile(r"nextval\('(?P<seq>[^']+)'(::regclass)?\)", re.IGNORECASE)


@dataclass(frozen=True)
class ReferencingKey:
    """A foreign key of another table that points at the table being rebuilt."""

    table: str
    schema: str | None
    spec: ForeignKeySpec


def reflect_table(
    conn: Connection, name: str, schema: str | None, naming_convention: Any = None
) -> BatchTable:
    """The live table, read by the snapshot reader (``snapshot.reflect.reflect_table``)."""
    with warnings.catch_warnings():
        # expression indexes the generic reader skips (SQLite's are read from its DDL)
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        snap = reflect_snapshot_table(conn, name, schema)
    if snap is None:
        raise MigrationError(f"Table '{schema + '.' if schema else ''}{name}' does not exist")
    dialect = conn.dialect
    model = from_snapshot(snap, schema, dialect)
    if dialect.name in ("mysql", "mariadb"):
        _mysql_unique_indexes(model)
        if getattr(dialect, "is_mariadb", False):
            _mariadb_column_checks(conn, model)
    model.remember_initial_keys()
    if naming_convention:
        _name_unnamed(model, naming_convention, dialect)
    return model


def from_snapshot(snap: TableSnapshot, schema: str | None, dialect: Dialect) -> BatchTable:
    model = BatchTable(snap.name, schema, comment=snap.comment, kwargs=dict(snap.options))
    model.triggers = list(snap.triggers)
    for col in snap.columns:
        model.slots.append(ColumnSlot(_column(col, dialect), col.name))
    if snap.primary_key is not None:
        model.primary_key = KeySpec(snap.primary_key.name, list(snap.primary_key.columns))
    model.uniques = [KeySpec(u.name, list(u.columns)) for u in snap.uniques]
    model.checks = [CheckSpec(c.name, c.sqltext) for c in snap.checks]
    model.foreign_keys = [_fk(fk) for fk in snap.foreign_keys]
    names = {c.name for c in snap.columns}
    for ix in snap.indexes:
        if isinstance(ix.source, dict) and ix.source.get("duplicates_constraint"):
            continue  # the index behind a unique constraint
        model.indexes.append(
            IndexSpec(
                ix.name,
                [e if e in names else None for e in ix.expressions],
                [e for e in ix.expressions if e not in names],
                ix.unique,
                {k: _option_value(v) for k, v in ix.dialect_options},
                sql=ix.sql,
                modifiers=list(ix.modifiers),
            )
        )
    return model


def _option_value(value: Any) -> Any:
    """An index option as ``Index()`` takes it (the snapshot keeps hashable pairs)."""
    if not isinstance(value, tuple):
        return value
    if all(isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], str) for v in value):
        return dict(value)  # postgresql_ops, postgresql_with
    return list(value)


def _fk(fk: ForeignKeySnapshot) -> ForeignKeySpec:
    options = {
        "ondelete": fk.ondelete,
        "onupdate": fk.onupdate,
        "deferrable": fk.deferrable,
        "initially": fk.initially,
    }
    return ForeignKeySpec(
        fk.name,
        list(fk.columns),
        fk.referred_schema,
        fk.referred_table,
        list(fk.referred_columns),
        {k: v for k, v in options.items() if v is not None},
    )


def from_table(table: Table, dialect: Dialect, naming_convention: Any = None) -> BatchTable:
    """``copy_from``: the user's own description of the table, for offline batches."""
    model = BatchTable(table.name, table.schema, comment=table.comment)
    for col in table.columns:
        model.slots.append(ColumnSlot(_plain_copy(col), col.name))
    for cons in table.constraints:
        if isinstance(cons, PrimaryKeyConstraint):
            if cons.columns:
                model.primary_key = KeySpec(
                    resolved_name(cons, dialect), [c.name for c in cons.columns]
                )
        elif isinstance(cons, UniqueConstraint):
            model.uniques.append(
                KeySpec(resolved_name(cons, dialect), [c.name for c in cons.columns])
            )
        elif isinstance(cons, CheckConstraint):
            model.checks.append(check_spec(cons, dialect))
        elif isinstance(cons, ForeignKeyConstraint):
            model.foreign_keys.append(fk_spec(cons, dialect))
    for index in table.indexes:
        model.indexes.append(index_spec(index, dialect))
    model.kwargs.update(table.kwargs)
    model.remember_initial_keys()
    if naming_convention:
        _name_unnamed(model, naming_convention, dialect)
    return model


def referencing_keys(conn: Connection, name: str, schema: str | None) -> list[ReferencingKey]:
    """Foreign keys of *other* tables pointing at this one (one bulk catalog read)."""
    insp = inspect(conn)
    default = insp.default_schema_name
    out: list[ReferencingKey] = []
    if conn.dialect.name == "sqlite":
        from schemadiff.backends.sqlite.batch import referring_keys

        for table, key in referring_keys(conn, name, schema, default):
            spec = _fk(key)
            if spec.refers_to(name, schema):
                out.append(ReferencingKey(table, schema, spec))
        return out
    for (fk_schema, fk_table), fks in insp.get_multi_foreign_keys(schema=schema).items():
        if fk_table == name:
            continue  # the table's own (self-referencing) keys travel with it
        for fk in fks:
            spec = _fk_from_reflection(fk, fk_schema, default)
            if spec.refers_to(name, schema):
                out.append(ReferencingKey(fk_table, fk_schema, spec))
    return out


def owned_sequences(conn: Connection, model: BatchTable) -> dict[str, str]:
    """PostgreSQL: column -> sequence for columns whose default draws from a sequence
    the old table owns (SERIAL); the sequence must outlive the old table."""
    out: dict[str, str] = {}
    qualified = model.full_name
    for slot in model.slots:
        default = slot.column.server_default
        arg = getattr(default, "arg", None)
        sql = getattr(arg, "text", arg)
        if not isinstance(sql, str) or not _NEXTVAL.search(sql):
            continue
        seq = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"),
            {"t": qualified, "c": slot.source},
        ).scalar()
        if seq and slot.source:
            out[slot.source] = seq
    return out


# -- helpers -------------------------------------------------------------------------
def _column(col: ColumnSnapshot, dialect: Dialect) -> Column[Any]:
    extras: list[Any] = []
    if col.computed is not None:
        extras.append(Computed(text(col.computed.sqltext), persisted=col.computed.persisted))
    if col.identity is not None:
        extras.append(identity_from_snapshot(col.identity))
    default = col.server_default
    autoincrement: Any = col.autoincrement
    if default is not None and dialect.name == "postgresql":
        # A SERIAL column: keep DEFAULT nextval(...), never a second SERIAL.
        autoincrement = False
    return Column(
        col.name,
        col.type,
        *extras,
        nullable=col.nullable,
        server_default=text(default) if default is not None else None,
        comment=col.comment,
        autoincrement=autoincrement,
    )


def _plain_copy(col: Column[Any]) -> Column[Any]:
    copy = col._copy()
    copy.type = without_constraint(col.type)
    copy.unique = None
    copy.index = None
    copy.primary_key = False
    copy.foreign_keys = set()
    copy.constraints = set()
    return copy


def _fk_from_reflection(
    fk: Mapping[str, Any], schema: str | None, default: str | None
) -> ForeignKeySpec:
    ref_schema = fk.get("referred_schema")
    if ref_schema == default and schema is None:
        ref_schema = None
    options = {k: v for k, v in (fk.get("options") or {}).items() if v is not None}
    return ForeignKeySpec(
        fk.get("name"),
        list(fk["constrained_columns"]),
        ref_schema,
        fk["referred_table"],
        list(fk["referred_columns"]),
        options,
    )


def _mysql_unique_indexes(model: BatchTable) -> None:
    """MySQL reports unique constraints as unique indexes too; keep one of each."""
    names = {u.name for u in model.uniques}
    model.indexes = [i for i in model.indexes if not (i.unique and i.name in names)]


def _mariadb_column_checks(conn: Connection, model: BatchTable) -> None:
    """MariaDB keeps a column's CHECK (and JSON's json_valid) with the column;
    SQLAlchemy 2.1 reports only table-level ones.  Each is named after its column."""
    rows = conn.execute(
        text(
            "SELECT CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS "
            "WHERE CONSTRAINT_SCHEMA = coalesce(:s, DATABASE()) AND TABLE_NAME = :t "
            "AND LEVEL = 'Column'"
        ),
        {"s": model.schema, "t": model.name},
    ).all()
    known = {c.name for c in model.checks}
    for name, clause in rows:
        if name not in known:
            model.checks.append(CheckSpec(name, clause))


def _name_unnamed(model: BatchTable, convention: dict[str, Any], dialect: Dialect) -> None:
    """``naming_convention=``: give reflected unnamed constraints the names it implies,
    so ``batch_op.drop_constraint(...)`` can address them."""
    md = MetaData(naming_convention=convention)
    from sqlalchemy.types import NULLTYPE

    probe = Table(model.name, md, *[Column(n, NULLTYPE) for n in model.column_names])
    ref_tables: dict[str, Table] = {}

    def name_of(make: Any) -> str | None:
        try:
            cons = make()
            probe.append_constraint(cons)
        except Exception:  # the convention needs a name the constraint lacks
            return None
        return resolved_name(cons, dialect)

    for key in model.uniques:
        if key.name is None:
            key.name = name_of(lambda k=key: UniqueConstraint(*k.columns))
    if model.primary_key is not None and model.primary_key.name is None and "pk" in convention:
        model.primary_key.name = name_of(
            lambda: PrimaryKeyConstraint(*model.primary_key.columns)  # type: ignore[union-attr,unused-ignore]
        )
    for check in model.checks:
        if check.name is None:
            check.name = name_of(lambda c=check: CheckConstraint(text(c.sqltext)))
    for fk in model.foreign_keys:
        if fk.name is None:
            ref = ref_tables.get(fk.referred_table)
            if ref is None:
                ref = Table(fk.referred_table, md, schema=fk.referred_schema)
                ref_tables[fk.referred_table] = ref
            for c in fk.referred_columns:
                if c not in ref.c:
                    ref.append_column(Column(c, NULLTYPE))
            fk.name = name_of(
                lambda f=fk, r=ref: ForeignKeyConstraint(
                    f.columns, [r.c[c] for c in f.referred_columns]
                )
            )
