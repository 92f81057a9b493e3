"""The runtime side of ``op.*``."""

from schemadiff.operations import entities as _entities  # noqa: F401  (views, functions, triggers)
from schemadiff.operations import impl as _impl  # noqa: F401  (registers implementations)
from schemadiff.operations import objects as _objects  # noqa: F401  (enum, sequence, schema directives)
from schemadiff.operations.base import Operations, activate, current_operations
from schemadiff.operations.batch import BatchOperations

__all__ = ["BatchOperations", "Operations", "activate", "current_operations"]
