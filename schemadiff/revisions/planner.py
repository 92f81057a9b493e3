"""Pure planning: which scripts to run, in what order, and what each does to
the version table.

Nothing here touches a database.  The caller passes the version-table rows
(``current_heads``, in the order the table returns them) and gets back
``Step`` objects; running them and writing their ``version_changes`` is the
runtime's job.  Keeping the rows' arithmetic here means offline ``--sql``
mode, online runs and the tests all agree on it.

The version table
-----------------
It holds one row per current head: the maximal applied revisions.  Applying
a revision consumes the rows of its parents (``down_revision`` and
``depends_on``); removing it restores the parents no other row still needs.

* upgrade, no parent holds a row (a new base, or a new branch): INSERT;
* upgrade, parents hold rows: DELETE all of them but one, UPDATE that one.
  The row kept is the one of the *last* ``down_revision`` parent holding a
  row (the seeds' merge: ``DELETE ae1027a6acf``, ``UPDATE 27c6a30d7c24 ->
  53fffde5ad5``), else the first dependency; a dependency that has no
  branch of its own so loses its row (``55af2cb1c267`` after ``upgrade
  heads`` in the seeds);
* downgrade, no parent to restore (base, or a branch closing onto a revision
  another row still needs): DELETE;
* downgrade, parents to restore: UPDATE the row to the *first* of them and
  INSERT the others (an unmerge).  Rows keep their place on UPDATE and
  INSERT appends, so after undoing ``5b22bdd4981d`` the rows read
  ``ffb63a043e68, b00e3d457ada``.

Ordering
--------
Plans use the graph's lane order (see ``graph`` module docstring): an
upgrade applies the reverse of it over the revisions to apply, lanes
starting from the newest ones in file order; a downgrade removes in lane
order starting from the version-table rows *in row order*.  So
``downgrade -1`` with several heads steps down the branch of the first row,
the one ``current`` prints first, and ``downgrade -N`` is exactly the first
N steps of ``downgrade base``, the same as N single steps.  ``upgrade +N``
is the first N steps of ``upgrade heads``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ..errors import RangeNotAncestorError, ResolutionError
from ..safe_text import visible
from .graph import RevisionGraph
from .identifiers import (
    BaseTarget,
    CurrentTarget,
    RelativeTarget,
    Target,
    branch_members,
    branch_roots,
    check_current,
    parse_identifier,
    parse_range,
    resolve,
    walk,
)
from .model import Revision

__all__ = [
    "Step",
    "VersionChange",
    "apply_changes",
    "plan_downgrade",
    "plan_stamp",
    "plan_upgrade",
]


@dataclass(frozen=True)
class VersionChange:
    """One statement against the version table."""

    kind: Literal["insert", "update", "delete"]
    from_rev: str | None
    to_rev: str | None


@dataclass(frozen=True)
class Step:
    """One script to run, in one direction, with its version-table changes."""

    revision: Revision
    is_upgrade: bool
    from_revisions: tuple[str, ...]
    to_revisions: tuple[str, ...]
    version_changes: tuple[VersionChange, ...]

    @property
    def verb(self) -> str:
        return "upgrade" if self.is_upgrade else "downgrade"

    def log_line(self) -> str:
        """The ``Running upgrade A -> B, message`` line, spacing as the seeds print it."""
        left = ", ".join(self.from_revisions)
        right = ", ".join(self.to_revisions)
        return f"Running {self.verb} {left} -> {right}, {visible(self.revision.doc)}"


def apply_changes(rows: Sequence[str], changes: Sequence[VersionChange]) -> tuple[str, ...]:
    """The rows after ``changes``: UPDATE keeps a row's place, INSERT appends."""
    out = list(rows)
    for change in changes:
        if change.kind == "insert":
            assert change.to_rev is not None
            out.append(change.to_rev)
        elif change.kind == "update":
            assert change.from_rev is not None and change.to_rev is not None
            out[out.index(change.from_rev)] = change.to_rev
        else:
            assert change.from_rev is not None
            out.remove(change.from_rev)
    return tuple(out)


