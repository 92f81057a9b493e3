"""Model pairs (old -> new) for every change kind of enum types and sequences.

Each case names the kinds ``check`` must report going from ``before`` to
``after`` and the backends it applies to.  ``test_sequences_schemas`` runs every
case through autogenerate, upgrade, check and downgrade; a convergence
corpus can take them as they are (``OBJECT_CASES``), in either direction.
Schemas are left out: a new schema needs a name unique to the test run
(see ``test_an_enum_in_another_schema_is_created_there``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

PG = frozenset({"postgresql"})
#: MariaDB 10.3+ (the ``mysql`` test backend); skipped on a MySQL server
SEQUENCES = frozenset({"postgresql", "mysql"})
MYSQL = frozenset({"mysql"})


@dataclass(frozen=True)
class ObjectCase:
    name: str
    kinds: tuple[str, ...]
    before: Callable[[], sa.MetaData]
    after: Callable[[], sa.MetaData]
    backends: frozenset[str]


def _ticket(*values: str, column: bool = True) -> Callable[[], sa.MetaData]:
    def model() -> sa.MetaData:
        md = sa.MetaData()
        cols = [sa.Column("status", sa.Enum(*values, name="status_enum"))] if column else []
        sa.Table("ticket", md, sa.Column("id", sa.Integer, primary_key=True), *cols)
        return md

    return model


def _shared(tables: int) -> Callable[[], sa.MetaData]:
    def model() -> sa.MetaData:
        md = sa.MetaData()
        sa.Table("base", md, sa.Column("id", sa.Integer, primary_key=True))
        for n in range(tables):
            sa.Table(
                f"user_{n}",
                md,
                sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("color", sa.Enum("red", "blue", name="color")),
            )
        return md

    return model


def _sequences(**options: dict[str, int | bool]) -> Callable[[], sa.MetaData]:
    def model() -> sa.MetaData:
        md = sa.MetaData()
        sa.Table("base", md, sa.Column("id", sa.Integer, primary_key=True))
        for name, kw in options.items():
            sa.Sequence(name, metadata=md, **kw)  # type: ignore[arg-type]
        return md

    return model


OBJECT_CASES: tuple[ObjectCase, ...] = (
    ObjectCase(
        "enum_added_with_column",
        ("add_column", "add_enum"),
        _ticket(column=False),
        _ticket("a", "b"),
        PG,
    ),
    ObjectCase(
        "enum_removed_with_last_column",
        ("remove_column", "remove_enum"),
        _ticket("a", "b"),
        _ticket(column=False),
        PG,
    ),
    ObjectCase(
        "enum_values_added", ("modify_enum",), _ticket("a", "c"), _ticket("a", "b", "c"), PG
    ),
    ObjectCase(
        "enum_values_removed_and_reordered",
        ("modify_enum",),
        _ticket("a", "b", "c"),
        _ticket("c", "a"),
        PG,
    ),
    ObjectCase(
        "enum_shared_by_new_tables",
        ("add_enum", "add_table", "add_table"),
        _shared(0),
        _shared(2),
        PG,
    ),
    ObjectCase(
        "sequence_added",
        ("add_sequence",),
        _sequences(),
        _sequences(s1={"start": 10, "increment": 5}),
        SEQUENCES,
    ),
    ObjectCase(
        "sequence_removed",
        ("remove_sequence",),
        _sequences(s1={"cache": 4}),
        _sequences(),
        SEQUENCES,
    ),
    ObjectCase(
        "sequence_options_changed",
        ("modify_sequence",),
        _sequences(s1={"increment": 2, "maxvalue": 1000}),
        _sequences(s1={"increment": 3, "minvalue": 2, "cycle": True}),
        SEQUENCES,
    ),
    ObjectCase(
        "inline_enum_values_changed",
        ("modify_type",),
        _ticket("a", "b"),
        _ticket("b", "c"),
        MYSQL,
    ),
)
