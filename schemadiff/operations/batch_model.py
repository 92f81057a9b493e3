"""The table a batch rebuilds, as plain editable data.

A ``BatchTable`` starts from the live table (reflected, see
``batch_reflect``) or from ``copy_from``, takes each operation of the batch
in order, and finally builds the SQLAlchemy ``Table`` to create and the
``INSERT .. SELECT`` that copies the rows.  Every constraint keeps its name,
or stays unnamed, exactly as found: nothing is dropped silently.  What an
operation makes meaningless goes the way PostgreSQL's ``DROP COLUMN`` takes
it: dropping a column drops the indexes and constraints on it.
"""

from __future__ import annotations

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
    cast,
    select,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.naming import conv
from sqlalchemy.sql.schema import DefaultClause
from sqlalchemy.types import SchemaType

from schemadiff.errors import MigrationError
from schemadiff.operations.batch_specs import (
    CheckSpec,
    ColumnSlot,
    ForeignKeySpec,
    IndexSpec,
    KeySpec,
    check_spec,
    column_extras,
    fk_spec,
    index_spec,
    mentions,
    rename_identifier,
    resolved_name,
    split_on,
    without_constraint,
)
from schemadiff.snapshot.index_shape import option_items
from schemadiff.snapshot.model import IndexSnapshot
from schemadiff.snapshot.to_sqlalchemy import index_from_snapshot

__all__ = [
    "BatchTable",
    "CheckSpec",
    "ColumnSlot",
    "ForeignKeySpec",
    "IndexSpec",
    "KeySpec",
]


