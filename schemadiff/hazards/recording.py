"""An ``op`` that records directives instead of running them (for ``lint``).

A script's ``upgrade()`` runs against ``RecordingOperations``: every
directive builds its operation object as usual and is kept, with the line
of the script that called it; nothing reaches a database (the migration
context is offline, writing its SQL nowhere, and ``get_bind()`` hands out
a connection that records what it is asked and answers with no rows).
``op.execute`` of raw SQL is kept as an ``ExecuteSQLOp``, which the rules
report as ``unchecked``.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Dialect

from schemadiff.operations import activate
from schemadiff.operations.base import Operations
from schemadiff.operations.batch import BatchOperations
from schemadiff.ops import MigrateOperation
from schemadiff.ops.sql_ops import ExecuteSQLOp


@dataclass
class Recorded:
    op: MigrateOperation
    line: int | None = None


@dataclass
class Recording:
    """What one script's ``upgrade()`` asked for, in order."""

    path: str
    directives: list[Recorded] = field(default_factory=list)
    #: why the script could not be followed to its end, if it could not
    stopped: str | None = None


def _sql_text(statement: Any) -> str:
    text = getattr(statement, "text", None)
    return text if isinstance(text, str) else str(statement)


class _EmptyResult:
    """What a recorded query returns: no rows, whichever way they are read."""

    rowcount = 0

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __getattr__(self, name: str) -> Any:
        if name in ("fetchall", "all", "fetchmany", "partitions"):
            return lambda *a, **k: []
        if name in ("fetchone", "first", "scalar", "one_or_none", "scalar_one_or_none"):
            return lambda *a, **k: None
        if name in ("scalars", "mappings", "tuples", "unique", "columns"):
            return lambda *a, **k: self
        raise AttributeError(name)


class _RecordingBind:
    """``op.get_bind()`` under lint: queries are recorded, never sent."""

    def __init__(self, owner: RecordingOperations) -> None:
        self._owner = owner
        self.dialect = owner.migration_context.dialect

    def execute(self, statement: Any, *args: Any, **kw: Any) -> _EmptyResult:
        self._owner.record(ExecuteSQLOp(_sql_text(statement)))
        return _EmptyResult()

    def exec_driver_sql(self, statement: Any, *args: Any, **kw: Any) -> _EmptyResult:
        return self.execute(statement)


class RecordingOperations(Operations):
    def __init__(self, migration_context: Any, recording: Recording) -> None:
        super().__init__(migration_context)
        self.recording = recording
        self.implicit_recreate = False

    def record(self, op: MigrateOperation) -> None:
        self.recording.directives.append(Recorded(op, self._caller_line()))

    def _caller_line(self) -> int | None:
        """The line of the script that called the directive."""
        target = str(Path(self.recording.path).resolve())
        frame = sys._getframe(1)
        while frame is not None:
            if str(Path(frame.f_code.co_filename).resolve()) == target:
                return frame.f_lineno
            frame = frame.f_back  # type: ignore[assignment]
        return None

    def invoke(self, operation: MigrateOperation) -> Any:
        self.record(operation)
        return None

    def execute(self, sqltext: Any, execution_options: dict[str, Any] | None = None) -> Any:
        self.record(ExecuteSQLOp(_sql_text(sqltext)))
        return None

    def get_bind(self) -> Any:
        return _RecordingBind(self)

    def bulk_insert(self, table: Any, rows: Any, *, multiinsert: bool = True) -> None:
        return None  # rows into a table: no schema hazard

    def batch_alter_table(
        self,
        table_name: str,
        schema: str | None = None,
        recreate: str = "auto",
        partial_reordering: Sequence[Sequence[str]] | None = None,
        copy_from: Table | None = None,
        table_args: Sequence[Any] = (),
        table_kwargs: dict[str, Any] | None = None,
        reflect_args: Sequence[Any] = (),
        reflect_kwargs: dict[str, Any] | None = None,
        naming_convention: dict[str, Any] | None = None,
    ) -> AbstractContextManager[BatchOperations]:
        @contextmanager
        def block() -> Iterator[BatchOperations]:
            yield _RecordingBatch(
                self,
                table_name,
                schema,
                recreate=recreate,
                copy_from=copy_from,
                table_args=table_args,
                table_kwargs=table_kwargs or {},
                naming_convention=naming_convention,
                partial_reordering=partial_reordering,
            )

        return block()


class _RecordingBatch(BatchOperations):
    """``batch_op``: each directive is recorded as the parent's, at its own line."""

    def invoke(self, operation: MigrateOperation) -> Any:
        parent = self.parent
        assert isinstance(parent, RecordingOperations)
        parent.record(operation)
        return None


def offline_context(dialect: Dialect) -> Any:
    """A migration context on no connection, whose SQL output goes nowhere."""
    from schemadiff.runtime.migration import MigrationContext, MigrationOptions

    return MigrationContext(
        dialect, None, MigrationOptions(as_sql=True, output_buffer=io.StringIO())
    )


def record_upgrade(module: Any, path: str, dialect: Dialect) -> Recording:
    """Run ``module.upgrade()`` against a recording ``op``; nothing is executed."""
    recording = Recording(path)
    operations = RecordingOperations(offline_context(dialect), recording)
    fn = getattr(module, "upgrade", None)
    if fn is None:
        recording.stopped = "the script has no upgrade()"
        return recording
    with activate(operations):
        try:
            fn()
        except (Exception, SystemExit) as exc:
            recording.stopped = f"upgrade() stopped without a database: {type(exc).__name__}: {exc}"
    return recording
