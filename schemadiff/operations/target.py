"""What operations need of the migration context they run against.

``Operations`` is handed a ``schemadiff.runtime.migration.MigrationContext``
at run time, but names only this protocol: the runtime imports the
operations to run scripts, and the operations must not import the runtime
back (one direction only between the two packages).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from sqlalchemy import MetaData
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.base import Executable

from schemadiff.dialects import DialectImpl


class TargetOptions(Protocol):
    """The part of ``context.configure()``'s options that directives read."""

    @property
    def target_metadata(self) -> MetaData | Sequence[MetaData] | None: ...

    @property
    def literal_binds(self) -> bool: ...

    @property
    def safe_migrations(self) -> bool: ...

    @property
    def safe_lock_timeout(self) -> str: ...


class MigrationTarget(Protocol):
    """One connection (or SQL output) and dialect a migration's statements go to."""

    @property
    def dialect(self) -> Dialect: ...

    @property
    def impl(self) -> DialectImpl: ...

    @property
    def as_sql(self) -> bool: ...

    @property
    def transactional_ddl(self) -> bool | None: ...

    @property
    def opts(self) -> TargetOptions: ...

    @property
    def bind(self) -> Connection | None: ...

    def execute(
        self, statement: str | Executable, params: Any = None, *, literal_binds: bool = True
    ) -> Any: ...

    def render(self, statement: str | Executable) -> str: ...

    def get_bind(self) -> Connection: ...

    def autocommit_block(self) -> AbstractContextManager[None]: ...
