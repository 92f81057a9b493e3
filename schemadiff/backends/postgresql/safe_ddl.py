"""PostgreSQL under ``safe_migrations``: builds that let writers through.

- ``CREATE INDEX`` / ``DROP INDEX`` run ``CONCURRENTLY``, which PostgreSQL
  refuses inside a transaction, so inside ``autocommit_block()``: the
  migration's work so far commits first.  A plain build holds a SHARE lock
  (no INSERT, UPDATE or DELETE) for the whole build; the concurrent one
  holds SHARE UPDATE EXCLUSIVE, which writers do not conflict with.
- Foreign keys and CHECKs are added ``NOT VALID`` (a brief lock, no scan),
  then ``VALIDATE CONSTRAINT`` runs after a commit, scanning the table
  under a lock that writers pass.
- ``lock_timeout`` at the start of each migration: a DDL statement queued
  behind a long transaction also queues every writer behind itself; with
  the timeout it fails fast instead of stalling the application.  Not for
  the concurrent builds and validations, though: they wait for every older
  transaction in the database (not only those on the table), and their
  lock lets writers pass while they wait, so a timeout would only make
  them fail (a concurrent build leaving an INVALID index) for nothing.

Left as they are: partitioned tables (PostgreSQL has no concurrent build
for them; known online only), what the script already asked for explicitly
(``postgresql_concurrently=True``, ``postgresql_not_valid=True``) and
anything on a table the same migration created, which no one else can
be writing to.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKeyConstraint, Index, MetaData, Table, text
from sqlalchemy.schema import AddConstraint, CreateIndex, DropIndex

from schemadiff.operations.safe import is_new
from schemadiff.ops import AddConstraintOp, CreateIndexOp, DropIndexOp
from schemadiff.runtime.safe import lock_timeout_ms

if TYPE_CHECKING:
    from schemadiff.operations import Operations


def session_statements(timeout_ms: int) -> list[str]:
    # a session setting, not SET LOCAL: it must outlive the commits of autocommit blocks
    return [f"SET lock_timeout = '{int(timeout_ms)}ms'"]


def run(operations: Operations, op: Any) -> bool:
    if isinstance(op, CreateIndexOp):
        return _create_index(operations, op)
    if isinstance(op, DropIndexOp):
        return _drop_index(operations, op)
    if isinstance(op, AddConstraintOp):
        return _add_constraint(operations, op)
    return False


def _create_index(operations: Operations, op: CreateIndexOp) -> bool:
    index = op.index
    table = index.table
    options = index.dialect_options["postgresql"]
    if table is None or options["concurrently"] or is_new(operations, table.schema, table.name):
        return False
    if _relkind(operations, table.name, table.schema) == "p":
        return False  # PostgreSQL builds no index CONCURRENTLY on a partitioned table
    mc = operations.migration_context
    options["concurrently"] = True
    try:
        with _outside_transaction(operations):
            mc.execute(CreateIndex(index, if_not_exists=bool(op.options.get("if_not_exists"))))
    finally:
        options["concurrently"] = False  # the model's Index is the user's object
    return True


def _drop_index(operations: Operations, op: DropIndexOp) -> bool:
    if "postgresql_concurrently" in op.options or is_new(operations, op.schema, op.table_name):
        return False
    if _relkind(operations, op.index_name, op.schema) == "I":
        return False  # nor drops a partitioned index CONCURRENTLY
    extra = {k: v for k, v in op.options.items() if k not in ("if_exists", "if_not_exists")}
    table = Table(op.table_name or "_unknown", MetaData(), schema=op.schema)
    index = Index(op.index_name, _table=table, postgresql_concurrently=True, **extra)
    mc = operations.migration_context
    with _outside_transaction(operations):
        mc.execute(DropIndex(index, if_exists=bool(op.options.get("if_exists"))))
    return True


@contextmanager
def _outside_transaction(operations: Operations) -> Iterator[None]:
    """An autocommit block without the lock timeout (see the module's docstring)."""
    mc = operations.migration_context
    with mc.autocommit_block():
        mc.execute("SET lock_timeout = 0")
        try:
            yield
        finally:
            (restore,) = session_statements(lock_timeout_ms(mc.opts.safe_lock_timeout))
            mc.execute(restore)


def _relkind(operations: Operations, name: str | None, schema: str | None) -> str | None:
    """What the catalog says ``name`` is, online (offline: unknown, None)."""
    mc = operations.migration_context
    if mc.as_sql or name is None:
        return None
    preparer = mc.dialect.identifier_preparer
    qualified = preparer.quote(name)
    if schema:
        qualified = f"{preparer.quote_schema(schema)}.{qualified}"
    found = mc.get_bind().execute(
        text("SELECT relkind FROM pg_class WHERE oid = to_regclass(:name)"), {"name": qualified}
    )
    kind = found.scalar()
    return str(kind) if kind is not None else None


def _add_constraint(operations: Operations, op: AddConstraintOp) -> bool:
    cons = op.constraint
    if not isinstance(cons, (ForeignKeyConstraint, CheckConstraint)):
        return False
    table = cons.table
    options = cons.dialect_options["postgresql"]
    if options["not_valid"] or is_new(operations, table.schema, table.name):
        return False
    mc = operations.migration_context
    preparer = mc.dialect.identifier_preparer
    name = preparer.format_constraint(cons)
    if not name:
        return False  # PostgreSQL would pick the name: nothing to validate by
    options["not_valid"] = True
    try:
        mc.execute(AddConstraint(cons))
    finally:
        options["not_valid"] = False
    with _outside_transaction(operations):  # the ADD's lock ends with its commit
        mc.execute(f"ALTER TABLE {preparer.format_table(table)} VALIDATE CONSTRAINT {name}")
    return True
