"""MySQL and MariaDB: non-transactional DDL, MODIFY restates whole columns."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import JSON, Column
from sqlalchemy.dialects.mysql import LONGTEXT

from schemadiff.dialects.base import DialectImpl, DropConstraintPlan
from schemadiff.errors import MigrationError

if TYPE_CHECKING:  # annotations only: the runner needs no ops package to connect
    from sqlalchemy.engine import Connection

    from schemadiff.ops.constraint_ops import DropConstraintOp
    from schemadiff.ops.schema_ops import AlterColumnOp

# Display widths carry no meaning for storage: INTEGER(11) is INTEGER.
_INT_WIDTH = re.compile(r"^(TINYINT|SMALLINT|MEDIUMINT|INTEGER|INT|BIGINT|YEAR)\(\d+\)")


class MySQLImpl(DialectImpl):
    name: ClassVar[str] = "mysql"
    transactional_ddl: ClassVar[bool] = False
    unique_constraint_is_index: ClassVar[bool] = True
    implicit_fk_indexes: ClassVar[bool] = True
    # InnoDB treats RESTRICT and NO ACTION alike (MySQL 8.0 manual, 15.1.20.5)
    default_fk_actions: ClassVar[frozenset[str]] = frozenset({"NO ACTION", "RESTRICT"})
    # MariaDB's sequences (10.3+): no AS type, a cache of 1000, one word for NOCYCLE,
    # and a sequence is a one-row table
    sequence_as_type: ClassVar[bool] = False
    sequence_default_cache: ClassVar[int] = 1000
    sequence_no_cycle: ClassVar[str] = "NOCYCLE"

    drop_index_needs_table: ClassVar[bool] = True
    replaces_views_in_place: ClassVar[bool] = True
    offline_begin: ClassVar[str] = "START TRANSACTION;"

    @property
    def display_name(self) -> str:
        return "MariaDB" if getattr(self.dialect, "is_mariadb", False) else "MySQL"

    def sequence_position_sql(self, quoted_name: str) -> str:
        return f"SELECT next_not_cached_value FROM {quoted_name}"

    def complete_alter_column(self, bind: Connection | None, op: AlterColumnOp) -> AlterColumnOp:
        if bind is None:
            return op
        from schemadiff.backends.mysql.operations import with_existing_hints

        return with_existing_hints(bind, op)

    def plan_drop_constraint(
        self, bind: Connection | None, op: DropConstraintOp
    ) -> DropConstraintPlan | None:
        from schemadiff.backends.mysql.operations import plan_drop_constraint

        return plan_drop_constraint(bind, op)

    type_synonyms = (
        frozenset({"NUMERIC", "DECIMAL"}),
        # SQLAlchemy compiles Boolean as BOOL; MySQL stores and reports TINYINT(1)
        frozenset({"BOOL", "BOOLEAN", "TINYINT(1)"}),
        frozenset({"INTEGER", "INT"}),
        frozenset({"DOUBLE", "DOUBLE PRECISION", "REAL"}),
    )

    def normalize_name(self, name: str | None) -> str | None:
        # index and constraint names are case-insensitive in MySQL
        return name.lower() if name is not None else None

    def stored_alike(self, inspected: Any, metadata: Any) -> bool:
        # MariaDB stores JSON as LONGTEXT with a json_valid() CHECK
        # (MariaDB 10.2.7+, "JSON Data Type").
        return isinstance(metadata, JSON) and isinstance(inspected, (LONGTEXT, JSON))

    def sequence_signature(self, seq: Any) -> Any:
        """A MariaDB sequence's options less the defaults CREATE SEQUENCE fills in.

        MariaDB 10.3+ ("CREATE SEQUENCE"): increment 1; ascending from 1 to
        9223372036854775806, descending from -9223372036854775807 to -1;
        starting at MINVALUE (ascending) or MAXVALUE (descending); cache
        1000; no cycle.  It has no ``AS`` type before 11.5.
        """
        increment = 1 if seq.increment is None else seq.increment
        ascending = increment > 0
        low, high = (1, 2**63 - 2) if ascending else (-(2**63) + 1, -1)
        minvalue = low if seq.minvalue is None else seq.minvalue
        maxvalue = high if seq.maxvalue is None else seq.maxvalue
        start = seq.start if seq.start is not None else (minvalue if ascending else maxvalue)
        return (
            None if start == (minvalue if ascending else maxvalue) else start,
            None if increment == 1 else increment,
            None if minvalue == low else minvalue,
            None if maxvalue == high else maxvalue,
            bool(seq.cycle),
            None if seq.cache in (None, 1000) else seq.cache,
        )

    def normalize_type_text(self, text: str) -> str:
        upper = text.upper().strip()
        if upper in ("TINYINT(1)", "BOOL", "BOOLEAN"):
            return "BOOL"
        upper = _INT_WIDTH.sub(lambda m: m.group(1), upper)
        upper = upper.replace(" UNSIGNED", " UNSIGNED")
        return super().normalize_type_text(upper)

    def normalize_default(self, text: str | None) -> str | None:
        text = super().normalize_default(text)
        if text is None:
            return None
        # MariaDB 10.2+ reports string defaults quoted and NULL as the word
        if text.upper() == "NULL":
            return None
        return text

    def column_comment(
        self, table_name: str, column_name: str, comment: str | None, schema: str | None
    ) -> list[str]:
        return []  # MySQL comments are part of the column definition (MODIFY)

    def table_comment(self, table_name: str, comment: str | None, schema: str | None) -> list[str]:
        return [
            f"ALTER TABLE {self.quote_table(table_name, schema)} COMMENT "
            f"{self.literal(comment or '')}"
        ]

    def literal(self, value: str) -> str:
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"

    def alter_column(self, op: AlterColumnOp) -> list[str]:
        table = self.quote_table(op.table_name, op.schema)
        col = self.preparer.quote(op.column_name)
        needs_modify = op.nullable is not None or op.type is not None or op.comment is not None
        out: list[str] = []
        if needs_modify or op.new_column_name:
            type_ = op.type.new if op.type else op.existing_type
            if type_ is None:
                raise MigrationError(
                    f"MySQL needs the column's type to alter '{op.table_name}.{op.column_name}'; "
                    "pass existing_type="
                )
            nullable = op.nullable.new if op.nullable else op.existing_nullable
            default = op.server_default.new if op.server_default else op.existing_server_default
            comment = op.comment.new if op.comment else op.existing_comment
            spec = self._restated(op, type_, nullable, default, comment)
            if op.new_column_name:
                out.append(f"ALTER TABLE {table} CHANGE {col} {spec}")
            else:
                out.append(f"ALTER TABLE {table} MODIFY {spec}")
        elif op.server_default is not None:
            sql = self.default_sql(op.server_default.new)
            verb = "DROP DEFAULT" if sql is None else f"SET DEFAULT {sql}"
            out.append(f"ALTER TABLE {table} ALTER COLUMN {col} {verb}")
        return out

    def _restated(
        self, op: AlterColumnOp, type_: Any, nullable: bool | None, default: Any, comment: Any
    ) -> str:
        name = self.preparer.quote(op.new_column_name or op.column_name)
        parts = [name, str(self.compile_type(type_))]
        parts.append("NULL" if nullable is not False else "NOT NULL")
        default_sql = self.default_sql(default)
        if default_sql is not None:
            parts.append(f"DEFAULT {default_sql}")
        # MODIFY restates the whole column: AUTO_INCREMENT too, or it is lost.
        if op.extra.get("autoincrement", op.extra.get("existing_autoincrement")):
            parts.append("AUTO_INCREMENT")
        if comment:
            parts.append(f"COMMENT {self.literal(comment)}")
        return " ".join(parts)

    def add_column(self, table_name: str, column: Column[Any], schema: str | None) -> list[str]:
        # MySQL's column spec already carries COMMENT '...'
        spec = self.column_spec(table_name, column, schema)
        return [f"ALTER TABLE {self.quote_table(table_name, schema)} ADD COLUMN {spec}"]
