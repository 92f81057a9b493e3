"""A deterministic generator of large SQLAlchemy schemas for the benchmarks.

The comparison benchmark needs a schema that looks like a real application's
(mixed column types, server defaults, indexes, unique and foreign key
constraints) and that is identical from run to run, so that timings of
different runs and of different tools are comparable.  No randomness is
used: every variation is a function of the table's index.

All names are short lower-case ASCII identifiers well under the 63-character
limit of PostgreSQL and the 64-character limit of MySQL/MariaDB, and every
constraint and index is named explicitly so that no backend has to invent a
name (an invented name is a classic source of spurious differences).
"""

from __future__ import annotations

import sqlalchemy as sa

#: Prefix of every generated table, so a stray table is easy to attribute.
TABLE_PREFIX = "bt"

#: Lengths cycled through for the ``name`` column, so that not every
#: ``VARCHAR`` has the same length (catches length comparison bugs).
_NAME_LENGTHS = (50, 80, 100, 120, 255)


def table_name(index: int) -> str:
    """Return the name of the ``index``-th generated table (``bt00042``)."""
    return f"{TABLE_PREFIX}{index:05d}"


def build_metadata(n_tables: int) -> sa.MetaData:
    """Build a MetaData of ``n_tables`` tables, each with about 11 columns.

    Every table has an integer primary key, a nullable foreign key to an
    earlier table (table 0 has none, there being no earlier table), a unique
    constraint, a single-column and a multi-column index, and server
    defaults of the three common forms: a numeric ``text("0")``, a string
    literal and ``CURRENT_TIMESTAMP``.  Tables are defined in dependency
    order, so ``metadata.sorted_tables`` equals definition order and the
    tables can be created in batches.
    """
    if n_tables < 1:
        raise ValueError("n_tables must be at least 1")
    metadata = sa.MetaData()
    for i in range(n_tables):
        _add_table(metadata, i)
    return metadata


def _add_table(metadata: sa.MetaData, i: int) -> sa.Table:
    """Define table ``i``; variations depend on ``i`` only (determinism)."""
    name = table_name(i)
    # Reference an earlier table, spread over the whole range rather than
    # always the previous one, so the FK graph is not a single long chain.
    parent = table_name((i * 2654435761 // 1000) % i) if i > 0 else None
    counter_type: sa.types.TypeEngine[int] = sa.BigInteger() if i % 2 else sa.Integer()

    columns: list[sa.Column[object]] = [
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "ref_id",
            sa.Integer(),
            *([sa.ForeignKey(f"{parent}.id", name=f"fk_{name}_ref_id")] if parent else []),
            nullable=True,
        ),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(_NAME_LENGTHS[i % len(_NAME_LENGTHS)]), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("counter", counter_type, nullable=False, server_default=sa.text("0")),
        sa.Column("status", sa.String(20), nullable=False, server_default="new"),
        sa.Column(
            "created_at",
            sa.DateTime(),
            nullable=False,
            server_default=sa.text("CURRENT_TIMESTAMP"),
        ),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("amount", sa.Numeric(10, 2), nullable=i % 3 != 0),
        sa.Column("score", sa.Float(), nullable=True),
    ]
    return sa.Table(
        name,
        metadata,
        *columns,
        sa.UniqueConstraint("code", name=f"uq_{name}_code"),
        sa.Index(f"ix_{name}_ref_id", "ref_id"),
        sa.Index(f"ix_{name}_status_created_at", "status", "created_at"),
    )
