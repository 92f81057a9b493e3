"""The version table (one row per current head) and how a context reads and moves it.

``VersionRows`` is a mixin of ``MigrationContext``: online it reads and
writes the table through the context's connection, offline it writes the
statements to the SQL output and takes the starting rows from
``starting_version``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Column,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.schema import CreateTable, DropTable
from sqlalchemy.sql.base import Executable

from schemadiff.errors import MigrationError
from schemadiff.runtime.transactions import Transactions
from schemadiff.runtime.version_writes import rowcount_error


def version_table(name: str = "schemadiff_version", schema: str | None = None) -> Table:
    return Table(
        name,
        MetaData(),
        Column("version_num", String(32), nullable=False),
        PrimaryKeyConstraint("version_num", name=f"{name}_pkc"),
        schema=schema,
    )


class VersionRows(Transactions):
    """Reading and moving the version table; see the module docstring."""

    _version_table_seen: bool = False

    def execute(self, statement: str | Executable, params: Any = None) -> Any:
        raise NotImplementedError  # pragma: no cover - MigrationContext's

    def _has_version_table(self) -> bool:
        # Once seen, the table stays for the run (online nothing drops it):
        # asked again before every migration, the catalog read would only cost.
        if self._version_table_seen:
            return True
        from sqlalchemy import inspect

        self._version_table_seen = inspect(self.get_bind()).has_table(
            self.version_table.name, schema=self.version_table.schema
        )
        return self._version_table_seen

    def ensure_version_table(self) -> None:
        if self.as_sql or not self._has_version_table():
            self.execute(CreateTable(self.version_table))

    def get_current_heads(self) -> tuple[str, ...]:
        if self.as_sql:
            start = self.opts.starting_version
            return tuple(s.strip() for s in start.split(",") if s.strip()) if start else ()
        if self._journal is None:  # first read: say if a migration did not finish
            self.journal().warn()
        if not self._has_version_table():
            return ()
        rows = self.get_bind().execute(select(self.version_table.c.version_num)).scalars().all()
        return tuple(rows)

    def get_current_revision(self) -> str | None:
        heads = self.get_current_heads()
        if len(heads) > 1:
            raise MigrationError(
                "Version table has more than one head present; use get_current_heads()"
            )
        return heads[0] if heads else None

    def apply_version_change(self, kind: str, from_rev: str | None, to_rev: str | None) -> None:
        if self._ledger is not None:
            with self._ledger.bookkeeping():
                self._apply_version_change(kind, from_rev, to_rev)
        else:
            self._apply_version_change(kind, from_rev, to_rev)

    def _apply_version_change(self, kind: str, from_rev: str | None, to_rev: str | None) -> None:
        held = self._held
        if held is not None and kind == "update" and held.joins(from_rev):
            held.hold(from_rev, to_rev)  # written before the next statement or commit
            return
        self._write_held()
        vt = self.version_table
        col = vt.c.version_num
        if kind == "insert":
            self.execute(insert(vt).values(version_num=to_rev))
        elif kind == "delete":
            result = self.execute(delete(vt).where(col == from_rev))
            self._check_rowcount(result, kind, from_rev)
        elif kind == "update":
            self._write_version_update(from_rev, to_rev)
        else:  # pragma: no cover - planner contract
            raise MigrationError(f"unknown version table change {kind!r}")

    def _write_version_update(self, from_rev: str | None, to_rev: str | None) -> None:
        col = self.version_table.c.version_num
        stmt = update(self.version_table).values(version_num=to_rev).where(col == from_rev)
        self._check_rowcount(self.execute(stmt), "update", from_rev)

    def _check_rowcount(self, result: Any, kind: str, rev: str | None) -> None:
        if result is not None and result.rowcount != 1:
            raise rowcount_error(self.version_table, kind, rev, result.rowcount)

    def _prepare_version_table(self, heads: Sequence[str], creates: bool) -> None:
        if self.as_sql:
            if not heads and creates:
                self.ensure_version_table()
        elif not self._has_version_table():
            with self.begin_transaction(_per_migration=True):
                self.ensure_version_table()

    def ensure_version(self) -> None:
        """``ensure_version``: the version table, created in its own transaction if missing."""
        self._prepare_version_table((), True)

    def _drop_version_table_if_empty(self, rows: Sequence[str]) -> None:
        """Offline, a script that ends at base also removes the table it started with."""
        if self.as_sql and not rows:
            self.execute(DropTable(self.version_table))
