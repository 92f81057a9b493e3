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

import logging
from typing import Any

from sqlalchemy import MetaData, Table, text
from sqlalchemy.engine import Connection
from sqlalchemy.schema import (
    AddConstraint,
    CreateIndex,
    CreateTable,
    DropConstraint,
    DropTable,
    SetColumnComment,
    SetTableComment,
)

from schemadiff.errors import MigrationError
from schemadiff.operations.base import Operations
from schemadiff.operations.batch_model import BatchTable
from schemadiff.operations.batch_reflect import ReferencingKey, owned_sequences, referencing_keys
from schemadiff.operations.batch_specs import ForeignKeySpec

log = logging.getLogger("schemadiff.operations.batch")

TEMP_NAME = "_schemadiff_batch_temp"


def recreate_table(operations: Operations, model: BatchTable, *, from_copy: bool) -> None:
    name = operations.impl.name
    handler_cls = {"sqlite": SQLiteRecreate, "postgresql": PostgresqlRecreate}.get(
        name, MySQLRecreate if name in ("mysql", "mariadb") else Recreate
    )
    handler_cls(operations, model, from_copy=from_copy).run()


class Recreate:
    """The generic sequence; subclasses add what their backend needs."""

    #: foreign keys to other tables go into CREATE TABLE (else added after the swap)
    inline_foreign_keys = True
    #: other tables' foreign keys must go before the DROP and come back after
    drops_referencing_keys = True

    def __init__(self, operations: Operations, model: BatchTable, *, from_copy: bool) -> None:
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
        inline_fks = [f for f in self.model.foreign_keys if self.fk_inline(f)]
        temp = self.model.build(TEMP_NAME, with_fks=False)
        for fk in inline_fks:
            temp.append_constraint(self.model.fk_constraint(fk, temp.metadata))
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
            insert = self.model.copy_statement(temp, self.model.name)
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
        final = self.model.build(self.model.name, with_fks=False)
        self.after_rename(final, [f for f in self.model.foreign_keys if f not in inline_fks])
        if self.drops_referencing_keys:
            if self.online:
                self.add_referencing_keys()
            else:
                self.unknown_referencing_keys("end")

    def unknown_referencing_keys(self, stage: str) -> None:
        """Offline: other tables' keys to this one are unknown; let the database keep
        them through the swap (stages: start, drop, rename, end)."""

    def fk_inline(self, fk: ForeignKeySpec) -> bool:
        return self.inline_foreign_keys and not fk.refers_to(self.model.name, self.model.schema)

    def copy(self, insert: Any) -> Any:
        return insert

    def before_create(self) -> None:
        pass

    def before_drop(self) -> None:
        pass

    def rename(self, old: str, new: str) -> None:
        for stmt in self.operations.impl.rename_table(old, new, self.model.schema):
            self.execute(stmt)

    def after_rename(self, final: Table, late_fks: list[ForeignKeySpec]) -> None:
        for index in self.model.build_indexes(final):
            self.execute(index if isinstance(index, str) else CreateIndex(index))
        for fk in late_fks:
            cons = self.model.fk_constraint(fk, final.metadata)
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
            gone = [c for c in ref.spec.referred_columns if c in self.model.dropped]
            if gone:
                raise MigrationError(
                    f"Cannot rebuild '{self.model.full_name}': column(s) {', '.join(gone)} "
                    f"are referenced by foreign key {ref.spec.name or '(unnamed)'} of table "
                    f"'{ref.table}'; drop that foreign key first"
                )

    def _referencing_constraint(self, ref: ReferencingKey) -> Any:
        spec = ForeignKeySpec(
            ref.spec.name,
            ref.spec.columns,
            ref.spec.referred_schema,
            ref.spec.referred_table,
            [self.model.renamed.get(c, c) for c in ref.spec.referred_columns],
            ref.spec.options,
        )
        md = MetaData()
        from sqlalchemy import Column
        from sqlalchemy.types import NULLTYPE

        child = Table(
            ref.table, md, *[Column(c, NULLTYPE) for c in spec.columns], schema=ref.schema
        )
        holder = BatchTable(ref.table, ref.schema)
        cons = holder.fk_constraint(spec, md)
        child.append_constraint(cons)
        return cons

    def drop_referencing_keys(self) -> None:
        for ref in self.referencing:
            if ref.spec.name is None:
                raise MigrationError(
                    f"Cannot rebuild '{self.model.full_name}': table '{ref.table}' refers to it "
                    "through an unnamed foreign key, which cannot be dropped and restored"
                )
            self.execute(DropConstraint(self._referencing_constraint(ref)))

    def add_referencing_keys(self) -> None:
        for ref in self.referencing:
            self.execute(AddConstraint(self._referencing_constraint(ref)))


