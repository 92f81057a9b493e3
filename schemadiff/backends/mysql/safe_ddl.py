"""MySQL / MariaDB under ``safe_migrations``: ``ALGORITHM=INPLACE, LOCK=NONE`` where valid.

Both servers already pick the least-locking algorithm they can; naming it
turns "silently copy the table under a lock" into an error.  So the clause
goes only where InnoDB's rules allow it (an ordinary index built or
dropped; a plain column appended), and online, should the server still
refuse (error 1845/1846: a FULLTEXT index that needs a rebuild, an old
server, a table in another engine), the statement runs again without it
and the log says the change locked the table.  Offline the script says
the clause, so it fails rather than locks: the point of asking for it.

``lock_wait_timeout`` (seconds) is the counterpart of PostgreSQL's
``lock_timeout``: how long DDL waits for the table's metadata lock, with
every later query queued behind it.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import CreateIndex

from schemadiff.operations.safe import is_new
from schemadiff.ops import AddColumnOp, CreateIndexOp, DropIndexOp

if TYPE_CHECKING:
    from schemadiff.operations import Operations

log = logging.getLogger("schemadiff.operations.safe")

ONLINE = "ALGORITHM=INPLACE, LOCK=NONE"
#: ER_ALTER_OPERATION_NOT_SUPPORTED, ER_ALTER_OPERATION_NOT_SUPPORTED_REASON
_REFUSED = {1845, 1846}


def session_statements(timeout_ms: int) -> list[str]:
    return [f"SET SESSION lock_wait_timeout = {max(1, math.ceil(timeout_ms / 1000))}"]


def run(operations: Operations, op: Any) -> bool:
    if isinstance(op, CreateIndexOp):
        return _create_index(operations, op)
    if isinstance(op, DropIndexOp):
        return _drop_index(operations, op)
    if isinstance(op, AddColumnOp):
        return _add_column(operations, op)
    return False


def _create_index(operations: Operations, op: CreateIndexOp) -> bool:
    index = op.index
    table = index.table
    if table is None or is_new(operations, table.schema, table.name) or op.options:
        return False
    if index.dialect_options["mysql"]["prefix"] or index.dialect_options["mariadb"]["prefix"]:
        return False  # FULLTEXT / SPATIAL: InnoDB builds those with a shared lock at best
    mc = operations.migration_context
    plain = str(CreateIndex(index).compile(dialect=mc.dialect))
    _online(operations, plain, f"{plain} {ONLINE.replace(',', '')}")
    return True


def _drop_index(operations: Operations, op: DropIndexOp) -> bool:
    if op.table_name is None or op.options or is_new(operations, op.schema, op.table_name):
        return False
    impl = operations.impl
    # MariaDB's DROP INDEX takes no ALGORITHM; ALTER TABLE does on both servers
    plain = (
        f"ALTER TABLE {impl.quote_table(op.table_name, op.schema)} "
        f"DROP INDEX {impl.preparer.quote(op.index_name)}"
    )
    _online(operations, plain, f"{plain}, {ONLINE}")
    return True


def _add_column(operations: Operations, op: AddColumnOp) -> bool:
    """Only a column with nothing attached: keys, indexes and constraints follow
    their own statements in the plain path, and generated or auto-increment
    columns need a copy."""
    col = op.column
    if (
        op.options
        or col.primary_key
        or col.foreign_keys
        or col.index
        or col.unique
        or col.computed is not None
        or col.identity is not None
        or col.autoincrement is True
        or col.constraints
        or is_new(operations, op.schema, op.table_name)
    ):
        return False
    first, *rest = operations.impl.add_column(op.table_name, col, op.schema)
    _online(operations, first, f"{first}, {ONLINE}")
    for statement in rest:
        operations.migration_context.execute(statement)
    return True


def _online(operations: Operations, plain: str, online: str) -> None:
    mc = operations.migration_context
    if mc.as_sql:
        mc.execute(online)
        return
    try:
        mc.execute(online)
    except DBAPIError as exc:
        code = exc.orig.args[0] if exc.orig is not None and exc.orig.args else None
        if code not in _REFUSED:
            raise
        log.warning("Not possible without locking the table (%s); running: %s", exc.orig, plain)
        mc.execute(plain)
