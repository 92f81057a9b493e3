"""Entities compared, and their operations put in dependency order around the tables.

This runs after the table comparison (a comparator ``finisher``) because
where an entity operation goes depends on the table operations: a view
that reads a column whose type changes must be dropped before that change
and created again after it (PostgreSQL refuses the ALTER otherwise, and
SQLite's table rebuild fails on a view naming the table), and so must
every view reading that view, whatever the model says about them.

Order: views and triggers (``before_tables=False``) are dropped before
every other operation and created after the table operations, each view
after the views it reads (the catalog's dependencies; declaration order
for views the database does not have yet); functions and other
``before_tables`` kinds are created after the schemas, before the tables,
and dropped at the very end.  The downgrade, being the reverse, is in
dependency order too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from schemadiff.comparators.context import CompareContext
from schemadiff.dialects.base import DialectImpl
from schemadiff.entities.model import (
    Canonicalizer,
    EntityKey,
    EntityKind,
    EntityRegistry,
    EntitySnapshot,
)
from schemadiff.ops import (
    AlterEnumOp,
    DropTableOp,
    MigrateOperation,
    ModifyTableOps,
    UpgradeOps,
)
from schemadiff.snapshot.model import SchemaSnapshot

log = logging.getLogger("schemadiff.entities")

VIEW_KINDS = frozenset({"view", "materialized_view"})
#: ``(schema, table, column)``; column None: the whole table
Touched = tuple[str | None, str, str | None]


@dataclass
class _Plan:
    adds: dict[EntityKey, EntitySnapshot] = field(default_factory=dict)
    removes: dict[EntityKey, EntitySnapshot] = field(default_factory=dict)
    #: key -> (declared, found)
    modifies: dict[EntityKey, tuple[EntitySnapshot, EntitySnapshot]] = field(default_factory=dict)
    #: views dropped and created again: key -> (created from, found)
    around: dict[EntityKey, tuple[EntitySnapshot, EntitySnapshot]] = field(default_factory=dict)


def finisher(registry: EntityRegistry) -> Callable[..., None]:
    def finish(
        ctx: CompareContext, db: SchemaSnapshot, model: SchemaSnapshot, upgrade: UpgradeOps
    ) -> None:
        if not db.entities and not model.entities:
            return
        plan = _compare(ctx, registry, db, model)
        _around_changes(ctx, plan, db, model, upgrade)
        _place(registry, plan, db, model, upgrade)

    return finish


# -- what differs ------------------------------------------------------------------
def _compare(
    ctx: CompareContext, registry: EntityRegistry, db: SchemaSnapshot, model: SchemaSnapshot
) -> _Plan:
    plan = _Plan()
    differing: list[tuple[EntitySnapshot, EntitySnapshot]] = []
    for key, declared in model.entities.items():
        kind = registry.kinds[declared.kind]
        if not ctx.include(declared.source, declared.name, kind.name, False, None):
            continue
        found = db.entities.get(key)
        if found is None:
            plan.adds[key] = declared
        elif declared.canonical != found.canonical:
            differing.append((declared, found))
    server_forms = _server_forms(ctx, registry, differing)
    for declared, found in differing:
        if server_forms.get(declared.key) != found.canonical:
            plan.modifies[declared.key] = (declared, found)
    if not model.entities:
        return plan  # undeclared objects are left alone until the model declares one
    compared = set(db.compared_schemas)
    for key, found in db.entities.items():
        if key in model.entities or found.schema not in compared:
            continue
        if _reflected_included(ctx, registry.kinds[found.kind], found):
            plan.removes[key] = found
    return plan


def _server_forms(
    ctx: CompareContext,
    registry: EntityRegistry,
    differing: list[tuple[EntitySnapshot, EntitySnapshot]],
) -> dict[EntityKey, str | None]:
    """The declared definitions whose text differs, in the server's own words.

    One call per canonicalizer with all of its pairs: the server round trips
    do not grow with the number of entities where the backend can batch.
    """
    mc = ctx.migration_context
    if not differing or mc is None or mc.as_sql or mc.connection is None:
        return {}
    groups: dict[int, tuple[Canonicalizer, list[tuple[EntitySnapshot, EntitySnapshot]]]] = {}
    for pair in differing:
        canonicalize = registry.canonicalizer(pair[0].kind, ctx.impl.name)
        if canonicalize is not None:
            groups.setdefault(id(canonicalize), (canonicalize, []))[1].append(pair)
    out: dict[EntityKey, str | None] = {}
    for canonicalize, pairs in groups.values():
        out.update(canonicalize(mc.connection, pairs))
    for declared, _ in differing:
        if out.get(declared.key) is None and declared.key in out:
            log.warning(
                "the server would not take the declared %s '%s' (bad SQL, or no right to "
                "create objects in its schema): it is compared as written",
                declared.kind.replace("_", " "),
                declared.fullname,
            )
    return out


def _reflected_included(ctx: CompareContext, kind: EntityKind, found: EntitySnapshot) -> bool:
    hook = ctx.options.include_name
    parents: dict[str, Any] = {"schema_name": found.schema}
    if found.table is not None:
        parents["table_name"] = found.table
    if hook is not None and not hook(found.name, kind.name, parents):
        return False
    if ctx.options.include_object is None:
        return True
    obj = kind.reflected(found) if kind.reflected is not None else found
    return ctx.include(obj, found.name, kind.name, True, None)


# -- views around the changes they depend on ------------------------------------------
def _touched(impl: DialectImpl, upgrade: UpgradeOps) -> set[Touched]:
    """The table columns this migration changes in a way a view reading them cannot
    survive: the backend says which (``DialectImpl.changes_views_cannot_survive``)."""
    out: set[Touched] = set()
    for op in upgrade.ops:
        if isinstance(op, DropTableOp):
            out.add((op.schema, op.table_name, None))
        elif isinstance(op, AlterEnumOp) and not op.adds_only and impl.named_enum_types:
            out.update(op.columns)  # the type is recreated under its columns
        elif isinstance(op, ModifyTableOps):
            for inner in op.ops:
                out.update(impl.changes_views_cannot_survive(op.schema, op.table_name, inner))
    return out


def _hits(depends_on: Iterable[tuple[str | None, str, str | None]], touched: set[Touched]) -> bool:
    for schema, relation, column in depends_on:
        if (schema, relation, None) in touched or (
            column is None and _any_column(touched, schema, relation)
        ):
            return True
        if column is not None and (schema, relation, column) in touched:
            return True
    return False


def _any_column(touched: set[Touched], schema: str | None, relation: str) -> bool:
    return any(t[0] == schema and t[1] == relation for t in touched)


def _around_changes(
    ctx: CompareContext, plan: _Plan, db: SchemaSnapshot, model: SchemaSnapshot, upgrade: UpgradeOps
) -> None:
    """Views to drop before the table operations and create after them (transitively)."""
    views = {k: v for k, v in db.entities.items() if v.kind in VIEW_KINDS}
    touched = _touched(ctx.impl, upgrade)
    seeds = {k for k, v in views.items() if touched and _hits(v.depends_on, touched)}
    # a view that goes or changes takes the views reading it along
    seeds |= {k for k in (*plan.removes, *plan.modifies) if k in views}
    readers: dict[tuple[str | None, str], list[EntityKey]] = {}
    for key, view in views.items():
        for schema, relation, _ in view.depends_on:
            readers.setdefault((schema, relation), []).append(key)
    closure: set[EntityKey] = set()
    queue = list(seeds)
    while queue:
        key = queue.pop()
        if key in closure:
            continue
        closure.add(key)
        view = views[key]
        queue.extend(readers.get((view.schema, view.name), ()))
    # a trigger naming a changed column (WHEN, UPDATE OF) comes back too
    for key, found in db.entities.items():
        if found.kind == "trigger" and key not in plan.removes and _hits(found.depends_on, touched):
            declared = plan.modifies[key][0] if key in plan.modifies else model.entities.get(key)
            plan.around[key] = (declared if declared is not None else found, found)
    for key in closure:
        found = views[key]
        if key in plan.removes:
            continue
        if key in plan.modifies and _in_place(found, touched, readers, closure):
            continue  # replaced in place after the tables
        declared = model.entities.get(key)
        if key in plan.modifies:
            declared = plan.modifies[key][0]
        plan.around[key] = (declared if declared is not None else found, found)


def _in_place(
    found: EntitySnapshot,
    touched: set[Touched],
    readers: dict[tuple[str | None, str], list[EntityKey]],
    closure: set[EntityKey],
) -> bool:
    """A changed view nothing else forces out first: no table change it reads, no
    view reading it, no view it reads going or changing."""
    if found.kind != "view" or _hits(found.depends_on, touched):
        return False
    if readers.get((found.schema, found.name)):
        return False
    gone = {(k[1], k[2]) for k in closure if k[2] != found.name or k[1] != found.schema}
    return not any((s, r) in gone for s, r, _ in found.depends_on)


# -- where each operation goes ---------------------------------------------------------
def _place(
    registry: EntityRegistry,
    plan: _Plan,
    db: SchemaSnapshot,
    model: SchemaSnapshot,
    upgrade: UpgradeOps,
) -> None:
    declared_order = {key: index for index, key in enumerate(model.entities)}
    creates: list[tuple[EntityKey, MigrateOperation]] = []
    drops: list[tuple[EntityKey, MigrateOperation]] = []
    for key, declared in plan.adds.items():
        creates.append((key, registry.kinds[declared.kind].create(declared)))
    for key, found in plan.removes.items():
        drops.append((key, registry.kinds[found.kind].drop(found)))
    for key, (declared, found) in plan.modifies.items():
        if key in plan.around:
            continue
        kind = registry.kinds[declared.kind]
        if kind.replace is not None:
            creates.append((key, kind.replace(declared, found)))
        else:
            drops.append((key, kind.drop(found, role="around")))
            creates.append((key, kind.create(declared, replaces=found.definition)))
    for key, (source, found) in plan.around.items():
        kind = registry.kinds[found.kind]
        drops.append((key, kind.drop(found, role="around")))
        if key in plan.modifies:
            creates.append((key, kind.create(source, replaces=found.definition)))
        else:
            creates.append((key, kind.create(source, role="around")))
    if not creates and not drops:
        return

    def rank(item: tuple[EntityKey, MigrateOperation]) -> tuple[int, int, str, str]:
        key = item[0]
        order = registry.kinds[key[0]].order
        return (order, declared_order.get(key, len(declared_order)), key[1] or "", key[2])

    creates = _after_what_they_read(sorted(creates, key=rank), db)
    drops = list(reversed(_after_what_they_read(sorted(drops, key=rank), db)))
    early_kinds = {name for name, kind in registry.kinds.items() if kind.before_tables}
    leading = 0
    while (
        leading < len(upgrade.ops) and getattr(upgrade.ops[leading], "placement", None) == "first"
    ):
        leading += 1
    head = [op for key, op in drops if key[0] not in early_kinds]
    early = [op for key, op in creates if key[0] in early_kinds]
    tail = [op for key, op in creates if key[0] not in early_kinds]
    tail += [op for key, op in drops if key[0] in early_kinds]
    upgrade.ops[:] = [*head, *upgrade.ops[:leading], *early, *upgrade.ops[leading:], *tail]


def _after_what_they_read(
    items: list[tuple[EntityKey, MigrateOperation]], db: SchemaSnapshot
) -> list[tuple[EntityKey, MigrateOperation]]:
    """Stable: each view after the views it reads, as far as the catalog says."""
    by_relation = {(k[1], k[2]): k for k, _ in items if k[0] in VIEW_KINDS}
    needs: dict[EntityKey, set[EntityKey]] = {}
    for key, _ in items:
        found = db.entities.get(key)
        if found is None or key[0] not in VIEW_KINDS:
            continue
        needs[key] = {
            by_relation[(s, r)] for s, r, _ in found.depends_on if (s, r) in by_relation
        } - {key}
    out: list[tuple[EntityKey, MigrateOperation]] = []
    placed: set[EntityKey] = set()
    remaining = list(items)
    while remaining:
        ready = [i for i, (key, _) in enumerate(remaining) if needs.get(key, set()) <= placed]
        key, op = remaining.pop(ready[0] if ready else 0)  # a cycle: the order found
        out.append((key, op))
        placed.add(key)
    return out
