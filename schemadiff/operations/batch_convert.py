"""The parts a batch's table is made of, and what reads them from SQLAlchemy.

Plain dataclasses, so a batch can rename a column inside a key or drop a
check without fighting SQLAlchemy's object graph; the ``BatchTable`` of
``batch_model`` holds them and builds SQLAlchemy objects again at the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import CheckConstraint, Column, ForeignKeyConstraint, Index
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.types import SchemaType

from schemadiff.dialects.sqltext import plain_sql


@dataclass
class ColumnSlot:
    """One column of the new table and where its values come from."""

    column: Column[Any]
    source: str | None  # column name in the old table; None for a new column
    cast: bool = False  # the type changed: copy through CAST


@dataclass
class KeySpec:
    """A primary key or unique constraint."""

    name: str | None
    columns: list[str]
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class CheckSpec:
    name: str | None
    sqltext: str


@dataclass
class ForeignKeySpec:
    name: str | None
    columns: list[str]
    referred_schema: str | None
    referred_table: str
    referred_columns: list[str]
    options: dict[str, Any] = field(default_factory=dict)

    def refers_to(self, table: str, schema: str | None) -> bool:
        return self.referred_table == table and (self.referred_schema or None) == (schema or None)


@dataclass
class IndexSpec:
    """An index; ``sql`` keeps SQLite's own CREATE INDEX text (expressions, WHERE)."""

    name: str | None
    columns: list[str | None]
    expressions: list[str] = field(default_factory=list)
    unique: bool = False
    options: dict[str, Any] = field(default_factory=dict)
    sql: str | None = None
    #: per key (``columns`` order), its order/collation suffix as read from
    #: the database (``snapshot.index_shape``); empty when none has one
    modifiers: list[str] = field(default_factory=list)

    def mentions(self, column: str) -> bool:
        if column in self.columns:
            return True
        return any(mentions(e, column) for e in self.expressions) or bool(
            self.sql and mentions(split_on(self.sql)[1], column)
        )


# -- specs from SQLAlchemy objects ------------------------------------------------
def resolved_name(obj: Any, dialect: Dialect) -> str | None:
    """The name the DDL will carry, after any naming convention."""
    if obj.name is None:
        return None
    try:
        name = dialect.identifier_preparer.format_constraint(obj, _alembic_quote=False)
    except Exception:  # a convention that needs what this object lacks: leave it unnamed
        return None
    return str(name) if name is not None else None


def check_spec(cons: CheckConstraint, dialect: Dialect, table: Any = None) -> CheckSpec:
    sqltext = cons.sqltext
    if isinstance(sqltext, TextClause):
        body = sqltext.text
    else:
        body = plain_sql(sqltext, dialect)
    from sqlalchemy import Table

    attached = isinstance(getattr(cons, "parent", None), Table)
    name = resolved_name(cons, dialect) if attached else cons.name
    return CheckSpec(str(name) if name else None, body)


def fk_spec(cons: ForeignKeyConstraint, dialect: Dialect) -> ForeignKeySpec:
    first = cons.elements[0]._get_colspec().split(".")
    ref_schema = ".".join(first[:-2]) or None
    options = {
        k: getattr(cons, k)
        for k in ("ondelete", "onupdate", "deferrable", "initially", "match")
        if getattr(cons, k) is not None
    }
    return ForeignKeySpec(
        resolved_name(cons, dialect),
        [e.parent.name for e in cons.elements],
        ref_schema,
        first[-2],
        [e._get_colspec().split(".")[-1] for e in cons.elements],
        options,
    )


def index_spec(index: Index, dialect: Dialect) -> IndexSpec:
    columns: list[str | None] = []
    expressions: list[str] = []
    for expr in index.expressions:
        if isinstance(expr, Column):
            columns.append(expr.name)
        elif isinstance(expr, str):
            columns.append(expr)
        else:
            columns.append(None)
            expressions.append(plain_sql(expr, dialect))
    return IndexSpec(
        resolved_name(index, dialect),
        columns,
        expressions,
        bool(index.unique),
        dict(index.dialect_kwargs),
    )


def without_constraint(type_: Any) -> Any:
    """The type without its own CHECK: batch keeps that CHECK as a named spec instead."""
    if isinstance(type_, SchemaType) and getattr(type_, "create_constraint", False):
        type_ = type_.copy()  # type: ignore[no-untyped-call]
        type_.create_constraint = False
    return type_


# -- identifiers inside SQL text --------------------------------------------------
_STRING = re.compile(r"('(?:[^']|'')*')")


def _ident_pattern(name: str) -> re.Pattern[str]:
    n = re.escape(name)
    return re.compile(rf'(?<![\w$])(?:"{n}"|`{n}`|\[{n}\]|{n})(?![\w$])', re.IGNORECASE)


def mentions(sql: str, name: str) -> bool:
    """Whether SQL text names the identifier outside string literals."""
    pattern = _ident_pattern(name)
    return any(pattern.search(part) for part in _STRING.split(sql)[::2])


def rename_identifier(sql: str, old: str, new: str) -> str:
    """Rename an identifier in SQL text, keeping its quoting, never inside literals."""
    pattern = _ident_pattern(old)

    def sub(match: re.Match[str]) -> str:
        found = match.group(0)
        if found[0] in '"`[':
            return found[0] + new + found[-1]
        return new

    parts = _STRING.split(sql)
    for i in range(0, len(parts), 2):
        parts[i] = pattern.sub(sub, parts[i])
    return "".join(parts)


_ON = re.compile(r"\sON\s", re.IGNORECASE)


def split_on(sql: str) -> tuple[str, str]:
    """``CREATE INDEX name`` and ``ON table (...)``: the part naming columns is the second."""
    match = _ON.search(sql)
    return (sql[: match.start()], sql[match.start() :]) if match else (sql, "")


@dataclass
class ColumnExtras:
    """What a user's ``Column`` brings besides itself: ``unique=True``, ``index=True``,
    its own CHECKs, and the CHECK its Boolean/Enum type asks for."""

    uniques: list[Any]
    checks: list[Any]
    indexes: list[Index]


def column_extras(column: Column[Any]) -> ColumnExtras:
    checks = [c for c in column.constraints if isinstance(c, CheckConstraint)]
    table = column.table
    if table is None:
        return ColumnExtras([], checks, [])
    from sqlalchemy import UniqueConstraint

    def only(cols: Any) -> bool:
        cols = list(cols)
        return len(cols) == 1 and cols[0] is column

    uniques = [c for c in table.constraints if isinstance(c, UniqueConstraint) and only(c.columns)]
    checks += [
        c
        for c in table.constraints
        if isinstance(c, CheckConstraint)
        and getattr(c, "_type_bound", False)
        and (column.name in c.columns or mentions(str(c.sqltext), column.name))
    ]
    indexes = [i for i in table.indexes if only(i.columns)]
    return ColumnExtras(uniques, checks, indexes)
