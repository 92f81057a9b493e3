"""CHECK constraints, compared by their definition as well as their name."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import CheckConstraint

from schemadiff.comparators.context import CompareContext
from schemadiff.comparators.registry import ComparatorRegistry
from schemadiff.ops import AddConstraintOp, DropConstraintOp, MigrateOperation
from schemadiff.snapshot.model import CheckSnapshot, TableSnapshot


def compare_checks(
    ctx: CompareContext, db: TableSnapshot, model: TableSnapshot
) -> Iterator[MigrateOperation]:
    norm = ctx.impl.normalize_name
    canon = ctx.impl.canonical
    db_checks = [c for c in db.checks if ctx.include_reflected_name(c.name, "check_constraint", db)]
    db_text = {id(c): canon(c.sqltext) for c in db_checks}
    by_name = {norm(c.name): c for c in db_checks if c.name}
    consumed: set[int] = set()
    added: list[CheckSnapshot] = []
    removed: list[CheckSnapshot] = []
    unnamed: list[CheckSnapshot] = []
    for ck in model.checks:
        if ck.name is None:
            unnamed.append(ck)
            continue
        match = by_name.get(norm(ck.name))
        if match is None or id(match) in consumed:
            # MySQL/MariaDB and SQLite may report a named CHECK under another
            # name; fall back to its definition before calling it new.
            unnamed.append(ck)
            continue
        consumed.add(id(match))
        if db_text[id(match)] != canon(ck.sqltext):
            removed.append(match)
            added.append(ck)
    for ck in unnamed:
        text = canon(ck.sqltext)
        match = next(
            (d for d in db_checks if id(d) not in consumed and db_text[id(d)] == text), None
        )
        if match is None:
            added.append(ck)
        else:
            consumed.add(id(match))
    removed.extend(c for c in db_checks if id(c) not in consumed)

    table = ctx.reflected_table(db) if removed else None
    for ck in removed:
        existing = next(
            (
                c
                for c in (table.constraints if table is not None else ())
                if isinstance(c, CheckConstraint)
                and c.name == ck.name
                and canon(str(getattr(c.sqltext, "text", c.sqltext))) == db_text[id(ck)]
            ),
            None,
        )
        if ctx.include(existing, ck.name, "check_constraint", True, None):
            yield DropConstraintOp(ck.name, db.name, "check", db.schema, existing=existing)
    for ck in added:
        if isinstance(ck.source, CheckConstraint) and ctx.include(
            ck.source, ck.name, "check_constraint", False, None
        ):
            yield AddConstraintOp(ck.source)


def setup(registry: ComparatorRegistry) -> None:
    registry.register("table", "checks")(compare_checks)
