"""Build a SchemaSnapshot from the application's MetaData.

This is the "target" side.  No database is touched; the dialect is only
used to turn SQL expressions (server defaults, index expressions, CHECK
bodies) into text the comparators can line up with what reflection reports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKeyConstraint,
    Index,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import ClauseElement, TextClause, _truncated_label
from sqlalchemy.sql.schema import Computed, DefaultClause, Identity
from sqlalchemy.util import md5_hex

from schemadiff.snapshot import objects
from schemadiff.snapshot.index_shape import option_items, split_element
from schemadiff.snapshot.model import (
    CheckSnapshot,
    ColumnSnapshot,
    ComputedSnapshot,
    ForeignKeySnapshot,
    IdentitySnapshot,
    IndexSnapshot,
    PrimaryKeySnapshot,
    SchemaSnapshot,
    TableKey,
    TableSnapshot,
    UniqueSnapshot,
    ordered,
)

TableFilter = Callable[[Table], bool]


def constraint_name(obj: Any, dialect: Dialect | None = None) -> str | None:
    """The name the DDL will use, or None where the database picks one.

    SQLAlchemy marks "no name yet" with a private sentinel; naming
    conventions replace it with a ``conv`` string once the columns are known.
    A convention's name longer than the backend allows is shortened by
    SQLAlchemy when it writes the DDL (the head and a hash of the whole);
    given the dialect, the same is done here so the stored name matches.
    """
    name = getattr(obj, "name", None)
    if name is None or not isinstance(name, str):
        return None
    if type(name).__name__ == "_NoneName":  # pragma: no cover - SQLAlchemy internals
        return None
    if dialect is not None and isinstance(name, _truncated_label):
        limit = (
            dialect.max_index_name_length
            if isinstance(obj, Index)
            else dialect.max_constraint_name_length
        ) or dialect.max_identifier_length
        if len(name) > limit:
            return name[: limit - 8] + "_" + md5_hex(name)[-4:]
    return str(name)


def expression_text(expr: Any, dialect: Dialect) -> str:
    if isinstance(expr, str):
        return expr
    if isinstance(expr, TextClause):
        return expr.text
    if isinstance(expr, ClauseElement):
        # Unqualified column names, as the database reports them back.
        return str(
            expr.compile(
                dialect=dialect, compile_kwargs={"literal_binds": True, "include_table": False}
            )
        )

    return str(expr)


def server_default_text(column: Column[Any], dialect: Dialect) -> str | None:
    default = column.server_default
    if default is None or not isinstance(default, DefaultClause):
        return None
    arg = default.arg
    if isinstance(arg, str):
        return "'" + arg.replace("'", "''") + "'"
    return expression_text(arg, dialect)


def column_snapshot(column: Column[Any], dialect: Dialect) -> ColumnSnapshot:
    # Runs for every model column (12,000 for 1,000 tables): the rare parts
    # (generated, identity, defaults) are tested before any work is done,
    # and the snapshot is built positionally.
    computed = identity = None
    given_computed, given_identity = column.computed, column.identity
    if given_computed is not None and isinstance(given_computed, Computed):
        computed = ComputedSnapshot(
            expression_text(given_computed.sqltext, dialect), given_computed.persisted
        )
    if given_identity is not None and isinstance(given_identity, Identity):
        identity = IdentitySnapshot(
            bool(given_identity.always),
            given_identity.start,
            given_identity.increment,
            given_identity.minvalue,
            given_identity.maxvalue,
            given_identity.cycle,
            given_identity.cache,
        )
    default = None
    if column.server_default is not None and computed is None and identity is None:
        default = server_default_text(column, dialect)
    return ColumnSnapshot(
        column.name,
        column.type,
        bool(column.nullable),
        default,
        column.comment,
        column.autoincrement,
        computed,
        identity,
        column,
    )


def table_snapshot(table: Table, dialect: Dialect, default_schema: str | None) -> TableSnapshot:
    pk: PrimaryKeySnapshot | None = None
    uniques: list[UniqueSnapshot] = []
    fks: list[ForeignKeySnapshot] = []
    checks: list[CheckSnapshot] = []
    for cons in table.constraints:
        if not _created_on(cons, dialect):
            continue
        if isinstance(cons, PrimaryKeyConstraint):
            if cons.columns:
                pk = PrimaryKeySnapshot(
                    constraint_name(cons, dialect), tuple(c.name for c in cons.columns), cons
                )
        elif isinstance(cons, UniqueConstraint):
            uniques.append(
                UniqueSnapshot(
                    constraint_name(cons, dialect), tuple(c.name for c in cons.columns), cons
                )
            )
        elif isinstance(cons, ForeignKeyConstraint):
            fks.append(_fk_snapshot(cons, default_schema, dialect))
        elif isinstance(cons, CheckConstraint):
            checks.append(
                CheckSnapshot(
                    constraint_name(cons, dialect), expression_text(cons.sqltext, dialect), cons
                )
            )
    indexes = [_index_snapshot(ix, dialect) for ix in table.indexes]
    schema = None if table.schema == default_schema else table.schema
    return TableSnapshot(
        schema,
        table.name,
        tuple([column_snapshot(c, dialect) for c in table.columns]),
        pk,
        ordered(indexes),
        ordered(uniques),
        ordered(fks),
        ordered(checks),
        table.comment,
        table,
    )


def _created_on(cons: Any, dialect: Dialect) -> bool:
    """Whether the DDL for this dialect creates the constraint at all.

    SQLAlchemy attaches CHECKs for Boolean and Enum to every table but
    emits them only where the type is not native (e.g. not for a native
    PostgreSQL ENUM); the decision is the constraint's own create rule.
    """
    rule = getattr(cons, "_create_rule", None)
    if rule is None:
        return True
    return bool(rule(SimpleNamespace(dialect=dialect)))


def _fk_snapshot(
    cons: ForeignKeyConstraint, default_schema: str | None, dialect: Dialect
) -> ForeignKeySnapshot:
    elements = cons.elements
    first = elements[0]
    target_fullname = first.target_fullname
    parts = target_fullname.split(".")
    referred_table = parts[-2]
    referred_schema: str | None = ".".join(parts[:-2]) or None
    if referred_schema == default_schema:
        referred_schema = None
    return ForeignKeySnapshot(
        name=constraint_name(cons, dialect),
        columns=tuple(e.parent.name for e in elements),
        referred_schema=referred_schema,
        referred_table=referred_table,
        referred_columns=tuple(e.target_fullname.split(".")[-1] for e in elements),
        ondelete=cons.ondelete,
        onupdate=cons.onupdate,
        deferrable=cons.deferrable,
        initially=cons.initially,
        source=cons,
    )


def _index_snapshot(index: Index, dialect: Dialect) -> IndexSnapshot:
    # Runs for every model index: plain columns, the rule, cost a name each;
    # order, collation and operator-class keys are worked out only when there.
    exprs: list[str] = []
    modifiers: list[str] | None = None
    for expr in index.expressions:
        if isinstance(expr, Column):
            exprs.append(expr.name)
            if modifiers is not None:
                modifiers.append("")
            continue
        base, suffix, _ = split_element(expr, dialect.name, lambda e: expression_text(e, dialect))
        if modifiers is None:
            modifiers = [""] * len(exprs)
        exprs.append(base)
        modifiers.append(suffix)
    # Reading ``dialect_kwargs`` builds the options mapping of every dialect
    # SQLAlchemy knows, per index (figures: benchmarks/README.md); it exists
    # only once some dialect keyword was given.
    given = index.__dict__.get("dialect_options")
    where = None
    options: tuple[tuple[str, Any], ...] = ()
    if given and dialect.name in given:
        stated = dict(getattr(given[dialect.name], "_non_defaults", {}))
        predicate = stated.pop("where", None)
        if predicate is not None:
            where = expression_text(predicate, dialect)
        if "ops" in stated:
            # SQLAlchemy applies an operator class to the element of that key only
            keys = _element_keys(index, exprs, dialect.name)
            stated["ops"] = {keys[k]: v for k, v in dict(stated["ops"]).items() if k in keys}
        options = option_items({f"{dialect.name}_{k}": v for k, v in stated.items()})
    return IndexSnapshot(
        constraint_name(index, dialect),
        tuple(exprs),
        bool(index.unique),
        options,
        where,
        tuple(modifiers) if modifiers and any(modifiers) else (),
        source=index,
    )


def _element_keys(index: Index, texts: list[str], dialect_name: str) -> dict[str, str]:
    """Each element's key (what ``postgresql_ops`` names) -> its text in the snapshot."""
    keys: dict[str, str] = {}
    for expr, text in zip(index.expressions, texts, strict=False):
        if isinstance(expr, Column):
            keys[expr.key] = text
            continue
        key = split_element(expr, dialect_name, str)[2]
        if key is not None:
            keys[key] = text
    return keys


def snapshot_from_metadata(
    metadata: MetaData | Iterable[MetaData],
    dialect: Dialect,
    *,
    default_schema: str | None = None,
    include_table: TableFilter | None = None,
) -> SchemaSnapshot:
    metadatas = [metadata] if isinstance(metadata, MetaData) else list(metadata)
    tables: dict[TableKey, TableSnapshot] = {}
    kept: list[Table] = []
    for md in metadatas:
        for table in md.tables.values():
            if include_table is not None and not include_table(table):
                continue
            snap = table_snapshot(table, dialect, default_schema)
            tables[snap.key] = snap
            kept.append(table)
    enums = objects.model_enums(kept, dialect, default_schema)
    sequences = objects.model_sequences(metadatas, dialect, default_schema)
    schemas = objects.model_schemas(kept, enums.values(), sequences.values())
    return SchemaSnapshot(tables, default_schema, enums, sequences, schemas)
