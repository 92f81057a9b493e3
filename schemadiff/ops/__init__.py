"""Typed operation objects: what a migration does, with its reverse."""

from schemadiff.ops.base import Change, Delta, Hazard, MigrateOperation, NotReversible
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
from schemadiff.ops.enum_ops import AlterEnumOp, CreateEnumOp, DropEnumOp
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
from schemadiff.ops.sequence_ops import (
    AlterSequenceOp,
    CreateSchemaOp,
    CreateSequenceOp,
    DropSchemaOp,
    DropSequenceOp,
    SequenceOptions,
)

__all__ = [
    "AddColumnOp",
    "AddConstraintOp",
    "AlterColumnOp",
    "AlterEnumOp",
    "AlterSequenceOp",
    "Change",
    "Hazard",
    "CreateEnumOp",
    "CreateIndexOp",
    "CreateSchemaOp",
    "CreateSequenceOp",
    "CreateTableCommentOp",
    "CreateTableOp",
    "Delta",
    "DowngradeOps",
    "DropColumnOp",
    "DropConstraintOp",
    "DropEnumOp",
    "DropIndexOp",
    "DropSchemaOp",
    "DropSequenceOp",
    "DropTableCommentOp",
    "DropTableOp",
    "IrreversibleOp",
    "MigrateOperation",
    "MigrationScript",
    "ModifyTableOps",
    "NotReversible",
    "OpContainer",
    "RenameTableOp",
    "SequenceOptions",
    "UpgradeOps",
]
