"""Typed operation objects: what a migration does, with its reverse."""

from schemadiff.ops.base import Change, Delta, MigrateOperation, NotReversible
from schemadiff.ops.constraint_ops import (
    AddConstraintOp,
    CreateIndexOp,
    DropConstraintOp,
    DropIndexOp,
)
from schemadiff.ops.containers import (
    DowngradeOps,
    IrreversibleOp,
    MigrationScript,
    ModifyTableOps,
    OpContainer,
    UpgradeOps,
)
from schemadiff.ops.schema_ops import (
    AddColumnOp,
    AlterColumnOp,
    CreateTableCommentOp,
    CreateTableOp,
    DropColumnOp,
    DropTableCommentOp,
    DropTableOp,
    RenameTableOp,
)

__all__ = [
    "AddColumnOp",
    "AddConstraintOp",
    "AlterColumnOp",
    "Change",
    "CreateIndexOp",
    "CreateTableCommentOp",
    "CreateTableOp",
    "Delta",
    "DowngradeOps",
    "DropColumnOp",
    "DropConstraintOp",
    "DropIndexOp",
    "DropTableCommentOp",
    "DropTableOp",
    "IrreversibleOp",
    "MigrateOperation",
    "MigrationScript",
    "ModifyTableOps",
    "NotReversible",
    "OpContainer",
    "RenameTableOp",
    "UpgradeOps",
]
