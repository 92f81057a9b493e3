"""Move and copy: rebuild a table under a temporary name, copy the rows, swap.

The sequence, with what each backend adds (one handler class per backend):

1. other tables' foreign keys to the table are checked against the batch
   (a key to a dropped column is an error before anything runs) and, where
   the backend enforces them on DROP (PostgreSQL, MySQL), dropped;
2. PostgreSQL: the old table's primary key and unique constraints are
   dropped, freeing their names (index names are per schema there);
3. ``CREATE TABLE _schemadiff_batch_temp`` with every column, key, unique
   and check (foreign keys to other tables too, except on MySQL, where
   their names are per database);
4. ``INSERT INTO _schemadiff_batch_temp (...) SELECT ... FROM table``,
   through CAST where a type changed;
5. ``DROP TABLE table``; ``ALTER TABLE _schemadiff_batch_temp RENAME TO
   table``;
6. indexes, the remaining foreign keys, comments (PostgreSQL), sequences
   (PostgreSQL SERIAL/IDENTITY) and triggers (SQLite) are restored, then the
   other tables' foreign keys.

On SQLite and PostgreSQL all of it is one transaction: any failure leaves
the original table and its rows untouched.  MySQL commits each DDL
statement; a failure before step 5 drops the temporary table again and
restores the other tables' foreign keys, so the original is untouched there
too.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from sqlalchemy import MetaData, Table
from sqlalchemy.schema import (
    AddConstraint,
    CreateIndex,
    CreateTable,
    DropConstraint,
    DropTable,
)

from schemadiff.errors import MigrationError
from schemadiff.operations.base import Operations
from schemadiff.operations.batch_build import (
    build_indexes,
    build_table,
    copy_statement,
    fk_constraint,
)
from schemadiff.operations.batch_reflect import ReferencingKey, referencing_keys
from schemadiff.operations.batch_table import Rebuild, refers_to
from schemadiff.snapshot.model import ForeignKeySnapshot

log = logging.getLogger("schemadiff.operations.batch")

TEMP_NAME = "_schemadiff_batch_temp"


def recreate_table(operations: Operations, model: Rebuild, *, from_copy: bool) -> None:
    """Rebuild with the move-and-copy strategy the backend registered (slot
    ``recreate``), else the generic one."""
    from schemadiff.plugins import default_registries

    name = operations.migration_context.dialect.name
    handler_cls: type[Recreate] = (
        default_registries().backend(name).get("recreate", name) or Recreate
    )
    handler_cls(operations, model, from_copy=from_copy).run()


class Recreate:
    """The generic sequence; subclasses add what their backend needs."""

    #: foreign keys to other tables go into CREATE TABLE (else added after the swap)
    inline_foreign_keys = True
    #: other tables' foreign keys must go before the DROP and come back after
    drops_referencing_keys = True

    def __init__(self, operations: Operations, model: Rebuild, *, from_copy: bool) -> None:
        self.operations = operations
        self.mc = operations.migration_context
        self.model = model
        self.from_copy = from_copy
        self.online = not self.mc.as_sql
        self.referencing: list[ReferencingKey] = (
            referencing_keys(self.mc.get_bind(), model.name, model.schema) if self.online else []
        )

    def execute(self, statement: Any) -> Any:
        return self.mc.execute(statement)

    # -- the sequence ------------------------------------------------------------
    def run(self) -> None:
        log.info("Rebuilding table '%s' (move and copy)", self.model.full_name)
        self.check_referencing_keys()
        inline_fks = [f for f in self.model.table.foreign_keys if self.fk_inline(f)]
        temp = build_table(self.model, TEMP_NAME, with_fks=False)
        for fk in inline_fks:
            temp.append_constraint(fk_constraint(fk, temp.metadata))
        dropped_referencing = False
        created = False
        try:
            if self.drops_referencing_keys:
                if self.online:
                    self.drop_referencing_keys()
                    dropped_referencing = True
                else:
                    self.unknown_referencing_keys("start")
            self.before_create()
            self.execute(CreateTable(temp))
            created = True
            insert = copy_statement(self.model, temp, self.model.name)
            if insert is not None:
                self.execute(self.copy(insert))
        except Exception:
            if not self.mc.transactional_ddl and self.online:
                self.undo(created, dropped_referencing)
            raise
        self.before_drop()
        if not self.online and self.drops_referencing_keys:
            self.unknown_referencing_keys("drop")
        self.execute(DropTable(Table(self.model.name, MetaData(), schema=self.model.schema)))
        self.rename(TEMP_NAME, self.model.name)
        if not self.online and self.drops_referencing_keys:
            self.unknown_referencing_keys("rename")
        final = build_table(self.model, self.model.name, with_fks=False)
        self.after_rename(final, [f for f in self.model.table.foreign_keys if f not in inline_fks])
        if self.drops_referencing_keys:
            if self.online:
                self.add_referencing_keys()
            else:
                self.unknown_referencing_keys("end")

    def unknown_referencing_keys(self, stage: str) -> None:
        """Offline: other tables' keys to this one are unknown; let the database keep
        them through the swap (stages: start, drop, rename, end)."""

    def fk_inline(self, fk: ForeignKeySnapshot) -> bool:
        return self.inline_foreign_keys and not refers_to(fk, self.model.name, self.model.schema)

    def copy(self, insert: Any) -> Any:
        return insert

    def before_create(self) -> None:
        pass

    def before_drop(self) -> None:
        pass

    def rename(self, old: str, new: str) -> None:
        for stmt in self.operations.impl.rename_table(old, new, self.model.schema):
            self.execute(stmt)

    def after_rename(self, final: Table, late_fks: list[ForeignKeySnapshot]) -> None:
        for index in build_indexes(self.model, final):
            self.execute(index if isinstance(index, str) else CreateIndex(index))
        for fk in late_fks:
            cons = fk_constraint(fk, final.metadata)
            final.append_constraint(cons)
            self.execute(AddConstraint(cons))

    def undo(self, created: bool, dropped_referencing: bool) -> None:
        """Non-transactional backends: put things back as they were before step 1."""
        try:
            if created:
                self.execute(DropTable(Table(TEMP_NAME, MetaData(), schema=self.model.schema)))
            if dropped_referencing:
                self.add_referencing_keys()
        except Exception as exc:  # report the original failure, not this one
            log.error("Could not undo the failed rebuild of '%s': %s", self.model.full_name, exc)

    # -- other tables' foreign keys -------------------------------------------------
    def check_referencing_keys(self) -> None:
        for ref in self.referencing:
            gone = [c for c in ref.key.referred_columns if c in self.model.dropped]
            if gone:
                raise MigrationError(
                    f"Cannot rebuild '{self.model.full_name}': column(s) {', '.join(gone)} "
                    f"are referenced by foreign key {ref.key.name or '(unnamed)'} of table "
                    f"'{ref.table}'; drop that foreign key first"
                )

    def _referencing_constraint(self, ref: ReferencingKey) -> Any:
        key = dataclasses.replace(
            ref.key,
            referred_columns=tuple(self.model.renamed.get(c, c) for c in ref.key.referred_columns),
        )
        md = MetaData()
        from sqlalchemy import Column
        from sqlalchemy.types import NULLTYPE

        child = Table(ref.table, md, *[Column(c, NULLTYPE) for c in key.columns], schema=ref.schema)
        cons = fk_constraint(key, md)
        child.append_constraint(cons)
        return cons

    def drop_referencing_keys(self) -> None:
        for ref in self.referencing:
            if ref.key.name is None:
                raise MigrationError(
                    f"Cannot rebuild '{self.model.full_name}': table '{ref.table}' refers to it "
                    "through an unnamed foreign key, which cannot be dropped and restored"
                )
            self.execute(DropConstraint(self._referencing_constraint(ref)))

    def add_referencing_keys(self) -> None:
        for ref in self.referencing:
            self.execute(AddConstraint(self._referencing_constraint(ref)))
