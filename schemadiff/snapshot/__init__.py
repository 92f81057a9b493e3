"""Snapshots: both sides of a comparison as plain data."""

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
from schemadiff.snapshot.reflect import reflect_snapshot

__all__ = [
    "CheckSnapshot",
    "ColumnSnapshot",
    "ComputedSnapshot",
    "ForeignKeySnapshot",
    "IdentitySnapshot",
    "IndexSnapshot",
    "PrimaryKeySnapshot",
    "SchemaSnapshot",
    "TableKey",
    "TableSnapshot",
    "UniqueSnapshot",
    "reflect_snapshot",
    "snapshot_from_metadata",
]
