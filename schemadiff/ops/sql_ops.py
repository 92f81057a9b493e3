"""Raw SQL as an operation, so what reads directives (``lint``) can see it.

The runtime executes ``op.execute()`` directly; this record exists for
readers that must not run it, and have to say that they cannot vouch for
what it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from schemadiff.ops.base import Change, MigrateOperation


@dataclass(frozen=True)
class ExecuteSQLOp(MigrateOperation):
    kind: ClassVar[str] = "execute"
    sql: str

    def to_changes(self) -> list[Change]:
        return [Change("execute", None, None, None, {"sql": self.sql})]

    def describe(self) -> str:
        first = " ".join(self.sql.split())
        return f"raw SQL: {first[:80]}{'...' if len(first) > 80 else ''}"
