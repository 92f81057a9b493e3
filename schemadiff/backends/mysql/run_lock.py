"""MySQL's and MariaDB's run lock: a named lock (``GET_LOCK``)."""

from __future__ import annotations

import hashlib

from sqlalchemy import text

from schemadiff.runtime.locking import RunLock


class MySQLRunLock(RunLock):
    """``GET_LOCK`` with a name unique to the database and version table (64 chars max)."""

    name: str | None = None

    def _name(self) -> str:
        if self.name is None:
            database = self.schema or self.conn.execute(text("SELECT DATABASE()")).scalar_one()
            full = f"schemadiff:{database}.{self.version_table}"
            if len(full) > 64:
                full = "schemadiff:" + hashlib.sha1(full.encode()).hexdigest()
            self.name = full
        return self.name

    def try_acquire(self) -> bool:
        got = self.conn.execute(text("SELECT GET_LOCK(:n, 0)"), {"n": self._name()}).scalar()
        return got == 1

    def release(self) -> None:
        if self.name is not None:
            self.conn.execute(text("SELECT RELEASE_LOCK(:n)"), {"n": self.name})
