"""PostgreSQL: transactional DDL, ALTER COLUMN ... TYPE, casts in defaults."""

from __future__ import annotations

from typing import Any, ClassVar

from schemadiff.dialects.base import DialectImpl
from schemadiff.ops.schema_ops import AlterColumnOp


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

    def alter_column(self, op: AlterColumnOp) -> list[str]:
        stmts = self.generic_alter_column(op)
        if op.type is not None:
            # An explicit USING lets PostgreSQL convert e.g. VARCHAR -> INTEGER.
            col = self.preparer.quote(op.column_name)
            new_type = self.compile_type(op.type.new)
            stmts = [
                s + f" USING {col}::{new_type}" if s.endswith(f"TYPE {new_type}") else s
                for s in stmts
            ]
        return stmts
