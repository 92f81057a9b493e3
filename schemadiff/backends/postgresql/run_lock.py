"""PostgreSQL's run lock: a session-level advisory lock."""

from __future__ import annotations

from sqlalchemy import text

from schemadiff.runtime.locking import RunLock


class PostgresqlRunLock(RunLock):
    """``pg_try_advisory_lock`` on a key derived from where the version table lives."""

    key: int | None = None

    def _key(self) -> int:
        if self.key is None:
            self.key = int(
                self.conn.execute(
                    text(
                        "SELECT hashtext('schemadiff:' || current_database() || ':' || "
                        "coalesce(CAST(:schema AS text), current_schema()) || ':' || :table)"
                    ),
                    {"schema": self.schema, "table": self.version_table},
                ).scalar_one()
            )
        return self.key

    def try_acquire(self) -> bool:
        key = self._key()
        return bool(
            self.conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar_one()
        )

    def release(self) -> None:
        if self.key is not None:
            self.conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
