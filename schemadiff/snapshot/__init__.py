"""Snapshots: both sides of a comparison as plain data.

The built-in catalog readers (``bulk_*``, ``*_objects``) are imported by
``reflect_snapshot`` for the backend it reads, not here.
"""

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