class SQLiteRecreate(Recreate):
    """SQLite names tables in its foreign keys: nothing of the others' keys moves."""

    drops_referencing_keys = False

    def fk_inline(self, fk: ForeignKeySpec) -> bool:
        return True  # a key to the table itself names it, and the name comes back

    def check_referencing_keys(self) -> None:
        super().check_referencing_keys()
        for ref in self.referencing:
            moved = [c for c in ref.spec.referred_columns if c in self.model.renamed]
            if moved:
                raise MigrationError(
                    f"Cannot rebuild '{self.model.full_name}' with column(s) "
                    f"{', '.join(moved)} renamed: the foreign key of table '{ref.table}' refers "
                    "to them by name; rename them in a batch of their own (SQLite then renames "
                    "in place and updates the reference)"
                )
        if not self.online:
            return
        referenced = bool(self.referencing) or any(
            f.refers_to(self.model.name, self.model.schema) for f in self.model.foreign_keys
        )
        if referenced and _foreign_keys_enforced(self.mc.get_bind()):
            raise MigrationError(
                f"Cannot rebuild '{self.model.full_name}': other rows refer to it and this "
                "connection enforces foreign keys (PRAGMA foreign_keys=ON) inside a transaction "
                "schemadiff did not begin, where SQLite cannot switch enforcement off. Let "
                "env.py use context.begin_transaction()"
            )

    def rename(self, old: str, new: str) -> None:
        if not self.online:
            super().rename(old, new)
            return
        # Views naming the table would fail the rename's schema check (SQLite
        # 3.26+) while the table is briefly missing; the legacy rename skips it.
        conn = self.mc.get_bind()
        legacy = conn.exec_driver_sql("PRAGMA legacy_alter_table").scalar()
        conn.exec_driver_sql("PRAGMA legacy_alter_table = ON")
        try:
            super().rename(old, new)
        finally:
            conn.exec_driver_sql(f"PRAGMA legacy_alter_table = {'ON' if legacy else 'OFF'}")

    def after_rename(self, final: Table, late_fks: list[ForeignKeySpec]) -> None:
        super().after_rename(final, [])
        for trigger in self.model.triggers:
            self.execute(trigger)


