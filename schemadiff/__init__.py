"""schemadiff: autogenerate-focused schema diff engine and migration runner for SQLAlchemy."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "compare_metadata", "produce_migrations"]


def compare_metadata(connection: Any, metadata: Any, **options: Any) -> Any:
    from schemadiff.autogenerate import compare_metadata as _compare

    return _compare(connection, metadata, **options)


def produce_migrations(connection: Any, metadata: Any, **options: Any) -> Any:
    from schemadiff.autogenerate import produce_migrations as _produce

    return _produce(connection, metadata, **options)
