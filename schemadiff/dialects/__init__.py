"""Dialect rules, looked up by SQLAlchemy dialect name.

Each backend package registers its ``DialectImpl`` subclass in the
registries' backend slot (``registries.backends.add_dialect``); this is
the one place that looks it up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from schemadiff.dialects.base import DialectImpl

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect


def impl_for(dialect: Dialect) -> DialectImpl:
    """The dialect rules the backend registered for ``dialect``; the generic ones
    for a dialect no backend knows (SQLAlchemy's DDL, no extras)."""
    from schemadiff.plugins import default_registries

    impl: type[DialectImpl] = (
        default_registries().backend(dialect.name).dialects.get(dialect.name, DialectImpl)
    )
    return impl(dialect)


__all__ = ["DialectImpl", "impl_for"]
