"""Dialect implementations, looked up by SQLAlchemy dialect name.

The table is an explicit registry so a plugin can add a backend the same
way the built-ins are added.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from schemadiff.dialects.base import DialectImpl

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect

_IMPLS: dict[str, type[DialectImpl]] = {}

#: the built-in implementations as (module, class), imported on first use: a
#: command connects to one backend, and importing every backend's SQLAlchemy
#: dialect package would slow every start-up (figures: benchmarks/README.md)
_BUILTIN: dict[str, tuple[str, str]] = {
    "postgresql": ("schemadiff.dialects.postgresql", "PostgresqlImpl"),
    "mysql": ("schemadiff.dialects.mysql", "MySQLImpl"),
    "mariadb": ("schemadiff.dialects.mysql", "MySQLImpl"),
    "sqlite": ("schemadiff.dialects.sqlite", "SQLiteImpl"),
}


def register_dialect_impl(name: str, impl: type[DialectImpl]) -> None:
    _IMPLS[name] = impl


def impl_for(dialect: Dialect) -> DialectImpl:
    impl = _IMPLS.get(dialect.name)
    if impl is None:
        builtin = _BUILTIN.get(dialect.name)
        if builtin is None:
            impl = DialectImpl
        else:
            module, name = builtin
            impl = getattr(importlib.import_module(module), name)
            _IMPLS[dialect.name] = impl
    return impl(dialect)


__all__ = ["DialectImpl", "impl_for", "register_dialect_impl"]
