"""Dialect implementations, looked up by SQLAlchemy dialect name.

The table is an explicit registry so a plugin can add a backend the same
way the built-ins are added.
"""

from __future__ import annotations

from sqlalchemy.engine import Dialect

from schemadiff.dialects.base import DialectImpl
from schemadiff.dialects.mysql import MySQLImpl
from schemadiff.dialects.postgresql import PostgresqlImpl
from schemadiff.dialects.sqlite import SQLiteImpl

_IMPLS: dict[str, type[DialectImpl]] = {}


def register_dialect_impl(name: str, impl: type[DialectImpl]) -> None:
    _IMPLS[name] = impl


def impl_for(dialect: Dialect) -> DialectImpl:
    impl = _IMPLS.get(dialect.name, DialectImpl)
    return impl(dialect)


register_dialect_impl("postgresql", PostgresqlImpl)
register_dialect_impl("mysql", MySQLImpl)
register_dialect_impl("mariadb", MySQLImpl)
register_dialect_impl("sqlite", SQLiteImpl)

__all__ = ["DialectImpl", "impl_for", "register_dialect_impl"]
