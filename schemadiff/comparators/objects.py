"""Schemas, sequences and named enum types: the objects beside the tables.

Each comparator yields operations whose ``placement`` puts them before or
after every table operation (see ``ops.enum_ops``).  Registered in the
order their creations must run: a schema before the sequences and types
in it, a sequence or type before the tables that use it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Integer, SmallInteger
from sqlalchemy import Sequence as SASequence
from sqlalchemy.types import TypeEngine

from schemadiff.comparators.context import CompareContext
from schemadiff.comparators.registry import ComparatorRegistry
from schemadiff.ops import (
    AlterEnumOp,
    AlterSequenceOp,
    CreateEnumOp,
    CreateSchemaOp,
    CreateSequenceOp,
    DropEnumOp,
    DropSequenceOp,
    MigrateOperation,
    SequenceOptions,
)
from schemadiff.snapshot.model import SchemaSnapshot
from schemadiff.snapshot.objects import EnumSnapshot, SequenceSnapshot


def compare_schemas(
    ctx: CompareContext, db: SchemaSnapshot, model: SchemaSnapshot
) -> Iterator[MigrateOperation]:
    """A schema the model uses and the database lacks (``include_schemas`` only)."""
    if not ctx.options.include_schemas or db.schemas is None or not model.schemas:
        return
    hook = ctx.options.include_name
    for name in sorted(model.schemas - db.schemas):
        if name == db.default_schema:
            continue
        if hook is not None and not hook(name, "schema", {}):
            continue
        yield CreateSchemaOp(name)


def compare_sequences(
    ctx: CompareContext, db: SchemaSnapshot, model: SchemaSnapshot
) -> Iterator[MigrateOperation]:
    """Sequences added, removed, or with other options (through the dialect's defaults)."""
    compared = set(db.compared_schemas)
    for key, seq in sorted(model.sequences.items(), key=_by_key):
        if not ctx.include(seq.source, seq.name, "sequence", False, None):
            continue
        found = db.sequences.get(key)
        if found is None:
            # in a compared schema, or in one this migration creates
            new_schema = db.schemas is not None and key[0] not in db.schemas
            if key[0] in compared or (ctx.options.include_schemas and new_schema):
                yield CreateSequenceOp(seq.name, _options(seq), seq.schema)
        elif ctx.impl.sequence_signature(found) != ctx.impl.sequence_signature(seq):
            yield AlterSequenceOp(seq.name, _options(seq), _options(found), seq.schema)
    for key, found in sorted(db.sequences.items(), key=_by_key):
        if key in model.sequences or key[0] not in compared:
            continue
        if _reflected_included(ctx, found, "sequence", _sa_sequence):
            yield DropSequenceOp(found.name, found.schema, existing=_options(found))


def compare_enums(
    ctx: CompareContext, db: SchemaSnapshot, model: SchemaSnapshot
) -> Iterator[MigrateOperation]:
    """Enum types added, removed, or whose values changed.

    ``include_name`` / ``include_object`` see them with type_ ``"enum"``.
    A type the model no longer uses is dropped only when every database
    column of it is in a table this comparison reads (so its drop or change
    is in the same migration); a column elsewhere keeps the type alive.
    """
    for key, enum in sorted(model.enums.items(), key=_by_key):
        if not ctx.include(enum.source, enum.name, "enum", False, None):
            continue
        found = db.enums.get(key)
        if found is None:
            yield CreateEnumOp(enum.name, enum.labels, enum.schema)
        elif found.labels != enum.labels:
            yield AlterEnumOp(enum.name, enum.labels, found.labels, enum.schema, found.used_by)
    compared = set(db.compared_schemas)
    for key, found in sorted(db.enums.items(), key=_by_key):
        if key in model.enums or key[0] not in compared:
            continue
        if not _reflected_included(ctx, found, "enum", _sa_enum):
            continue
        if all(_compared_column(ctx, db, ref) for ref in found.used_by):
            yield DropEnumOp(found.name, found.schema, existing_values=found.labels)


def _reflected_included(
    ctx: CompareContext,
    found: EnumSnapshot | SequenceSnapshot,
    type_: str,
    build: Callable[[Any], Any],
) -> bool:
    """``include_name`` then ``include_object`` for an object only the database has.

    The hooks see ``type_`` ``"enum"`` or ``"sequence"`` and, for
    ``include_object``, a SQLAlchemy object rebuilt from the catalog.
    """
    hook = ctx.options.include_name
    if hook is not None and not hook(found.name, type_, {"schema_name": found.schema}):
        return False
    if ctx.options.include_object is None:
        return True
    return ctx.include(build(found), found.name, type_, True, None)


def _sa_enum(found: EnumSnapshot) -> Any:
    from sqlalchemy.dialects.postgresql import ENUM

    return ENUM(*found.labels, name=found.name, schema=found.schema, create_type=False)


def _sa_sequence(found: SequenceSnapshot) -> SASequence:
    o = _options(found)
    return SASequence(
        found.name,
        start=o.start,
        increment=o.increment,
        minvalue=o.minvalue,
        maxvalue=o.maxvalue,
        cycle=o.cycle,
        cache=o.cache,
        schema=found.schema,
    )


def _compared_column(
    ctx: CompareContext, db: SchemaSnapshot, ref: tuple[str | None, str, str]
) -> bool:
    table = db.tables.get((ref[0], ref[1]))
    if table is None:
        return False
    return ctx.include(ctx.reflected_table(table), table.name, "table", True, None)


def _options(seq: SequenceSnapshot) -> SequenceOptions:
    source = seq.source
    data_type = source.data_type if source is not None else _reflected_type(seq.data_type)
    return SequenceOptions(
        seq.start, seq.increment, seq.minvalue, seq.maxvalue, seq.cycle, seq.cache, data_type
    )


def _reflected_type(text: str | None) -> TypeEngine[Any] | None:
    """PostgreSQL's ``AS`` type of a reflected sequence; BIGINT is its default."""
    if text == "SMALLINT":
        return SmallInteger()
    if text == "INTEGER":
        return Integer()
    return None


def _by_key(
    item: tuple[tuple[str | None, str], EnumSnapshot | SequenceSnapshot],
) -> tuple[str, str]:
    return (item[0][0] or "", item[0][1])


def setup(registry: ComparatorRegistry) -> None:
    registry.register("schema", "schemas")(compare_schemas)
    registry.register("schema", "sequences")(compare_sequences)
    registry.register("schema", "enums")(compare_enums)