def _upgrade_step(graph: RevisionGraph, rev_id: str, rows: list[str]) -> Step:
    parents = graph.all_parents(rev_id)
    held = [p for p in parents if p in rows]
    changes: list[VersionChange] = []
    if not held:
        changes.append(VersionChange("insert", None, rev_id))
    else:
        versioned = [p for p in graph.parents(rev_id) if p in held]
        keeper = versioned[-1] if versioned else held[0]
        changes.extend(VersionChange("delete", p, None) for p in held if p != keeper)
        changes.append(VersionChange("update", keeper, rev_id))
    rows[:] = apply_changes(rows, changes)
    return Step(graph.get(rev_id), True, parents, (rev_id,), tuple(changes))


def _downgrade_step(graph: RevisionGraph, rev_id: str, rows: list[str]) -> Step:
    parents = graph.all_parents(rev_id)
    others = [r for r in rows if r != rev_id]
    still_needed = graph.ancestors(others) if others else set()
    restored = [p for p in parents if p not in still_needed]
    changes: list[VersionChange] = []
    if rev_id not in rows:  # a table that lists a non-head; repair rather than fail
        changes.extend(VersionChange("insert", None, p) for p in restored if p not in rows)
    elif not restored:
        changes.append(VersionChange("delete", rev_id, None))
    else:
        changes.append(VersionChange("update", rev_id, restored[0]))
        changes.extend(VersionChange("insert", None, p) for p in restored[1:])
    rows[:] = apply_changes(rows, changes)
    return Step(graph.get(rev_id), False, (rev_id,), parents, tuple(changes))


def _split(
    graph: RevisionGraph, current_heads: Sequence[str], target: str
) -> tuple[tuple[str, ...], Target]:
    """Rows to start from and the destination; ``START:END`` overrides the rows.

    Offline (``--sql``) runs have no table to read, so the range's start
    stands in for it.
    """
    if ":" not in target:
        return check_current(graph, current_heads), parse_identifier(target)
    rng = parse_range(target)
    if rng.end is None:
        raise ResolutionError(f"Revision range '{target}' needs an end revision", target)
    start = resolve(graph, rng.start, current_heads) if rng.start is not None else ()
    return start, rng.end


def _applied(graph: RevisionGraph, rows: Sequence[str]) -> set[str]:
    return graph.ancestors(rows) if rows else set()


def _upgrade_to(graph: RevisionGraph, rows: Sequence[str], targets: Sequence[str]) -> list[Step]:
    todo = graph.ancestors(targets) - _applied(graph, rows)
    state = list(rows)
    return [_upgrade_step(graph, rev_id, state) for rev_id in graph.upgrade_order(todo)]


def _downgrade_removing(graph: RevisionGraph, rows: Sequence[str], remove: set[str]) -> list[Step]:
    state = list(rows)
    return [_downgrade_step(graph, r, state) for r in graph.lane_order(remove, prefer=rows)]


def plan_upgrade(graph: RevisionGraph, current_heads: Sequence[str], target: str) -> list[Step]:
    """Steps taking the database from ``current_heads`` up to ``target``.

    A specific revision brings its ancestors and dependencies, not its
    siblings; a revision already applied (or below the current heads) gives
    no steps.  ``head`` with several heads raises ``MultipleHeadsError``.
    """
    rows, parsed = _split(graph, current_heads, target)
    if isinstance(parsed, RelativeTarget) and parsed.anchor is None:
        if parsed.steps < 0:
            raise RangeNotAncestorError(
                f"Relative revision {parsed.steps:+d} goes down; use downgrade"
            )
        if parsed.branch is None:
            full = _upgrade_to(graph, rows, graph.real_heads)
            if len(full) < parsed.steps:
                raise RangeNotAncestorError(
                    f"Relative revision {parsed.steps:+d} didn't produce {parsed.steps} migrations"
                )
            return full[: parsed.steps]
    return _upgrade_to(graph, rows, resolve(graph, parsed, rows))


