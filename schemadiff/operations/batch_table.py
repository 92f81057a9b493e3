"""The table a batch rebuilds: a copy of its ``TableSnapshot``, edited.

A ``Rebuild`` starts from the live table (read by the snapshot reader, see
``batch_reflect``) or from ``copy_from``, takes each operation of the batch
in order (``dataclasses.replace`` on the frozen snapshot items), and
remembers where each new column's rows come from.  The new table is then
built from the snapshot (``batch_build``).  Every constraint keeps its name,
or stays unnamed, exactly as found: nothing is dropped silently.  What an
operation makes meaningless goes the way PostgreSQL's ``DROP COLUMN`` takes
it: dropping a column drops the indexes and constraints on it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    Identity,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import SchemaType

from schemadiff.errors import MigrationError
from schemadiff.operations.batch_convert import (
    check_item,
    column_extras,
    column_item,
    default_text,
    fk_item,
    index_item,
    key_columns,
    resolved_name,
    without_constraint,
)
from schemadiff.operations.batch_text import mentions, rename_identifier, split_on
from schemadiff.snapshot.model import (
    ColumnSnapshot,
    ForeignKeySnapshot,
    IdentitySnapshot,
    IndexSnapshot,
    PrimaryKeySnapshot,
    TableSnapshot,
    UniqueSnapshot,
)

__all__ = ["Rebuild", "index_mentions", "refers_to"]


def refers_to(fk: ForeignKeySnapshot, table: str, schema: str | None) -> bool:
    return fk.referred_table == table and (fk.referred_schema or None) == (schema or None)


def index_mentions(index: IndexSnapshot, column: str) -> bool:
    return (
        column in index.expressions
        or any(mentions(e, column) for e in index.expressions)
        or bool(index.where and mentions(index.where, column))
        or bool(index.sql and mentions(split_on(index.sql)[1], column))
    )


@dataclass
class Rebuild:
    """One table being rebuilt: the new table as a snapshot, and for each of its
    columns the old column its rows come from."""

    table: TableSnapshot
    #: new column name -> old column name; a new column has none
    sources: dict[str, str] = field(default_factory=dict)
    #: new columns whose type changed: copied through CAST
    cast: set[str] = field(default_factory=set)
    #: old column name -> new name, for everything outside the table (SQLite views, FKs)
    renamed: dict[str, str] = field(default_factory=dict)
    dropped: set[str] = field(default_factory=set)
    #: names of the keys (primary, unique) the table has before the batch
    initial_keys: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, table: TableSnapshot) -> Rebuild:
        rebuild = cls(table, {c.name: c.name for c in table.columns})
        for fk in table.foreign_keys:
            if fk.name and refers_to(fk, table.name, table.schema):
                rebuild.initial_keys[fk.name] = "foreignkey"  # depends on the keys below
        if table.primary_key and table.primary_key.name:
            rebuild.initial_keys[table.primary_key.name] = "primary"
        for u in table.uniques:
            if u.name:
                rebuild.initial_keys[u.name] = "unique"
        return rebuild

    # -- looking up ------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.table.name

    @property
    def schema(self) -> str | None:
        return self.table.schema

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.table.columns]

    @property
    def full_name(self) -> str:
        return self.table.fullname

    def column(self, name: str) -> ColumnSnapshot:
        found = self.table.column(name)
        if found is None:
            raise MigrationError(
                f"No column '{name}' in table '{self.full_name}' "
                f"(columns: {', '.join(self.column_names) or 'none'})"
            )
        return found

    def constraint_names(self) -> set[str | None]:
        t = self.table
        names = {u.name for u in t.uniques} | {c.name for c in t.checks}
        names |= {f.name for f in t.foreign_keys}
        if t.primary_key is not None:
            names.add(t.primary_key.name)
        return names

    def column_is_constrained(self, name: str) -> bool:
        """Part of a key, index, foreign key or check: SQLite cannot DROP COLUMN it."""
        t = self.table
        return (
            (t.primary_key is not None and name in t.primary_key.columns)
            or any(name in u.columns for u in t.uniques)
            or any(name in f.columns for f in t.foreign_keys)
            or any(index_mentions(i, name) for i in t.indexes)
            or any(mentions(c.sqltext, name) for c in t.checks)
        )

    # -- editing ---------------------------------------------------------------
    def _edit(self, **changes: Any) -> None:
        self.table = dataclasses.replace(self.table, **changes)

    def _set_column(self, old: str, new: ColumnSnapshot) -> None:
        self._edit(columns=tuple(new if c.name == old else c for c in self.table.columns))

    def add_column(
        self,
        column: Column[Any],
        dialect: Dialect,
        insert_before: str | None = None,
        insert_after: str | None = None,
    ) -> None:
        if column.name in self.column_names:
            raise MigrationError(f"Column '{self.full_name}.{column.name}' already exists")
        self._type_bound_checks_of(column, dialect)
        columns = list(self.table.columns)
        anchor = insert_before or insert_after
        pos = len(columns)
        if anchor is not None:
            pos = columns.index(self.column(anchor)) + (0 if insert_before else 1)
        columns.insert(pos, column_item(column, dialect))
        self._edit(columns=tuple(columns))
        if column.primary_key:
            pk = self.table.primary_key or PrimaryKeySnapshot(None, ())
            self._edit(primary_key=dataclasses.replace(pk, columns=(*pk.columns, column.name)))
        extras = column_extras(column)
        uniques = [
            UniqueSnapshot(resolved_name(u, dialect), (column.name,)) for u in extras.uniques
        ]
        if column.unique and not extras.uniques and not extras.indexes:
            uniques.append(UniqueSnapshot(None, (column.name,)))
        checks = [
            check_item(c, dialect) for c in column.constraints if isinstance(c, CheckConstraint)
        ]
        self._edit(
            uniques=(*self.table.uniques, *uniques),
            checks=(*self.table.checks, *checks),
            foreign_keys=(
                *self.table.foreign_keys,
                *(fk_item(fk.constraint, dialect) for fk in column.foreign_keys if fk.constraint),
            ),
        )
        for index in extras.indexes:
            self.add_index(index, dialect)

    def _type_bound_checks_of(self, column: Column[Any], dialect: Dialect) -> None:
        """A user's Boolean/Enum column: its type's CHECK becomes an item of its own."""
        if not (
            isinstance(column.type, SchemaType) and getattr(column.type, "create_constraint", False)
        ):
            return
        if column.table is None:
            self._type_bound_checks(column.name, column.type, dialect)
            return
        for cons in column.table.constraints:
            if isinstance(cons, CheckConstraint) and getattr(cons, "_type_bound", False):
                item = check_item(cons, dialect)
                if column.name in cons.columns or mentions(item.sqltext, column.name):
                    self._edit(checks=(*self.table.checks, item))

    def drop_column(self, name: str) -> None:
        self.column(name)
        t = self.table
        source = self.sources.pop(name, None)
        if source is not None:
            self.dropped.add(source)
        self.cast.discard(name)
        self._edit(
            columns=tuple(c for c in t.columns if c.name != name),
            primary_key=None if t.primary_key and name in t.primary_key.columns else t.primary_key,
            uniques=tuple(u for u in t.uniques if name not in u.columns),
            foreign_keys=tuple(f for f in t.foreign_keys if name not in f.columns),
            indexes=tuple(i for i in t.indexes if not index_mentions(i, name)),
            checks=tuple(c for c in t.checks if not mentions(c.sqltext, name)),
        )

    def alter_column(self, op: Any, dialect: Dialect) -> None:
        col = self.column(op.column_name)
        changes: dict[str, Any] = {}
        if op.type is not None:
            new_type = op.type.new
            if isinstance(new_type, SchemaType) and getattr(new_type, "create_constraint", False):
                self._type_bound_checks(col.name, new_type, dialect)
            changes["type"] = without_constraint(new_type)
            if col.name in self.sources:
                self.cast.add(col.name)
        if op.nullable is not None:
            changes["nullable"] = bool(op.nullable.new)
        if op.server_default is not None:
            changes["server_default"] = default_text(op.server_default.new, dialect)
        if op.comment is not None:
            changes["comment"] = op.comment.new
        if op.identity is not None:
            changes.update(_identity_changes(col, op.identity.new))
        autoincrement = op.extra.get("autoincrement")
        if autoincrement is not None:
            changes["autoincrement"] = autoincrement
        if changes:
            self._set_column(col.name, dataclasses.replace(col, **changes))
        if op.new_column_name and op.new_column_name != col.name:
            self._rename_column(col.name, op.new_column_name)

    def _rename_column(self, old: str, new: str) -> None:
        if new in self.column_names:
            raise MigrationError(f"Column '{self.full_name}.{new}' already exists")
        self._set_column(old, dataclasses.replace(self.column(old), name=new))
        source = self.sources.pop(old, None)
        if source is not None:
            self.sources[new] = source
            self.renamed[source] = new
        if old in self.cast:
            self.cast.discard(old)
            self.cast.add(new)
        t = self.table

        def swap(names: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(new if n == old else n for n in names)

        def fk(f: ForeignKeySnapshot) -> ForeignKeySnapshot:
            referred = f.referred_columns
            if refers_to(f, t.name, t.schema):
                referred = swap(referred)
            return dataclasses.replace(f, columns=swap(f.columns), referred_columns=referred)

        def index(i: IndexSnapshot) -> IndexSnapshot:
            exprs = tuple(
                new if e == old else rename_identifier(e, old, new) for e in i.expressions
            )
            where = rename_identifier(i.where, old, new) if i.where else i.where
            sql = i.sql
            if sql:
                head, tail = split_on(sql)
                sql = head + rename_identifier(tail, old, new)
            return dataclasses.replace(i, expressions=exprs, where=where, sql=sql,
                                       dialect_options=_renamed_options(i, old, new))  # fmt: skip

        pk = t.primary_key
        self._edit(
            primary_key=dataclasses.replace(pk, columns=swap(pk.columns)) if pk else None,
            uniques=tuple(dataclasses.replace(u, columns=swap(u.columns)) for u in t.uniques),
            foreign_keys=tuple(fk(f) for f in t.foreign_keys),
            indexes=tuple(index(i) for i in t.indexes),
            checks=tuple(
                dataclasses.replace(c, sqltext=rename_identifier(c.sqltext, old, new))
                for c in t.checks
            ),
        )

    def _type_bound_checks(self, column: str, type_: SchemaType, dialect: Dialect) -> None:
        """The CHECK a Boolean/Enum type adds on backends without a native type."""
        probe = Table(self.name, MetaData(), Column(column, type_), schema=self.schema)
        found = [
            check_item(c, dialect) for c in probe.constraints if isinstance(c, CheckConstraint)
        ]
        self._edit(checks=(*self.table.checks, *found))

    def add_constraint(self, cons: Any, dialect: Dialect) -> None:
        if not isinstance(cons, CheckConstraint):
            for column in cons.columns:
                self.column(column.name)
        t = self.table
        if isinstance(cons, PrimaryKeyConstraint):
            self._edit(
                primary_key=PrimaryKeySnapshot(resolved_name(cons, dialect), key_columns(cons))
            )
        elif isinstance(cons, UniqueConstraint):
            item = UniqueSnapshot(resolved_name(cons, dialect), key_columns(cons))
            self._edit(uniques=(*t.uniques, item))
        elif isinstance(cons, CheckConstraint):
            self._edit(checks=(*t.checks, check_item(cons, dialect)))
        elif isinstance(cons, ForeignKeyConstraint):
            self._edit(foreign_keys=(*t.foreign_keys, fk_item(cons, dialect)))
        else:
            raise MigrationError(f"batch mode cannot add a {type(cons).__name__}")

    def drop_constraint(self, name: str, type_: str | None) -> None:
        kinds = ["primary", "unique", "check", "foreignkey"]
        wanted = [type_] if type_ in kinds else kinds
        t = self.table
        if "primary" in wanted and t.primary_key and t.primary_key.name == name:
            self._edit(primary_key=None)
            return
        for kind, attr in (
            ("unique", "uniques"),
            ("check", "checks"),
            ("foreignkey", "foreign_keys"),
        ):
            items: tuple[Any, ...] = getattr(t, attr)
            if kind in wanted and any(item.name == name for item in items):
                first = next(i for i, item in enumerate(items) if item.name == name)
                self._edit(**{attr: items[:first] + items[first + 1 :]})
                return
        known = [
            n
            for n in [
                t.primary_key.name if t.primary_key else None,
                *(u.name for u in t.uniques),
                *(c.name for c in t.checks),
                *(f.name for f in t.foreign_keys),
            ]
            if n
        ]
        raise MigrationError(
            f"No constraint named '{name}' on table '{self.full_name}' "
            f"(named constraints: {', '.join(known) or 'none'}; unnamed ones can be named "
            "with batch_alter_table(naming_convention=...))"
        )

    def add_index(self, index: Index, dialect: Dialect) -> None:
        self._edit(indexes=(*self.table.indexes, index_item(index, dialect)))

    def drop_index(self, name: str) -> None:
        indexes = self.table.indexes
        for i, index in enumerate(indexes):
            if index.name == name:
                self._edit(indexes=indexes[:i] + indexes[i + 1 :])
                return
        raise MigrationError(f"No index named '{name}' on table '{self.full_name}'")

    def reorder(self, partial_reordering: Any) -> None:
        """Each tuple names columns that must appear in that order."""
        for group in partial_reordering or ():
            columns = list(self.table.columns)
            moved = [self.column(name) for name in group]
            positions = sorted(columns.index(c) for c in moved)
            for pos, col in zip(positions, moved, strict=True):
                columns[pos] = col
            self._edit(columns=tuple(columns))

    def apply_table_args(self, table_args: Any, table_kwargs: Any, dialect: Dialect) -> None:
        """``table_args`` add (or, by name, replace) constraints; kwargs override options."""
        for item in table_args or ():
            t = self.table
            if isinstance(item, CheckConstraint):
                check = check_item(item, dialect)
                kept = [c for c in t.checks if not (check.name and c.name == check.name)]
                self._edit(checks=(*kept, check))
            elif isinstance(item, UniqueConstraint):
                cols = tuple(str(getattr(c, "name", c)) for c in item._pending_colargs)
                key = UniqueSnapshot(item.name if isinstance(item.name, str) else None, cols)
                kept_u = [u for u in t.uniques if not (key.name and u.name == key.name)]
                self._edit(uniques=(*kept_u, key))
            elif isinstance(item, Index):
                self._edit(indexes=(*t.indexes, index_item(item, dialect)))
            else:
                raise MigrationError(f"batch table_args cannot hold {item!r}")
        options = dict(self.table.options)
        options.update(table_kwargs or {})
        self._edit(options=tuple(options.items()))


def _identity_changes(col: ColumnSnapshot, identity: Identity | None) -> dict[str, Any]:
    """The rebuilt table's column generates as ``identity`` says (None: not at all);
    an identity column has no default of its own."""
    changes: dict[str, Any] = {"identity": None}
    if identity is not None:
        changes["server_default"] = None
        changes["identity"] = IdentitySnapshot(
            bool(identity.always),
            identity.start,
            identity.increment,
            identity.minvalue,
            identity.maxvalue,
            identity.cycle,
            identity.cache,
        )
        if col.autoincrement is False:  # as reflected for a plain column
            changes["autoincrement"] = "auto"
    return changes


def _renamed_options(index: IndexSnapshot, old: str, new: str) -> tuple[tuple[str, Any], ...]:
    """``postgresql_ops`` and ``postgresql_include`` name columns too."""
    out: list[tuple[str, Any]] = []
    for key, value in index.dialect_options:
        if key.endswith("_ops") and isinstance(value, tuple):
            value = tuple((new if k == old else k, v) for k, v in value)
        elif key.endswith("_include") and isinstance(value, tuple):
            value = tuple(new if v == old else v for v in value)
        out.append((key, value))
    return tuple(out)
