"""Comparators: pure functions from two snapshots to operations."""

from schemadiff.comparators.context import CompareContext, CompareOptions
from schemadiff.comparators.engine import compare_snapshots
from schemadiff.comparators.registry import (
    DEFAULT,
    FIRST,
    LAST,
    ComparatorRegistry,
    ComparatorSpec,
)

__all__ = [
    "DEFAULT",
    "FIRST",
    "LAST",
    "CompareContext",
    "CompareOptions",
    "ComparatorRegistry",
    "ComparatorSpec",
    "compare_snapshots",
]
