"""Containers that group operations into a migration script.

Unlike the leaf operations these are mutable on purpose:
``process_revision_directives`` hooks rewrite them in place, as users of
the seeds' tool expect (``directives[0].upgrade_ops.ops[:] = []``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from schemadiff.ops.base import Change, MigrateOperation, NotReversible


@dataclass
class ModifyTableOps(MigrateOperation):
    table_name: str = ""
    ops: list[MigrateOperation] = field(default_factory=list)
    schema: str | None = None

    def reverse(self) -> ModifyTableOps:
        return ModifyTableOps(self.table_name, _reverse_list(self.ops), self.schema)

    def to_changes(self) -> list[Change]:
        return [c for op in self.ops for c in op.to_changes()]

    def is_empty(self) -> bool:
        return not self.ops


@dataclass
class OpContainer(MigrateOperation):
    ops: list[MigrateOperation] = field(default_factory=list)
    upgrade_token: str = "upgrades"

    def is_empty(self) -> bool:
        return not self.ops

    def to_changes(self) -> list[Change]:
        return [c for op in self.ops for c in op.to_changes()]

    def iter_leaves(self) -> Iterator[MigrateOperation]:
        for op in self.ops:
            if isinstance(op, ModifyTableOps):
                yield from op.ops
            else:
                yield op


@dataclass
class UpgradeOps(OpContainer):
    def reverse(self) -> DowngradeOps:
        return DowngradeOps(
            _reverse_list(self.ops), self.upgrade_token.replace("upgrade", "downgrade")
        )


@dataclass
class DowngradeOps(OpContainer):
    upgrade_token: str = "downgrades"

    def reverse(self) -> UpgradeOps:
        return UpgradeOps(
            _reverse_list(self.ops), self.upgrade_token.replace("downgrade", "upgrade")
        )


@dataclass(frozen=True)
class IrreversibleOp(MigrateOperation):
    """Stands in the downgrade where an upgrade op has no exact inverse."""

    original: MigrateOperation


def _reverse_list(ops: list[MigrateOperation]) -> list[MigrateOperation]:
    out: list[MigrateOperation] = []
    for op in reversed(ops):
        try:
            out.append(op.reverse())
        except NotReversible:
            out.append(IrreversibleOp(op))
            continue
        out.extend(_indexes_of_dropped_table(op))
    return _without_drops_of_dropped_tables(out)


def _indexes_of_dropped_table(op: MigrateOperation) -> list[MigrateOperation]:
    """A dropped table comes back with its indexes, each as it was.

    ``op.create_table()`` recreates columns and constraints; the indexes
    follow as ``op.create_index()`` calls built from the reflected table
    (one conversion from the snapshot, every dialect option kept).  An
    index a MySQL foreign key made on its own comes back with the key.
    """
    from schemadiff.ops.constraint_ops import CreateIndexOp
    from schemadiff.ops.schema_ops import DropTableOp

    table = op.existing if isinstance(op, DropTableOp) else None
    if table is None or not table.indexes:
        return []
    implicit = {(fk.name, tuple(fk.column_keys)) for fk in table.foreign_key_constraints if fk.name}
    return [
        CreateIndexOp(index)
        for index in sorted(table.indexes, key=lambda i: str(i.name or ""))
        if (index.name, tuple(c.name for c in index.columns)) not in implicit
    ]


def _without_drops_of_dropped_tables(ops: list[MigrateOperation]) -> list[MigrateOperation]:
    """Dropping a table drops its indexes and constraints with it.

    Dropping them one by one first is redundant, and MySQL refuses to drop
    an index a foreign key still needs (error 1553).
    """
    from schemadiff.ops.constraint_ops import DropConstraintOp, DropIndexOp
    from schemadiff.ops.schema_ops import DropTableOp

    dropped = {(op.schema, op.table_name) for op in ops if isinstance(op, DropTableOp)}
    if not dropped:
        return ops
    return [
        op
        for op in ops
        if not (
            isinstance(op, (DropIndexOp, DropConstraintOp))
            and (op.schema, op.table_name) in dropped
        )
    ]


@dataclass
class MigrationScript(MigrateOperation):
    """Everything a new revision file is rendered from."""

    rev_id: str | None = None
    message: str | None = None
    upgrade_ops_list: list[UpgradeOps] = field(default_factory=lambda: [UpgradeOps()])
    downgrade_ops_list: list[DowngradeOps] = field(default_factory=lambda: [DowngradeOps()])
    imports: set[str] = field(default_factory=set)
    head: str | None = None
    splice: bool = False
    branch_label: Any = None
    version_path: str | None = None
    depends_on: Any = None

    @property
    def upgrade_ops(self) -> UpgradeOps:
        return self.upgrade_ops_list[0]

    @upgrade_ops.setter
    def upgrade_ops(self, value: UpgradeOps) -> None:
        self.upgrade_ops_list = [value]

    @property
    def downgrade_ops(self) -> DowngradeOps:
        return self.downgrade_ops_list[0]

    @downgrade_ops.setter
    def downgrade_ops(self, value: DowngradeOps) -> None:
        self.downgrade_ops_list = [value]
