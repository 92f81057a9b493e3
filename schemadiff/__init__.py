"""schemadiff: autogenerate-focused schema diff engine and migration runner for SQLAlchemy."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Unpack

if TYPE_CHECKING:  # importing these costs SQLAlchemy, which the listing commands avoid
    from sqlalchemy import MetaData
    from sqlalchemy.engine import Connection

    from schemadiff.autogenerate import AutogenerateOptions
    from schemadiff.ops import Change, MigrationScript
    from schemadiff.runtime.migration import MigrationContext

__version__ = "0.1.0"

__all__ = ["__version__", "compare_metadata", "produce_migrations"]

#: submodules reachable as attributes after a bare ``import schemadiff``, as
#: ``alembic.op`` is after ``import alembic``; imported on first use, so the
#: listing commands still start without SQLAlchemy
_LAZY_SUBMODULES = frozenset({"op", "context", "command", "config"})


def __getattr__(name: str) -> Any:
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f"schemadiff.{name}")
    raise AttributeError(f"module 'schemadiff' has no attribute {name!r}")


def compare_metadata(
    connection: Connection | MigrationContext,
    metadata: MetaData | Sequence[MetaData],
    **options: Unpack[AutogenerateOptions],
) -> list[Change]:
    """The differences between the database and the model, as Change records."""
    from schemadiff.autogenerate import compare_metadata as _compare

    return _compare(connection, metadata, **options)


def produce_migrations(
    connection: Connection | MigrationContext,
    metadata: MetaData | Sequence[MetaData],
    **options: Unpack[AutogenerateOptions],
) -> MigrationScript:
    """The operations that bring the database to the model, with their reverse."""
    from schemadiff.autogenerate import produce_migrations as _produce

    return _produce(connection, metadata, **options)