class PostgresqlRecreate(Recreate):
    def __init__(self, operations: Operations, model: BatchTable, *, from_copy: bool) -> None:
        super().__init__(operations, model, from_copy=from_copy)
        self.sequences = (
            owned_sequences(self.mc.get_bind(), model) if self.online and not from_copy else {}
        )

    def fk_inline(self, fk: ForeignKeySpec) -> bool:
        # A key to the old table would block its DROP; it is added after the swap.
        return not fk.refers_to(self.model.name, self.model.schema)

    def unknown_referencing_keys(self, stage: str) -> None:
        """Offline the script itself finds the keys: kept in a temporary table,
        dropped before the swap and re-created from their definitions after."""
        if stage == "start":
            regclass = self.operations.impl.literal(
                self.operations.impl.quote_table(self.model.name, self.model.schema)
            )
            self.execute(
                f"CREATE TEMPORARY TABLE {PG_PARKED} AS SELECT CAST(conrelid AS regclass) "
                "AS tbl, conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint "
                f"WHERE contype = 'f' AND confrelid = CAST({regclass} AS regclass) "
                "AND conrelid <> confrelid"
            )
            self.execute(
                _pg_loop("'ALTER TABLE ' || r.tbl || ' DROP CONSTRAINT ' || quote_ident(r.name)")
            )
        elif stage == "end":
            self.execute(
                _pg_loop(
                    "'ALTER TABLE ' || r.tbl || ' ADD CONSTRAINT ' || quote_ident(r.name) "
                    "|| ' ' || r.def"
                )
            )
            self.execute(f"DROP TABLE {PG_PARKED}")

    def before_create(self) -> None:
        """Free the names the new table's keys take again (index names are per schema);
        the table's keys to itself go first, as they depend on its primary key."""
        from sqlalchemy import Column, ForeignKeyConstraint, PrimaryKeyConstraint, UniqueConstraint
        from sqlalchemy.types import NULLTYPE

        wanted = {k.name for k in [self.model.primary_key, *self.model.uniques] if k and k.name}
        md = MetaData()
        holder = Table(self.model.name, md, Column("_x", NULLTYPE), schema=self.model.schema)
        for name, kind in self.model.initial_keys.items():
            cons: Any
            if kind == "foreignkey":
                cons = ForeignKeyConstraint(["_x"], [holder.c._x], name=name)
            elif name not in wanted:
                continue
            elif kind == "primary":
                cons = PrimaryKeyConstraint(name=name)
            else:
                cons = UniqueConstraint(name=name)
            holder.append_constraint(cons)
            self.execute(DropConstraint(cons))

    def copy(self, insert: Any) -> Any:
        if not any(
            s.column.identity is not None and s.column.identity.always for s in self.model.slots
        ):
            return insert
        sql = self.mc.render(insert)
        head, sep, tail = sql.partition(") SELECT")
        return text(f"{head}) OVERRIDING SYSTEM VALUE SELECT{tail}") if sep else insert

    def before_drop(self) -> None:
        for seq in self.sequences.values():
            self.execute(f"ALTER SEQUENCE {seq} OWNED BY NONE")

    def after_rename(self, final: Table, late_fks: list[ForeignKeySpec]) -> None:
        super().after_rename(final, late_fks)
        q = self.operations.impl.preparer.quote  # plain SQL, see dialects.sqltext
        table = self.operations.impl.quote_table(self.model.name, self.model.schema)
        for source, seq in self.sequences.items():
            column = self.model.renamed.get(source, source)
            self.execute(f"ALTER SEQUENCE {seq} OWNED BY {table}.{q(column)}")
        for col in final.columns:
            if col.identity is not None or (
                col is final.autoincrement_column and col.server_default is None
            ):
                if col is final.autoincrement_column and col.identity is None:
                    # the SERIAL of the temporary table takes the name PostgreSQL
                    # gives the table's own (``<table>_<column>_seq``)
                    temp_seq = self.operations.impl.quote_table(
                        f"{TEMP_NAME}_{col.name}_seq", self.model.schema
                    )
                    self.execute(
                        f"ALTER SEQUENCE IF EXISTS {temp_seq} "
                        f"RENAME TO {q(f'{self.model.name}_{col.name}_seq')}"
                    )
                literal = self.operations.impl.literal
                self.execute(
                    f"SELECT setval(pg_get_serial_sequence({literal(table)}, {literal(col.name)}), "
                    f"coalesce(max({q(col.name)}), 0) + 1, false) FROM {table}"
                )
        self.rename_temp_constraints(table)
        if final.comment is not None:
            self.execute(SetTableComment(final))
        for col in final.columns:
            if col.comment is not None:
                self.execute(SetColumnComment(col))

    def rename_temp_constraints(self, table: str) -> None:
        """Unnamed constraints were named after the temporary table by PostgreSQL."""
        q = self.operations.impl.preparer.quote  # plain SQL, see dialects.sqltext
        if self.online:
            names = (
                self.mc.get_bind()
                .execute(
                    text(
                        "SELECT conname FROM pg_constraint WHERE conrelid = CAST(:t AS regclass) "
                        "AND conname LIKE :p"
                    ),
                    {"t": table, "p": TEMP_NAME.replace("_", "\\_") + "\\_%"},
                )
                .scalars()
                .all()
            )
        elif self.model.primary_key and not self.model.primary_key.name:
            names = [f"{TEMP_NAME}_pkey"]
        else:
            names = []
        for name in names:
            new = self.model.name + name[len(TEMP_NAME) :]
            self.execute(f"ALTER TABLE {table} RENAME CONSTRAINT {q(name)} TO {q(new[:63])}")


class MySQLRecreate(Recreate):
    # Foreign key names are unique per database in InnoDB: the new table's
    # keys can only be added once the old table (and its keys) is gone.
    inline_foreign_keys = False

    def unknown_referencing_keys(self, stage: str) -> None:
        """InnoDB keeps other tables' keys to a dropped table and attaches them to
        the table renamed into its place, when the checks are off meanwhile."""
        if stage == "drop":
            self.execute("SET FOREIGN_KEY_CHECKS = 0")
        elif stage == "rename":
            self.execute("SET FOREIGN_KEY_CHECKS = 1")


PG_PARKED = "_schemadiff_batch_fks"


def _pg_loop(statement: str) -> str:
    return (
        "DO $$ DECLARE r record; BEGIN "
        f"FOR r IN SELECT * FROM {PG_PARKED} LOOP EXECUTE {statement}; END LOOP; END $$"
    )


def _foreign_keys_enforced(conn: Connection) -> bool:
    return bool(conn.exec_driver_sql("PRAGMA foreign_keys").scalar())