@dataclass
class BatchTable:
    """One table being rebuilt: its columns (with where each one's rows come from)
    and its keys, checks, foreign keys, indexes and options, all by name."""

    name: str
    schema: str | None
    slots: list[ColumnSlot] = field(default_factory=list)
    primary_key: KeySpec | None = None
    uniques: list[KeySpec] = field(default_factory=list)
    checks: list[CheckSpec] = field(default_factory=list)
    foreign_keys: list[ForeignKeySpec] = field(default_factory=list)
    indexes: list[IndexSpec] = field(default_factory=list)
    comment: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    #: SQLite: CREATE TRIGGER statements to run again after the swap
    triggers: list[str] = field(default_factory=list)
    #: old column name -> new name, for everything outside the table (SQLite views, FKs)
    renamed: dict[str, str] = field(default_factory=dict)
    dropped: set[str] = field(default_factory=set)
    #: names of the keys (primary, unique) the table has before the batch
    initial_keys: dict[str, str] = field(default_factory=dict)

    def remember_initial_keys(self) -> None:
        for fk in self.foreign_keys:
            if fk.name and fk.refers_to(self.name, self.schema):
                self.initial_keys[fk.name] = "foreignkey"  # depends on the keys below
        if self.primary_key and self.primary_key.name:
            self.initial_keys[self.primary_key.name] = "primary"
        for u in self.uniques:
            if u.name:
                self.initial_keys[u.name] = "unique"

    # -- looking up ------------------------------------------------------------
    @property
    def column_names(self) -> list[str]:
        return [s.column.name for s in self.slots]

    @property
    def full_name(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    def slot(self, name: str) -> ColumnSlot:
        for s in self.slots:
            if s.column.name == name:
                return s
        raise MigrationError(
            f"No column '{name}' in table '{self.full_name}' "
            f"(columns: {', '.join(self.column_names) or 'none'})"
        )

    def column_is_constrained(self, name: str) -> bool:
        """Part of a key, index, foreign key or check: SQLite cannot DROP COLUMN it."""
        return (
            (self.primary_key is not None and name in self.primary_key.columns)
            or any(name in u.columns for u in self.uniques)
            or any(name in f.columns for f in self.foreign_keys)
            or any(i.mentions(name) for i in self.indexes)
            or any(mentions(c.sqltext, name) for c in self.checks)
        )

    # -- editing ---------------------------------------------------------------
    def add_column(
        self,
        column: Column[Any],
        dialect: Dialect,
        insert_before: str | None = None,
        insert_after: str | None = None,
    ) -> None:
        if column.name in self.column_names:
            raise MigrationError(f"Column '{self.full_name}.{column.name}' already exists")
        new = _detached(column, dialect, self)
        slot = ColumnSlot(new, None)
        anchor = insert_before or insert_after
        if anchor is None:
            self.slots.append(slot)
        else:
            pos = self.slots.index(self.slot(anchor)) + (0 if insert_before else 1)
            self.slots.insert(pos, slot)
        if column.primary_key:
            pk = self.primary_key or KeySpec(None, [])
            pk.columns.append(column.name)
            self.primary_key = pk
        extras = column_extras(column)
        for unique in extras.uniques:
            self.uniques.append(KeySpec(resolved_name(unique, dialect), [column.name]))
        if column.unique and not extras.uniques and not extras.indexes:
            self.uniques.append(KeySpec(None, [column.name]))
        for check in column.constraints:
            if isinstance(check, CheckConstraint):
                self.checks.append(check_spec(check, dialect))
        for index in extras.indexes:
            self.add_index(index, dialect)
        for fk in column.foreign_keys:
            self.foreign_keys.append(fk_spec(fk.constraint, dialect))  # type: ignore[arg-type]

    def drop_column(self, name: str) -> None:
        slot = self.slot(name)
        self.slots.remove(slot)
        if slot.source is not None:
            self.dropped.add(slot.source)
        if self.primary_key is not None and name in self.primary_key.columns:
            self.primary_key = None
        self.uniques = [u for u in self.uniques if name not in u.columns]
        self.foreign_keys = [f for f in self.foreign_keys if name not in f.columns]
        self.indexes = [i for i in self.indexes if not i.mentions(name)]
        self.checks = [c for c in self.checks if not mentions(c.sqltext, name)]

    def alter_column(self, op: Any, dialect: Dialect) -> None:
        slot = self.slot(op.column_name)
        col = slot.column
        if op.type is not None:
            new_type = op.type.new
            if isinstance(new_type, SchemaType) and getattr(new_type, "create_constraint", False):
                self._type_bound_checks(col.name, new_type, dialect)
            col.type = without_constraint(new_type)
            slot.cast = slot.source is not None
        if op.nullable is not None:
            col.nullable = bool(op.nullable.new)
        if op.server_default is not None:
            col.server_default = _server_default(op.server_default.new)
        if op.comment is not None:
            col.comment = op.comment.new
        if op.identity is not None:
            _set_identity(col, op.identity.new)
        autoincrement = op.extra.get("autoincrement")
        if autoincrement is not None:
            col.autoincrement = autoincrement
        if op.new_column_name and op.new_column_name != col.name:
            self._rename_column(slot, op.new_column_name)

    def _rename_column(self, slot: ColumnSlot, new: str) -> None:
        old = slot.column.name
        if new in self.column_names:
            raise MigrationError(f"Column '{self.full_name}.{new}' already exists")
        slot.column.name = slot.column.key = new
        if slot.source is not None:
            self.renamed[slot.source] = new

        def swap(names: list[Any]) -> list[Any]:
            return [new if n == old else n for n in names]

        for key in [self.primary_key, *self.uniques]:
            if key is not None:
                key.columns = swap(key.columns)
        for fk in self.foreign_keys:
            fk.columns = swap(fk.columns)
            if fk.refers_to(self.name, self.schema):
                fk.referred_columns = swap(fk.referred_columns)
        for index in self.indexes:
            index.columns = swap(index.columns)
            index.expressions = [rename_identifier(e, old, new) for e in index.expressions]
            if index.sql:
                head, tail = split_on(index.sql)
                index.sql = head + rename_identifier(tail, old, new)
        for check in self.checks:
            check.sqltext = rename_identifier(check.sqltext, old, new)

    def _type_bound_checks(self, column: str, type_: SchemaType, dialect: Dialect) -> None:
        """The CHECK a Boolean/Enum type adds on backends without a native type."""
        probe = Table(self.name, MetaData(), Column(column, type_), schema=self.schema)
        for cons in probe.constraints:
            if isinstance(cons, CheckConstraint):
                self.checks.append(check_spec(cons, dialect))

    def add_constraint(self, cons: Any, dialect: Dialect) -> None:
        for name in _constraint_columns(cons):
            self.slot(name)
        if isinstance(cons, PrimaryKeyConstraint):
            self.primary_key = KeySpec(resolved_name(cons, dialect), [c.name for c in cons.columns])
        elif isinstance(cons, UniqueConstraint):
            self.uniques.append(
                KeySpec(resolved_name(cons, dialect), [c.name for c in cons.columns])
            )
        elif isinstance(cons, CheckConstraint):
            self.checks.append(check_spec(cons, dialect))
        elif isinstance(cons, ForeignKeyConstraint):
            self.foreign_keys.append(fk_spec(cons, dialect))
        else:
            raise MigrationError(f"batch mode cannot add a {type(cons).__name__}")

    def drop_constraint(self, name: str, type_: str | None) -> None:
        wanted = {
            "primary": ["primary"],
            "unique": ["unique"],
            "check": ["check"],
            "foreignkey": ["foreignkey"],
        }.get(type_ or "", ["primary", "unique", "check", "foreignkey"])
        if "primary" in wanted and self.primary_key and self.primary_key.name == name:
            self.primary_key = None
            return
        for kind, items in (
            ("unique", self.uniques),
            ("check", self.checks),
            ("foreignkey", self.foreign_keys),
        ):
            if kind in wanted:
                for item in items:
                    if item.name == name:
                        items.remove(item)  # type: ignore[arg-type]
                        return
        known = [
            n
            for n in [
                self.primary_key.name if self.primary_key else None,
                *(u.name for u in self.uniques),
                *(c.name for c in self.checks),
                *(f.name for f in self.foreign_keys),
            ]
            if n
        ]
        raise MigrationError(
            f"No constraint named '{name}' on table '{self.full_name}' "
            f"(named constraints: {', '.join(known) or 'none'}; unnamed ones can be named "
            "with batch_alter_table(naming_convention=...))"
        )

    def add_index(self, index: Index, dialect: Dialect) -> None:
        self.indexes.append(index_spec(index, dialect))

    def drop_index(self, name: str) -> None:
        for index in self.indexes:
            if index.name == name:
                self.indexes.remove(index)
                return
        raise MigrationError(f"No index named '{name}' on table '{self.full_name}'")

    def reorder(self, partial_reordering: Any) -> None:
        """Each tuple names columns that must appear in that order."""
        for group in partial_reordering or ():
            slots = [self.slot(name) for name in group]
            positions = sorted(self.slots.index(s) for s in slots)
            for pos, slot in zip(positions, slots, strict=True):
                self.slots[pos] = slot

    def apply_table_args(self, table_args: Any, table_kwargs: Any, dialect: Dialect) -> None:
        """``table_args`` add (or, by name, replace) constraints; kwargs override options."""
        for item in table_args or ():
            if isinstance(item, CheckConstraint):
                spec = check_spec(item, dialect, table=self)
                self.checks = [c for c in self.checks if not (spec.name and c.name == spec.name)]
                self.checks.append(spec)
            elif isinstance(item, UniqueConstraint):
                cols = [str(getattr(c, "name", c)) for c in item._pending_colargs]
                key = KeySpec(item.name if isinstance(item.name, str) else None, cols)
                self.uniques = [u for u in self.uniques if not (key.name and u.name == key.name)]
                self.uniques.append(key)
            elif isinstance(item, Index):
                self.indexes.append(index_spec(item, dialect))
            else:
                raise MigrationError(f"batch table_args cannot hold {item!r}")
        self.kwargs.update(table_kwargs or {})

    # -- building ----------------------------------------------------------------
    def build(self, name: str, *, with_fks: bool = True, with_checks: bool = True) -> Table:
        """The new table under ``name``; FKs to itself keep pointing at ``self.name``."""
        md = MetaData()
        items: list[Any] = [s.column._copy() for s in self.slots]
        if self.primary_key and self.primary_key.columns:
            items.append(
                PrimaryKeyConstraint(*self.primary_key.columns, name=_conv(self.primary_key.name))
            )
        for u in self.uniques:
            items.append(UniqueConstraint(*u.columns, name=_conv(u.name), **u.options))
        if with_checks:
            for c in self.checks:
                items.append(CheckConstraint(text(c.sqltext), name=_conv(c.name)))
        table = Table(name, md, *items, schema=self.schema, comment=self.comment, **self.kwargs)
        if with_fks:
            for fk in self.foreign_keys:
                table.append_constraint(self.fk_constraint(fk, md))
        return table

    def fk_constraint(self, fk: ForeignKeySpec, md: MetaData) -> ForeignKeyConstraint:
        ref_key = (
            f"{fk.referred_schema}.{fk.referred_table}" if fk.referred_schema else fk.referred_table
        )
        ref = md.tables.get(ref_key)
        if ref is None:
            ref = Table(fk.referred_table, md, schema=fk.referred_schema)
        for col in fk.referred_columns:
            if col not in ref.c:
                from sqlalchemy.types import NULLTYPE

                ref.append_column(Column(col, NULLTYPE))
        return ForeignKeyConstraint(
            fk.columns,
            [ref.c[c] for c in fk.referred_columns],
            name=_conv(fk.name),
            **fk.options,
        )

    def build_indexes(self, table: Table) -> list[Index | str]:
        out: list[Index | str] = []
        for spec in self.indexes:
            if spec.sql:
                out.append(spec.sql)
                continue
            out.append(_index_from_spec(spec, table))
        return out

    def copy_statement(self, new: Table, old_name: str) -> Any:
        """``INSERT INTO new (...) SELECT ... FROM old`` for every column with a source."""
        from sqlalchemy import column as col_clause
        from sqlalchemy import table as table_clause

        pairs = [(s, s.source) for s in self.slots if s.source and s.column.computed is None]
        if not pairs:
            return None
        old = table_clause(old_name, *[col_clause(src) for _, src in pairs], schema=self.schema)
        exprs = [
            cast(old.c[src], slot.column.type) if slot.cast else old.c[src] for slot, src in pairs
        ]
        return new.insert().from_select([s.column.name for s, _ in pairs], select(*exprs))


def _constraint_columns(cons: Any) -> list[str]:
    if isinstance(cons, CheckConstraint):
        return []
    return [c.name for c in cons.columns]


def _detached(column: Column[Any], dialect: Dialect, table: BatchTable) -> Column[Any]:
    """A copy of a user's column for the new table; its type-bound CHECK becomes a spec."""
    if isinstance(column.type, SchemaType) and getattr(column.type, "create_constraint", False):
        if column.table is not None:
            for cons in column.table.constraints:
                if isinstance(cons, CheckConstraint) and getattr(cons, "_type_bound", False):
                    if column.name in cons.columns or mentions(
                        check_spec(cons, dialect).sqltext, column.name
                    ):
                        table.checks.append(check_spec(cons, dialect))
        else:
            table._type_bound_checks(column.name, column.type, dialect)
    new = Column(
        column.name,
        without_constraint(column.type),
        *[c._copy() for c in (column.computed, column.identity) if c is not None],
        nullable=column.nullable,
        server_default=column.server_default._copy() if column.server_default else None,
        comment=column.comment,
        autoincrement=column.autoincrement,
    )
    return new


def _server_default(value: Any) -> Any:
    if value is None or isinstance(value, DefaultClause):
        return value
    if isinstance(value, str):
        return DefaultClause(value)
    return DefaultClause(value)


def _conv(name: str | None) -> Any:
    return conv(name) if name else None


def _set_identity(column: Column[Any], identity: Identity | None) -> None:
    """The rebuilt table's column generates as ``identity`` says (None: not at all).

    SQLAlchemy keeps an identity in two places, ``identity`` and
    ``server_default``, and refuses one beside another server default; an
    identity column has no default of its own.
    """
    if isinstance(column.server_default, Identity) or identity is not None:
        column.server_default = None
    column.identity = None
    if identity is not None:
        if column.autoincrement is False:  # as reflected for a plain column
            column.autoincrement = "auto"
        identity._copy()._set_parent(column)


def _index_from_spec(spec: IndexSpec, table: Table) -> Index:
    """The index on the new table, through the one snapshot-to-SQLAlchemy conversion.

    Options that are SQL expressions (a model's ``postgresql_where``) or
    otherwise not plain values go to ``Index()`` as given.
    """
    keys: list[str] = []
    expr_iter = iter(spec.expressions)
    for col in spec.columns:
        keys.append(col if col is not None else next(expr_iter))
    keys.extend(expr_iter)
    plain = {k: v for k, v in spec.options.items() if _plain(v) and not k.endswith("_where")}
    given = {k: v for k, v in spec.options.items() if k not in plain}
    where_key = next((k for k in given if k.endswith("_where")), None)
    where = given.get(where_key) if where_key else None
    snap = IndexSnapshot(
        _conv(spec.name),
        tuple(keys),
        spec.unique,
        option_items(plain),
        where if isinstance(where, str) else None,
        tuple(spec.modifiers) if any(spec.modifiers) else (),
    )
    overrides = {k: v for k, v in given.items() if not (k == where_key and isinstance(v, str))}
    if isinstance(where, str):
        overrides.setdefault(where_key or "postgresql_where", text(where))
    return index_from_snapshot(snap, table, **overrides)


def _plain(value: Any) -> bool:
    if isinstance(value, (str, bool, int, float)):
        return True
    if isinstance(value, (list, tuple)):
        return all(isinstance(v, (str, int)) for v in value)
    if isinstance(value, dict):
        return all(isinstance(v, (str, int, float, bool)) for v in value.values())
    return False
