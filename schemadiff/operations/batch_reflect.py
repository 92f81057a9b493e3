"""Where a batch's ``BatchTable`` comes from: the live table, or ``copy_from``.

Reflection goes through SQLAlchemy's inspector, then fills in what it does
not report on SQLite (SQLAlchemy 2.1): column-level UNIQUE, the ON
DELETE/UPDATE actions of column-level REFERENCES, AUTOINCREMENT, indexes on
expressions or with WHERE (kept as their own CREATE INDEX text), and
triggers, all of which a move-and-copy would otherwise lose.
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
    Identity,
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
from schemadiff.snapshot.model import IndexSnapshot
from schemadiff.snapshot.reflect import _index as snapshot_index
from schemadiff.snapshot.reflect import reflect_snapshot

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
    with warnings.catch_warnings():
        # SQLite expression indexes: kept through their own SQL text below
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        return _reflect_table(conn, name, schema, naming_convention)


def _reflect_table(
    conn: Connection, name: str, schema: str | None, naming_convention: Any
) -> BatchTable:
    insp = inspect(conn)
    if not insp.has_table(name, schema=schema):
        raise MigrationError(f"Table '{schema + '.' if schema else ''}{name}' does not exist")
    dialect = conn.dialect
    model = BatchTable(name, schema)
    for info in insp.get_columns(name, schema=schema):
        model.slots.append(ColumnSlot(_column(info, dialect), info["name"]))
    pk = insp.get_pk_constraint(name, schema=schema)
    if pk and pk.get("constrained_columns"):
        model.primary_key = KeySpec(pk.get("name"), list(pk["constrained_columns"]))
    for uq in insp.get_unique_constraints(name, schema=schema):
        model.uniques.append(KeySpec(uq.get("name"), list(uq["column_names"])))
    for ck in insp.get_check_constraints(name, schema=schema):
        model.checks.append(CheckSpec(ck.get("name"), ck["sqltext"]))
    for fk in insp.get_foreign_keys(name, schema=schema):
        model.foreign_keys.append(_fk_from_reflection(fk, schema, insp.default_schema_name))
    stored = _stored_indexes(conn, name, schema)
    for ix in insp.get_indexes(name, schema=schema):
        if ix.get("duplicates_constraint"):
            continue  # the index behind a unique constraint
        model.indexes.append(
            IndexSpec(
                ix.get("name"),
                list(ix.get("column_names") or []),
                [e for e in ix.get("expressions") or [] if e not in (ix.get("column_names") or [])],
                bool(ix.get("unique")),
                {k: v for k, v in (ix.get("dialect_options") or {}).items() if v not in (None, [])},
                # key order as the snapshot reader spells it, for the one conversion back
                modifiers=list(snapshot_index(dict(ix), dialect.name).modifiers),
            )
        )
        snap = stored.get(ix.get("name") or "")
        if snap is not None:  # PostgreSQL: collations, qualified operator classes
            spec = model.indexes[-1]
            spec.modifiers = list(snap.modifiers)
            ops = dict(snap.dialect_options).get("postgresql_ops")
            if ops:
                spec.options["postgresql_ops"] = dict(ops)
    if dialect.supports_comments:
        model.comment = insp.get_table_comment(name, schema=schema).get("text")
    model.kwargs.update(insp.get_table_options(name, schema=schema))
    if dialect.name == "sqlite":
        _sqlite_extras(conn, model)
    if dialect.name in ("mysql", "mariadb"):
        _mysql_unique_indexes(model)
        if getattr(dialect, "is_mariadb", False):
            _mariadb_column_checks(conn, model)
    model.remember_initial_keys()
    if naming_convention:
        _name_unnamed(model, naming_convention, dialect)
    return model


def _stored_indexes(conn: Connection, name: str, schema: str | None) -> dict[str, IndexSnapshot]:
    """The table's indexes as the snapshot reader sees them, where it sees more.

    PostgreSQL's catalog reader adds what SQLAlchemy's reflection leaves
    out (a key's collation, an operator class outside the search path), so
    a rebuilt index is the one the comparison saw.
    """
    if conn.dialect.name != "postgresql":
        return {}
    snap = reflect_snapshot(conn, schemas=(schema,), include_table_name=lambda n, _: n == name)
    return {ix.name: ix for table in snap for ix in table.indexes if ix.name}


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
    names = _sqlite_tables_naming(conn, name, schema)
    if names is not None and not (set(names) - {name}):
        return out
    found = insp.get_multi_foreign_keys(schema=schema, filter_names=names)
    for (fk_schema, fk_table), fks in found.items():
        if fk_table == name:
            continue  # the table's own (self-referencing) keys travel with it
        for fk in fks:
            spec = _fk_from_reflection(fk, fk_schema, default)
            if spec.refers_to(name, schema):
                out.append(ReferencingKey(fk_table, fk_schema, spec))
    return out


def _sqlite_tables_naming(conn: Connection, name: str, schema: str | None) -> list[str] | None:
    """SQLite: the tables whose DDL mentions ``name`` (None elsewhere: read them all).

    SQLite reads foreign keys one table at a time, two statements each; a
    key to ``name`` has to spell it in its table's DDL, so the others need
    not be read.  ``LIKE`` ignores ASCII case, as SQLite's names do, and its
    wildcards (``_``, ``%``) only widen the match.
    """
    if conn.dialect.name != "sqlite" or any(q in name for q in "\"'`]"):
        return None  # a quote in the name is doubled in the DDL: read every table
    master = "sqlite_master"
    if schema is not None:
        master = f"{conn.dialect.identifier_preparer.quote_identifier(schema)}.sqlite_master"
    rows = conn.exec_driver_sql(
        f"SELECT name FROM {master} WHERE type = 'table' AND sql LIKE ?", (f"%{name}%",)
    )
    return [row[0] for row in rows]


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
def _column(info: Mapping[str, Any], dialect: Dialect) -> Column[Any]:
    extras: list[Any] = []
    computed = info.get("computed")
    if computed:
        extras.append(Computed(text(computed["sqltext"]), persisted=computed.get("persisted")))
    identity = info.get("identity")
    if identity:
        extras.append(Identity(**identity))
    default = info.get("default")
    server_default = text(default) if default is not None and not computed else None
    autoincrement: Any = info.get("autoincrement", "auto")
    if server_default is not None and dialect.name == "postgresql":
        # A SERIAL column: keep DEFAULT nextval(...), never a second SERIAL.
        autoincrement = False
    return Column(
        info["name"],
        info["type"],
        *extras,
        nullable=bool(info.get("nullable", True)),
        server_default=server_default,
        comment=info.get("comment"),
        autoincrement=autoincrement if autoincrement is not None else "auto",
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


# -- SQLite ------------------------------------------------------------------------
def _sqlite_extras(conn: Connection, model: BatchTable) -> None:
    q = conn.dialect.identifier_preparer.quote
    schema = f"{q(model.schema)}." if model.schema else ""
    master = f"{schema}sqlite_master"
    table_sql = (
        conn.execute(
            text(f"SELECT sql FROM {master} WHERE type = 'table' AND name = :n"), {"n": model.name}
        ).scalar()
        or ""
    )
    if re.search(r"\bAUTOINCREMENT\b", table_sql, re.IGNORECASE):
        model.kwargs["sqlite_autoincrement"] = True
    if re.search(r"\)\s*WITHOUT\s+ROWID\s*;?\s*$", table_sql, re.IGNORECASE):
        model.kwargs["sqlite_with_rowid"] = False
    # Column-level UNIQUE: only the automatic index tells of it.
    known = {tuple(u.columns) for u in model.uniques}
    if model.primary_key:
        known.add(tuple(model.primary_key.columns))
    tq = q(model.name)
    for row in conn.exec_driver_sql(f"PRAGMA {schema}index_list({tq})").mappings():
        if row["origin"] != "u":
            continue
        cols = tuple(
            r["name"]
            for r in conn.exec_driver_sql(f"PRAGMA {schema}index_info({q(row['name'])})").mappings()
        )
        if cols not in known:
            model.uniques.append(KeySpec(None, list(cols)))
            known.add(cols)
    # ON DELETE / ON UPDATE of column-level REFERENCES.
    actions: dict[int, dict[str, Any]] = {}
    for row in conn.exec_driver_sql(f"PRAGMA {schema}foreign_key_list({tq})").mappings():
        entry = actions.setdefault(
            row["id"], {"table": row["table"], "from": [], "to": [], "row": row}
        )
        entry["from"].append(row["from"])
        entry["to"].append(row["to"])
    _column_constraint_names(table_sql, model)
    for entry in actions.values():
        for fk in model.foreign_keys:
            if fk.columns == entry["from"] and fk.referred_table == entry["table"]:
                row = entry["row"]
                for key, value in (("ondelete", row["on_delete"]), ("onupdate", row["on_update"])):
                    if value and value.upper() != "NO ACTION":
                        fk.options[key] = value
    # Indexes: SQLite's own text keeps expressions and WHERE clauses.
    sqls: dict[str, str] = dict(
        conn.execute(
            text(
                f"SELECT name, sql FROM {master} WHERE type = 'index' AND tbl_name = :n AND sql IS NOT NULL"
            ),
            {"n": model.name},
        ).all()
    )
    for index in model.indexes:
        if index.name in sqls:
            index.sql = sqls.pop(index.name)
    for name, sql in sqls.items():  # expression indexes SQLAlchemy skips
        model.indexes.append(
            IndexSpec(name, [], [], "UNIQUE" in sql.upper().split(" INDEX")[0], sql=sql)
        )
    model.triggers = list(
        conn.execute(
            text(
                f"SELECT sql FROM {master} WHERE type = 'trigger' AND tbl_name = :n AND sql IS NOT NULL"
            ),
            {"n": model.name},
        ).scalars()
    )


def _column_constraint_names(table_sql: str, model: BatchTable) -> None:
    """What a column definition says that SQLAlchemy's SQLite reflection does not
    report: ``COLLATE`` and the name in ``CONSTRAINT fk_x REFERENCES p (id)``."""
    body = table_sql[table_sql.find("(") + 1 : table_sql.rfind(")")]
    for part in _top_level_split(body):
        words = part.split()
        if not words or words[0].upper() in _TABLE_CONSTRAINT_WORDS:
            continue
        column = words[0].strip('"`[]')
        collate = re.search(r"\bCOLLATE\s+(\w+)", part, re.IGNORECASE)
        if collate is not None and column in model.column_names:
            type_ = model.slot(column).column.type
            if hasattr(type_, "collation") and not type_.collation:
                type_.collation = collate.group(1)
        match = re.search(r"CONSTRAINT\s+(\S+)\s+REFERENCES\b", part, re.IGNORECASE)
        if match is None:
            continue
        for fk in model.foreign_keys:
            if fk.name is None and fk.columns == [column]:
                fk.name = match.group(1).strip('"`[]')


_TABLE_CONSTRAINT_WORDS = frozenset({"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"})


def _top_level_split(body: str) -> list[str]:
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(body):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"`":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    return parts
