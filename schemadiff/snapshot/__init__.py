"""Snapshots: both sides of a comparison as plain data."""

from schemadiff.snapshot import bulk_mysql as _bulk_mysql  # noqa: F401  (registers the reader)
from schemadiff.snapshot import bulk_postgresql as _bulk_postgresql  # noqa: F401  (registers the reader)
from schemadiff.snapshot import bulk_sqlite as _bulk_sqlite  # noqa: F401  (registers the reader)
from schemadiff.snapshot import mysql_objects as _mysql_objects  # noqa: F401  (registers the reader)
from schemadiff.snapshot import pg_objects as _pg_objects  # noqa: F401  (registers the reader)
from schemadiff.snapshot.from_metadata import snapshot_from_metadata
from schemadiff.snapshot.model import (
    CheckSnapshot,
    ColumnSnapshot,
    ComputedSnapshot,
    ForeignKeySnapshot,
    IdentitySnapshot,
    IndexSnapshot,
    PrimaryKeySnapshot,
    SchemaSnapshot,
    TableKey,
    TableSnapshot,
    UniqueSnapshot,
)
from schemadiff.snapshot.objects import EnumSnapshot, SequenceSnapshot
from schemadiff.snapshot.reflect import reflect_snapshot

__all__ = [
    "CheckSnapshot",
    "ColumnSnapshot",
    "ComputedSnapshot",
    "EnumSnapshot",
    "ForeignKeySnapshot",
    "IdentitySnapshot",
    "IndexSnapshot",
    "PrimaryKeySnapshot",
    "SchemaSnapshot",
    "SequenceSnapshot",
    "TableKey",
    "TableSnapshot",
    "UniqueSnapshot",
    "reflect_snapshot",
    "snapshot_from_metadata",
]