def plan_downgrade(graph: RevisionGraph, current_heads: Sequence[str], target: str) -> list[Step]:
    """Steps taking the database from ``current_heads`` down to ``target``.

    Only revisions above the target go; other branches stay.  A target
    that is not applied is an error.  ``-N`` counts steps of the plan to
    ``base``; ``LABEL@-N`` walks N revisions down that branch's line.
    """
    rows, parsed = _split(graph, current_heads, target)
    applied = _applied(graph, rows)
    if isinstance(parsed, RelativeTarget) and parsed.anchor is None:
        if parsed.steps > 0:
            raise RangeNotAncestorError(f"Relative revision {parsed.steps:+d} goes up; use upgrade")
        count = -parsed.steps
        if parsed.branch is None:
            full = _downgrade_removing(graph, rows, applied)
            if len(full) < count:
                raise RangeNotAncestorError(
                    f"Relative revision {parsed.steps:+d} didn't produce {count} migrations"
                )
            return full[:count]
        members = branch_members(graph, parsed.branch)
        on_branch = [r for r in rows if r in members]
        if not on_branch:
            raise RangeNotAncestorError(
                f"Relative revision {parsed} didn't produce {count} migrations"
            )
        end = walk(graph, on_branch[0], parsed.steps, members, str(parsed))
        if end is not None:
            # Only the branch walked down loses revisions, not its siblings.
            above = graph.descendants([end], inclusive=False, versioned_only=True) & members
            return _downgrade_removing(graph, rows, applied & graph.descendants(above))
        parsed = BaseTarget(parsed.branch)
    if isinstance(parsed, CurrentTarget):
        return []
    if isinstance(parsed, BaseTarget):
        roots = branch_roots(graph, parsed.branch)
        return _downgrade_removing(graph, rows, applied & graph.descendants(roots))
    destinations = resolve(graph, parsed, rows)
    for dest in destinations:
        if dest not in applied:
            raise RangeNotAncestorError(
                f"Destination {dest} is not a valid downgrade target from current head(s)"
            )
    above = graph.descendants(destinations, inclusive=False, versioned_only=True)
    remove = applied & graph.descendants(above)
    return _downgrade_removing(graph, rows, remove)


def plan_stamp(
    graph: RevisionGraph, current_heads: Sequence[str], targets: Sequence[str], purge: bool
) -> list[VersionChange]:
    """Version-table changes that make the table say ``targets``, running nothing.

    With ``purge`` every row goes first.  Otherwise a target takes over the
    row(s) on its own line (rows it descends from, or that descend from it);
    rows on unrelated lines stay, and ``[LABEL@]base`` clears the rows of
    its lines.
    """
    if purge or all(t.strip() == "base" for t in targets):
        # Every row goes (a plain 'base' clears all lines), so rows no script
        # defines can go too: this is how such a row is cleared.
        known = [r for r in dict.fromkeys(current_heads) if r in graph]
        unknown = [r for r in dict.fromkeys(current_heads) if r not in graph]
        rows = known
    else:
        rows, unknown = list(check_current(graph, current_heads)), []
    wanted: dict[str, None] = {}
    scopes: list[set[str]] = []
    for text in targets:
        parsed = parse_identifier(text)
        if isinstance(parsed, BaseTarget):
            scopes.append(graph.descendants(branch_roots(graph, parsed.branch)))
            continue
        for rev_id in resolve(graph, parsed, rows):
            wanted.setdefault(rev_id, None)
    # Stamping a revision with one of its ancestors says nothing more.
    final = graph.maximal(wanted)
    final.sort(key=list(wanted).index)

    changes: list[VersionChange] = [VersionChange("delete", r, None) for r in unknown]
    if purge:
        changes.extend(VersionChange("delete", r, None) for r in rows)
        changes.extend(VersionChange("insert", None, t) for t in final)
        return changes
    for scope in scopes:
        for row in [r for r in rows if r in scope]:
            changes.append(VersionChange("delete", row, None))
            rows.remove(row)
    for rev_id in final:
        if rev_id in rows:
            continue
        line = graph.ancestors([rev_id]) | graph.descendants([rev_id], versioned_only=True)
        related = [r for r in rows if r in line]
        if not related:
            changes.append(VersionChange("insert", None, rev_id))
            rows.append(rev_id)
            continue
        keeper = related[0]
        changes.append(VersionChange("update", keeper, rev_id))
        rows[rows.index(keeper)] = rev_id
        for row in related[1:]:
            changes.append(VersionChange("delete", row, None))
            rows.remove(row)
    return changes
