"""What a SQLite table rebuild must keep that a comparison does not read.

The catalog reader (``snapshot.bulk_sqlite``) reports what SQLAlchemy's
reflection reports, so that both readers give the same diff; SQLAlchemy
misses the names and actions of a column's own ``REFERENCES``, a column's
``UNIQUE`` and ``COLLATE``, ``AUTOINCREMENT``, ``WITHOUT ROWID``,
``STRICT``, indexes on expressions and triggers.  A table rebuilt without
them silently loses behaviour, so for a rebuild (``detailed=True``) the
reader completes its snapshot here, from the same exact parse of the
stored DDL and one more ``sqlite_master`` read.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable
from typing import Any

from schemadiff.backends.sqlite import ddl_parser as ddl
from schemadiff.snapshot.model import (
    CheckSnapshot,
    ColumnSnapshot,
    ComputedSnapshot,
    ForeignKeySnapshot,
    IndexSnapshot,
    TableSnapshot,
    UniqueSnapshot,
    ordered,
)

__all__ = ["detailed_table"]


def detailed_table(
    snap: TableSnapshot,
    parsed: ddl.TableDef | None,
    autoindexes: set[tuple[str, ...]],
    stored: Iterable[tuple[str, str, str]],
) -> TableSnapshot:
    """``snap`` with everything the stored DDL says, exactly.

    ``autoindexes``: column lists of SQLite's automatic indexes (the UNIQUE
    constraints that exist); ``stored``: ``(type, name, sql)`` of the
    table's indexes and triggers from ``sqlite_master``.
    """
    index_sql = {name: sql for type_, name, sql in stored if type_ == "index"}
    triggers = tuple(sql for type_, _, sql in stored if type_ == "trigger")
    indexes = [
        dataclasses.replace(ix, sql=index_sql.pop(ix.name or "", None)) for ix in snap.indexes
    ]
    for name, sql in index_sql.items():  # on expressions: the reader leaves them out
        indexes.append(IndexSnapshot(name, (), ddl.parse_create_index(sql).unique, sql=sql))
    snap = dataclasses.replace(snap, indexes=ordered(indexes), triggers=triggers)
    if parsed is None:
        return snap
    pk_columns = snap.primary_key.columns if snap.primary_key else ()
    return dataclasses.replace(
        snap,
        columns=tuple(_column(col, parsed) for col in snap.columns),
        uniques=ordered(_uniques(parsed, autoindexes, pk_columns)),
        foreign_keys=ordered(_foreign_keys(parsed, snap.foreign_keys)),
        checks=ordered(_checks(parsed)),
        options=_options(parsed),
    )


def _in_order(parsed: ddl.TableDef) -> list[tuple[ddl.Constraint, tuple[str, ...]]]:
    """Each constraint with the columns it covers (a column's own: that column)."""
    found: list[tuple[ddl.Constraint, tuple[str, ...]]] = [
        (c, (col.name.value,)) for col in parsed.columns for c in col.constraints
    ]
    found += [(c, tuple(n.value for n in c.columns)) for c in parsed.constraints]
    return sorted(found, key=lambda item: item[0].constraint_start)


def _column(col: ColumnSnapshot, parsed: ddl.TableDef) -> ColumnSnapshot:
    written = parsed.column(col.name)
    if written is None:
        return col
    changes: dict[str, Any] = {}
    collation = ddl.column_collation(written, parsed.statement.sql)
    if collation is not None and hasattr(col.type, "collation"):
        type_ = copy.copy(col.type)  # types are shared between columns of a read
        type_.collation = collation
        changes["type"] = type_
    for c in written.constraints:
        if c.kind == "generated" and col.computed is not None and c.body_span is not None:
            body = parsed.statement.sql[c.body_span[0] + 1 : c.body_span[1]].strip()
            changes["computed"] = ComputedSnapshot(body, col.computed.persisted)
    return dataclasses.replace(col, **changes) if changes else col


def _uniques(
    parsed: ddl.TableDef, autoindexes: set[tuple[str, ...]], pk_columns: tuple[str, ...]
) -> list[UniqueSnapshot]:
    """Every UNIQUE SQLite keeps an index for, named as written."""
    left = set(autoindexes) - {pk_columns}
    found: list[UniqueSnapshot] = []
    for c, columns in _in_order(parsed):
        if c.kind == "unique" and columns in left:
            left.discard(columns)
            found.append(UniqueSnapshot(c.name.value if c.name else None, columns))
    found.extend(UniqueSnapshot(None, columns) for columns in sorted(left))
    return found


def _foreign_keys(
    parsed: ddl.TableDef, read: Iterable[ForeignKeySnapshot]
) -> list[ForeignKeySnapshot]:
    """The keys ``foreign_key_list`` reports, each with its name and actions as written."""
    left = list(read)
    found: list[ForeignKeySnapshot] = []
    for c, columns in _in_order(parsed):
        ref = c.references
        if c.kind != "foreign_key" or ref is None:
            continue
        table = ref.table.value.lower()
        for fk in left:
            if fk.columns == columns and fk.referred_table.lower() == table:
                left.remove(fk)
                found.append(dataclasses.replace(fk, name=c.name.value if c.name else None,
                                                 **_actions(ref.clauses)))  # fmt: skip
                break
    return found + left


def _actions(clauses: list[tuple[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {"ondelete": None, "onupdate": None}
    for clause, value in clauses:
        if clause in ("ON DELETE", "ON UPDATE") and value != "NO ACTION":
            out["ondelete" if clause == "ON DELETE" else "onupdate"] = value
        elif clause == "DEFERRABLE":
            out["deferrable"] = value == "DEFERRABLE"
        elif clause == "INITIALLY":
            out["initially"] = value
    return out


def _checks(parsed: ddl.TableDef) -> list[CheckSnapshot]:
    sql = parsed.statement.sql
    return [
        CheckSnapshot(
            c.name.value if c.name else None, sql[c.body_span[0] + 1 : c.body_span[1]].strip()
        )
        for c, _ in _in_order(parsed)
        if c.kind == "check" and c.body_span is not None
    ]


def _options(parsed: ddl.TableDef) -> tuple[tuple[str, Any], ...]:
    options: dict[str, Any] = {}
    if any(c.kind == "primary_key" and c.autoincrement for c, _ in _in_order(parsed)):
        options["sqlite_autoincrement"] = True
    written = ddl.table_options(parsed)
    if "WITHOUT ROWID" in written:
        options["sqlite_with_rowid"] = False
    if "STRICT" in written:
        options["sqlite_strict"] = True
    return tuple(sorted(options.items()))
