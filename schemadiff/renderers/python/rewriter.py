"""``Rewriter``: a ``process_revision_directives`` hook built from per-op rules.

    writer = Rewriter()

    @writer.rewrites(AddColumnOp)
    def add_column_nullable(context, revision, op):
        op.column.nullable = True
        return op

    context.configure(..., process_revision_directives=writer)

A rule receives each operation of its class (subclasses included) found
anywhere in the script, upgrade and downgrade alike, and returns the
operation to keep, a replacement, a list of operations (empty to drop it).
A rule is not applied again to what it returned, so returning ``[op,
other]`` cannot loop.  ``a.chain(b)`` runs ``a``'s rules, then ``b``'s.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from schemadiff.ops import MigrateOperation, MigrationScript, ModifyTableOps, OpContainer

Rule = Callable[[Any, Any, Any], "MigrateOperation | Sequence[MigrateOperation] | None"]
R = TypeVar("R", bound=Rule)


class Rewriter:
    def __init__(self) -> None:
        self._rules: dict[type[MigrateOperation], Rule] = {}
        self._then: Rewriter | None = None
        # Containers already rewritten: a multidb env.py calls the hook once
        # per engine with the whole script, and a rule must run once per op.
        self._done: dict[int, weakref.ref[Any]] = {}

    def rewrites(self, op_type: type[MigrateOperation]) -> Callable[[R], R]:
        if not (isinstance(op_type, type) and issubclass(op_type, MigrateOperation)):
            raise TypeError(f"Rewriter.rewrites() takes an operation class, not {op_type!r}")

        def decorate(fn: R) -> R:
            self._rules[op_type] = fn
            return fn

        return decorate

    def chain(self, other: Rewriter) -> Rewriter:
        """A rewriter that runs this one's rules, then ``other``'s."""
        combined = Rewriter()
        combined._rules = dict(self._rules)
        combined._then = self._then.chain(other) if self._then is not None else other
        return combined

    def __call__(self, context: Any, revision: Any, directives: list[Any]) -> None:
        for directive in directives:
            self.rewrite_script(context, revision, directive)
        if self._then is not None:
            self._then(context, revision, directives)

    def rewrite_script(self, context: Any, revision: Any, script: MigrationScript) -> None:
        for container in [*script.upgrade_ops_list, *script.downgrade_ops_list]:
            seen = self._done.get(id(container))
            if seen is not None and seen() is container:
                continue
            self._rewrite_container(context, revision, container)
            self._done[id(container)] = weakref.ref(container)

    def rewrite(self, context: Any, revision: Any, op: MigrateOperation) -> list[MigrateOperation]:
        """What one operation becomes under this rewriter's own rules."""
        rule = self._rule_for(op)
        if rule is None:
            out = [op]
        else:
            result = rule(context, revision, op)
            if result is None:
                out = []
            elif isinstance(result, MigrateOperation):
                out = [result]
            else:
                out = list(result)
        for item in out:
            if isinstance(item, (OpContainer, ModifyTableOps)):
                self._rewrite_container(context, revision, item)
        return out

    def _rewrite_container(
        self, context: Any, revision: Any, container: OpContainer | ModifyTableOps
    ) -> None:
        new_ops: list[MigrateOperation] = []
        for op in container.ops:
            new_ops.extend(self.rewrite(context, revision, op))
        # Rewriting a table's changes away leaves no empty batch block behind.
        container.ops[:] = [
            op for op in new_ops if not (isinstance(op, ModifyTableOps) and not op.ops)
        ]

    def _rule_for(self, op: MigrateOperation) -> Rule | None:
        for klass in type(op).__mro__:
            rule = self._rules.get(klass)
            if rule is not None:
                return rule
        return None
