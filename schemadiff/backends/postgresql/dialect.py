"""PostgreSQL: transactional DDL, ALTER COLUMN ... TYPE, casts in defaults, identities."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import BigInteger, Enum, Identity, Integer, SmallInteger
from sqlalchemy.types import TypeEngine

from schemadiff.backends.postgresql.indexes import index_option_signature
from schemadiff.dialects.base import DialectImpl

if TYPE_CHECKING:  # imported where used: the runner needs neither the snapshot nor the ops package
    from schemadiff.ops.schema_ops import AlterColumnOp
    from schemadiff.snapshot.model import IdentitySnapshot

#: The largest value of each type an identity column may have, which is an
#: ascending sequence's default MAXVALUE (PostgreSQL 16 docs, 8.1.1 and
#: CREATE SEQUENCE); anything else compiles to BIGINT's.
_INTEGER_MAX = {"SMALLINT": 2**15 - 1, "INTEGER": 2**31 - 1, "BIGINT": 2**63 - 1}


class PostgresqlImpl(DialectImpl):
    name: ClassVar[str] = "postgresql"
    transactional_ddl: ClassVar[bool] = True
    type_synonyms = (
        # FLOAT without precision is stored as float8 (PostgreSQL 15 docs, 8.1.3)
        frozenset({"FLOAT", "DOUBLE PRECISION", "FLOAT(53)"}),
        frozenset({"NUMERIC", "DECIMAL"}),
        frozenset({"TIMESTAMP", "TIMESTAMP WITHOUT TIME ZONE"}),
        frozenset({"TIME", "TIME WITHOUT TIME ZONE"}),
    )

    reflects_index_modifiers: ClassVar[bool] = True
    compares_fk_deferrability: ClassVar[bool] = True
    named_enum_types: ClassVar[bool] = True
    serial_defaults: ClassVar[bool] = True
    has_routines: ClassVar[bool] = True

    def changes_views_cannot_survive(
        self, schema: str | None, table: str, op: Any
    ) -> Iterable[tuple[str | None, str, str | None]]:
        # "cannot alter type of a column used by a view", nor drop it
        from schemadiff.ops import AlterColumnOp, DropColumnOp

        if isinstance(op, DropColumnOp) or (isinstance(op, AlterColumnOp) and op.type is not None):
            yield (schema, table, op.column_name)

    display_name = "PostgreSQL"

    def index_option_signature(self, index: Any) -> tuple[Any, ...]:
        return index_option_signature(index)

    def normalize_type_text(self, text: str) -> str:
        # FLOAT(p) is REAL for p <= 24 and DOUBLE PRECISION above
        # (PostgreSQL 15 docs, 8.1.3 "Floating-Point Types").
        upper = text.upper().strip()
        if upper.startswith("FLOAT(") and upper.endswith(")"):
            digits = upper[6:-1].strip()
            if digits.isdigit():
                return "REAL" if int(digits) <= 24 else "DOUBLE PRECISION"
        return super().normalize_type_text(upper)

    def normalize_name(self, name: str | None) -> str | None:

        # Identifiers longer than NAMEDATALEN-1 (63 bytes) are truncated.
        return name[:63] if name is not None else None

    def is_implicit_default(self, inspected: str | None, column: Any) -> bool:
        # SERIAL / BIGSERIAL columns report nextval('<table>_<col>_seq'::regclass)
        return bool(
            inspected
            and inspected.startswith("nextval(")
            and column is not None
            and getattr(column, "autoincrement", None) in (True, "auto")
        )

    def identity_signature(
        self, identity: IdentitySnapshot, type_: TypeEngine[Any]
    ) -> IdentitySnapshot:
        """The options that differ from what PostgreSQL picks for this column type.

        A model leaves out what it lets the database choose, while the
        catalog reports every option; so each side keeps only what is not
        its type's default, and two identities are the same when these
        agree.  Defaults (CREATE SEQUENCE): increment 1; ascending from 1
        to the type's maximum, descending from its minimum to -1; starting
        at MINVALUE (ascending) or MAXVALUE (descending); cache 1; no cycle.
        Each side is judged by its own type, as ALTER COLUMN ... TYPE moves
        a default MAXVALUE along with the type.
        """
        top = _INTEGER_MAX.get(self.compile_type(type_) or "", _INTEGER_MAX["BIGINT"])
        increment = _increment(identity)
        ascending = increment > 0
        min_default, max_default = (1, top) if ascending else (-top - 1, -1)
        minvalue = min_default if identity.minvalue is None else identity.minvalue
        maxvalue = max_default if identity.maxvalue is None else identity.maxvalue
        start_default = minvalue if ascending else maxvalue
        start = _start(identity)
        from schemadiff.snapshot.model import IdentitySnapshot

        return IdentitySnapshot(
            always=bool(identity.always),
            start=None if start == start_default else start,
            increment=None if increment == 1 else increment,
            minvalue=None if minvalue == min_default else minvalue,
            maxvalue=None if maxvalue == max_default else maxvalue,
            cycle=True if identity.cycle else None,
            cache=None if identity.cache in (None, 1) else identity.cache,
        )

    def sequence_signature(self, seq: Any) -> Any:
        """A sequence's options less PostgreSQL's defaults for its type.

        CREATE SEQUENCE has the defaults of an identity column's sequence
        (see ``identity_signature``), for its ``AS`` type, BIGINT unless given.
        """
        from schemadiff.snapshot.model import IdentitySnapshot

        data_type = seq.data_type or "BIGINT"
        type_ = {"SMALLINT": SmallInteger(), "INTEGER": Integer()}.get(data_type, BigInteger())
        options = IdentitySnapshot(
            False, seq.start, seq.increment, seq.minvalue, seq.maxvalue, seq.cycle, seq.cache
        )
        return (self.identity_signature(options, type_), data_type)

    def types_differ(self, inspected: TypeEngine[Any], metadata: TypeEngine[Any]) -> bool:
        """A named enum with other values is the same column type.

        Its values belong to the type object, compared and changed as one
        (``modify_enum``); the column changes type only when it moves to
        another type, which compiles to another name.
        """
        if isinstance(inspected, Enum) and isinstance(metadata, Enum):
            from schemadiff.snapshot.objects import is_named_enum

            if is_named_enum(metadata, self.dialect) is None:
                return super().types_differ(inspected, metadata)
            return self.type_signature(inspected) != self.type_signature(metadata)
        return super().types_differ(inspected, metadata)

    def alter_column(self, op: AlterColumnOp) -> list[str]:
        stmts = self.generic_alter_column(op)
        if op.type is not None and op.server_default is not None:
            stmts = _default_around_type(stmts, self.quote_table(op.table_name, op.schema), op)
        if op.type is not None:
            # An explicit USING lets PostgreSQL convert e.g. VARCHAR -> INTEGER.
            col = self.preparer.quote(op.column_name)
            new_type = self.compile_type(op.type.new)
            using = op.extra.get("postgresql_using") or f"{col}::{new_type}"
            stmts = [s + f" USING {using}" if s.endswith(f"TYPE {new_type}") else s for s in stmts]
        if op.identity is None:
            return stmts
        table = self.quote_table(op.table_name, op.schema)
        old, new = op.identity.old, op.identity.new
        if new is None:
            # First: an identity column cannot lose NOT NULL or take a default.
            drop = "DROP IDENTITY" if old is not None else "DROP IDENTITY IF EXISTS"
            col = self.preparer.quote(op.column_name)
            return [f"ALTER TABLE {table} ALTER COLUMN {col} {drop}", *stmts]
        # Last: ADD needs the column NOT NULL and without a default, and by
        # then a rename has happened.
        col = self.preparer.quote(op.new_column_name or op.column_name)
        if old is None:
            clauses = ["ADD " + self.ddl_compiler().process(new)]
        else:
            clauses = _identity_changes(old, new)
        if clauses:
            stmts.append(f"ALTER TABLE {table} ALTER COLUMN {col} {' '.join(clauses)}")
        return stmts


def _default_around_type(stmts: list[str], table: str, op: AlterColumnOp) -> list[str]:
    """Drop the old default before ``ALTER ... TYPE`` and set the new one after it.

    PostgreSQL casts the column's default along with the column and
    refuses when it cannot (``'1'::character varying`` to integer), and a
    new default of the new type may not fit the old type either.
    """
    default = next((s for s in stmts if " SET DEFAULT " in s or s.endswith(" DROP DEFAULT")), None)
    type_ = next((s for s in stmts if " TYPE " in s), None)
    if default is None or type_ is None:
        return stmts
    out = [s for s in stmts if s is not default]
    column = default.split(" ALTER COLUMN ", 1)[1].split(" ", 1)[0]
    out.insert(0, f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT")
    if " SET DEFAULT " in default:
        out.insert(out.index(type_) + 1, default)
    return out


def _identity_changes(old: Identity, new: Identity) -> list[str]:
    """``SET ...`` clauses turning one identity into the other.

    They go out as one ALTER COLUMN, so PostgreSQL checks the sequence once
    with all of them applied (a new MINVALUE above the old START is fine
    when START moves too).  An option left out (None) means its default:
    ``NO MINVALUE`` / ``NO MAXVALUE`` let PostgreSQL derive it from the
    column's type.
    """
    out: list[str] = []
    if bool(old.always) != bool(new.always):
        out.append("SET GENERATED " + ("ALWAYS" if new.always else "BY DEFAULT"))
    if _increment(old) != _increment(new):
        out.append(f"SET INCREMENT BY {_increment(new)}")
    for word, before, after in (
        ("MINVALUE", old.minvalue, new.minvalue),
        ("MAXVALUE", old.maxvalue, new.maxvalue),
    ):
        if before != after:
            out.append(f"SET NO {word}" if after is None else f"SET {word} {after}")
    if _start(old) != _start(new):
        out.append(f"SET START WITH {_start(new)}")
    if (old.cache or 1) != (new.cache or 1):
        out.append(f"SET CACHE {new.cache or 1}")
    if bool(old.cycle) != bool(new.cycle):
        out.append("SET CYCLE" if new.cycle else "SET NO CYCLE")
    return out


def _increment(identity: Identity | IdentitySnapshot) -> int:
    return 1 if identity.increment is None else identity.increment


def _start(identity: Identity | IdentitySnapshot) -> int:
    """START WITH, or where the sequence starts without one."""
    if identity.start is not None:
        return identity.start
    if _increment(identity) > 0:
        return 1 if identity.minvalue is None else identity.minvalue
    return -1 if identity.maxvalue is None else identity.maxvalue
