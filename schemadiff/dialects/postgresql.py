"""PostgreSQL: transactional DDL, ALTER COLUMN ... TYPE, casts in defaults."""

from __future__ import annotations

import re
from typing import ClassVar

from schemadiff.dialects.base import DialectImpl
from schemadiff.ops.schema_ops import AlterColumnOp

# PostgreSQL reports literals with their cast: 'x'::character varying
_CAST = re.compile(r"::[a-z_ ]+(\[\])?(\(\d+(,\s*\d+)?\))?", re.IGNORECASE)


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

    def normalize_default(self, text: str | None) -> str | None:
        text = super().normalize_default(text)
        if text is None:
            return None
        return _CAST.sub("", text)

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
