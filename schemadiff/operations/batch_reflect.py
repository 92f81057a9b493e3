"""Where a batch's table comes from: the live table, or ``copy_from``.

The live table is read by the snapshot reader, the one a comparison uses,
asked for the detail a rebuild needs besides (``snapshot.reflect.reflect_table``):
on SQLite that is what SQLAlchemy does not report (a column's UNIQUE,
COLLATE and REFERENCES name and actions, AUTOINCREMENT, WITHOUT ROWID,
STRICT, indexes on expressions, triggers), all of which a move-and-copy
would otherwise lose.
"""

from __future__ import annotations

import dataclasses
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
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
from sqlalchemy.types import NULLTYPE

from schemadiff.errors import MigrationError
from schemadiff.operations.batch_convert import resolved_name, table_item
from schemadiff.operations.batch_table import Rebuild, refers_to
from schemadiff.snapshot.model import CheckSnapshot, ForeignKeySnapshot, TableSnapshot
from schemadiff.snapshot.reflect import _fk as snapshot_fk
from schemadiff.snapshot.reflect import reflect_table as reflect_snapshot_table

_NEXTVAL = re.compile(r"nextval\('(?P<seq>[^']+)'(::regclass)?\)", re.IGNORECASE)


@dataclass(frozen=True)
class ReferencingKey:
    """A foreign key of another table that points at the table being rebuilt."""

    table: str
    schema: str | None
    key: ForeignKeySnapshot


def reflect_table(
    conn: Connection, name: str, schema: str | None, naming_convention: Any = None
) -> Rebuild:
    """The live table, read by the snapshot reader (``snapshot.reflect.reflect_table``)."""
    with warnings.catch_warnings():
        # expression indexes the generic reader skips (SQLite's are read from its DDL)
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        snap = reflect_snapshot_table(conn, name, schema)
    if snap is None:
        raise MigrationError(f"Table '{schema + '.' if schema else ''}{name}' does not exist")
    dialect = conn.dialect
    snap = _as_rebuilt(snap, schema, dialect, inspect(conn).default_schema_name)
    if getattr(dialect, "is_mariadb", False):
        snap = _mariadb_column_checks(conn, snap)
    rebuild = Rebuild.of(snap)
    if naming_convention:
        rebuild.table = _name_unnamed(rebuild.table, naming_convention, dialect)
    return rebuild


def _as_rebuilt(
    snap: TableSnapshot, schema: str | None, dialect: Dialect, default: str | None
) -> TableSnapshot:
    """The snapshot as a rebuild takes it: under the schema the batch names (and
    keys to the default schema saying so, when the batch names one), without
    the indexes that come with a key, and with PostgreSQL's SERIAL kept as its
    ``DEFAULT nextval(...)`` (never a second SERIAL)."""
    from schemadiff.dialects import impl_for

    impl = impl_for(dialect)
    unique_names = {u.name for u in snap.uniques if u.name}
    indexes = tuple(
        ix
        for ix in snap.indexes
        if not (isinstance(ix.source, dict) and ix.source.get("duplicates_constraint"))
        and not (impl.unique_constraint_is_index and ix.unique and ix.name in unique_names)
    )
    columns = snap.columns
    if impl.serial_defaults:
        columns = tuple(
            dataclasses.replace(c, autoincrement=False) if c.server_default is not None else c
            for c in columns
        )
    fks = snap.foreign_keys
    if schema is not None:
        fks = tuple(
            dataclasses.replace(f, referred_schema=default) if f.referred_schema is None else f
            for f in fks
        )
    return dataclasses.replace(
        snap, schema=schema, indexes=indexes, columns=columns, foreign_keys=fks
    )


def from_table(table: Table, dialect: Dialect, naming_convention: Any = None) -> Rebuild:
    """``copy_from``: the user's own description of the table, for offline batches."""
    rebuild = Rebuild.of(table_item(table, dialect))
    if naming_convention:
        rebuild.table = _name_unnamed(rebuild.table, naming_convention, dialect)
    return rebuild


