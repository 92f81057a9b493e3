"""PostgreSQL's move-and-copy rebuild (batch mode).

What PostgreSQL adds to the generic sequence (``operations.batch_recreate``):
keys to the old table would block its DROP, so they are added after the
swap; the old table's primary key and unique constraints are dropped first,
freeing their names; SERIAL sequences the old table owns are kept alive and
re-pointed; comments are restored; offline, the script finds other tables'
keys itself (parked in a temporary table and re-created from their
definitions).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Column, MetaData, Table, text
from sqlalchemy.engine import Connection
from sqlalchemy.schema import DropConstraint, SetColumnComment, SetTableComment
from sqlalchemy.types import NULLTYPE

from schemadiff.operations.base import Operations
from schemadiff.operations.batch_recreate import TEMP_NAME, Recreate
from schemadiff.operations.batch_table import Rebuild, refers_to
from schemadiff.snapshot.model import ForeignKeySnapshot

_NEXTVAL = re.compile(r"nextval\('(?P<seq>[^']+)'(::regclass)?\)", re.IGNORECASE)


def owned_sequences(conn: Connection, rebuild: Rebuild) -> dict[str, str]:
    """PostgreSQL: column -> sequence for columns whose default draws from a sequence
    the old table owns (SERIAL); the sequence must outlive the old table."""
    out: dict[str, str] = {}
    for col in rebuild.table.columns:
        source = rebuild.sources.get(col.name)
        if not source or not col.server_default or not _NEXTVAL.search(col.server_default):
            continue
        seq = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"),
            {"t": rebuild.full_name, "c": source},
        ).scalar()
        if seq:
            out[source] = seq
    return out


class PostgresqlRecreate(Recreate):
    def __init__(self, operations: Operations, model: Rebuild, *, from_copy: bool) -> None:
        super().__init__(operations, model, from_copy=from_copy)
        self.sequences = (
            owned_sequences(self.mc.get_bind(), model) if self.online and not from_copy else {}
        )

    def fk_inline(self, fk: ForeignKeySnapshot) -> bool:
        # A key to the old table would block its DROP; it is added after the swap.
        return not refers_to(fk, self.model.name, self.model.schema)

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
        from sqlalchemy import ForeignKeyConstraint, PrimaryKeyConstraint, UniqueConstraint

        wanted = {
            k.name
            for k in [self.model.table.primary_key, *self.model.table.uniques]
            if k and k.name
        }
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
        if not any(c.identity is not None and c.identity.always for c in self.model.table.columns):
            return insert
        sql = self.mc.render(insert)
        head, sep, tail = sql.partition(") SELECT")
        return text(f"{head}) OVERRIDING SYSTEM VALUE SELECT{tail}") if sep else insert

    def before_drop(self) -> None:
        for seq in self.sequences.values():
            self.execute(f"ALTER SEQUENCE {seq} OWNED BY NONE")

    def after_rename(self, final: Table, late_fks: list[ForeignKeySnapshot]) -> None:
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
        elif self.model.table.primary_key and not self.model.table.primary_key.name:
            names = [f"{TEMP_NAME}_pkey"]
        else:
            names = []
        for name in names:
            new = self.model.name + name[len(TEMP_NAME) :]
            self.execute(f"ALTER TABLE {table} RENAME CONSTRAINT {q(name)} TO {q(new[:63])}")


PG_PARKED = "_schemadiff_batch_fks"


def _pg_loop(statement: str) -> str:
    return (
        "DO $$ DECLARE r record; BEGIN "
        f"FOR r IN SELECT * FROM {PG_PARKED} LOOP EXECUTE {statement}; END LOOP; END $$"
    )