def referencing_keys(conn: Connection, name: str, schema: str | None) -> list[ReferencingKey]:
    """Foreign keys of *other* tables of the schema pointing at this one.

    Only the tables holding such keys are reflected: SQLite and MySQL name
    them first in one catalog statement (``backends.<name>.batch``),
    PostgreSQL reads every key of the schema in one statement anyway.
    """
    from schemadiff.plugins import default_registries

    default = inspect(conn).default_schema_name
    dialect = conn.dialect.name
    reader = default_registries().backend(dialect).get("referring_keys", dialect)
    found: list[tuple[str, str | None, ForeignKeySnapshot]] = (
        reader(conn, name, schema, default)
        if reader is not None
        else keys_of_tables(conn, name, schema, default)
    )
    return [ReferencingKey(t, s, k) for t, s, k in found if refers_to(k, name, schema)]


def keys_of_tables(
    conn: Connection,
    name: str,
    schema: str | None,
    default: str | None,
    tables: list[str] | None = None,
) -> list[tuple[str, str | None, ForeignKeySnapshot]]:
    """``(table, schema, key)`` for the foreign keys of ``tables`` (all of the
    schema's when None) but ``name``'s own, which travel with it."""
    kw: dict[str, Any] = {"schema": schema}
    if tables is not None:
        kw["filter_names"] = tables
    found: list[tuple[str, str | None, ForeignKeySnapshot]] = []
    for (fk_schema, fk_table), fks in inspect(conn).get_multi_foreign_keys(**kw).items():
        if fk_table == name:
            continue
        for fk in fks:
            key = snapshot_fk(fk, default)
            if schema is not None and fk.get("referred_schema") == default:
                key = dataclasses.replace(key, referred_schema=default)
            found.append((fk_table, fk_schema, key))
    return found


def _mariadb_column_checks(conn: Connection, snap: TableSnapshot) -> TableSnapshot:
    """MariaDB keeps a column's CHECK (and JSON's json_valid) with the column;
    the catalog reader, as SQLAlchemy, reports only table-level ones.  Each is
    named after its column."""
    rows = conn.execute(
        text(
            "SELECT CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS "
            "WHERE CONSTRAINT_SCHEMA = coalesce(:s, DATABASE()) AND TABLE_NAME = :t "
            "AND LEVEL = 'Column'"
        ),
        {"s": snap.schema, "t": snap.name},
    ).all()
    known = {c.name for c in snap.checks}
    extra = tuple(CheckSnapshot(name, clause) for name, clause in rows if name not in known)
    return dataclasses.replace(snap, checks=snap.checks + extra)


def _name_unnamed(
    snap: TableSnapshot, convention: dict[str, Any], dialect: Dialect
) -> TableSnapshot:
    """``naming_convention=``: give reflected unnamed constraints the names it implies,
    so ``batch_op.drop_constraint(...)`` can address them."""
    md = MetaData(naming_convention=convention)
    probe = Table(snap.name, md, *[Column(c.name, NULLTYPE) for c in snap.columns])

    def name_of(make: Callable[[], Any]) -> str | None:
        try:
            cons = make()
            probe.append_constraint(cons)
        except Exception:  # the convention needs a name the constraint lacks
            return None
        return resolved_name(cons, dialect)

    def named(item: Any, make: Callable[[], Any]) -> Any:
        return item if item.name is not None else dataclasses.replace(item, name=name_of(make))

    def fk_maker(fk: ForeignKeySnapshot) -> Callable[[], Any]:
        key = (
            f"{fk.referred_schema}.{fk.referred_table}" if fk.referred_schema else fk.referred_table
        )
        ref = md.tables.get(key)
        if ref is None:
            ref = Table(fk.referred_table, md, schema=fk.referred_schema)
        for c in fk.referred_columns:
            if c not in ref.c:
                ref.append_column(Column(c, NULLTYPE))
        return lambda: ForeignKeyConstraint(
            list(fk.columns), [ref.c[c] for c in fk.referred_columns]
        )

    def unique(u: Any) -> Callable[[], Any]:
        return lambda: UniqueConstraint(*u.columns)

    def check(c: Any) -> Callable[[], Any]:
        return lambda: CheckConstraint(text(c.sqltext))

    def primary(key: Any) -> Callable[[], Any]:
        return lambda: PrimaryKeyConstraint(*key.columns)

    pk = snap.primary_key
    if pk is not None and pk.name is None and "pk" in convention:
        pk = named(pk, primary(pk))
    return dataclasses.replace(
        snap,
        uniques=tuple(named(u, unique(u)) for u in snap.uniques),
        primary_key=pk,
        checks=tuple(named(c, check(c)) for c in snap.checks),
        foreign_keys=tuple(named(f, fk_maker(f)) for f in snap.foreign_keys),
    )
