"""Revision identifiers: parsed into typed targets, then resolved on a graph.

Parsing is pure text work and knows nothing of the graph, so commands can
reject a malformed identifier before loading any script.  Resolution needs
the graph, and for ``current`` and relative moves the version-table rows.

Grammar::

    ident  := 'head' | 'heads' | 'base' | 'current'
            | [+-]N                       relative to the current heads
            | NAME [+-]N                  relative to a revision (or symbol)
            | NAME '@' ('head'|'heads'|'base')
            | NAME '@' [+-]N              relative, within NAME's branch
            | NAME '@' REV [+-N]          REV, which must be on NAME's branch
            | REV                         full id, unique prefix or branch label
    range  := [ident] ':' [ident]

``NAME`` before ``@`` is a branch label or a revision (``ae10@head``: the
head of the line through ``ae1027a6acf``).  A branch is a *line of descent*:
the versioned ancestors and descendants of the revisions that declare the
label (or of the named revision).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import MultipleHeadsError, RangeNotAncestorError, ResolutionError
from .graph import RevisionGraph

__all__ = [
    "BaseTarget",
    "CurrentTarget",
    "HeadTarget",
    "RangeTarget",
    "RelativeTarget",
    "RevisionTarget",
    "Target",
    "branch_members",
    "branch_roots",
    "check_current",
    "parse_identifier",
    "parse_range",
    "resolve",
    "resolve_one",
    "resolve_ref",
    "walk",
]


@dataclass(frozen=True)
class HeadTarget:
    """``head`` / ``heads``, optionally narrowed to a branch (``LABEL@head``)."""

    all: bool
    branch: str | None = None

    def __str__(self) -> str:
        word = "heads" if self.all else "head"
        return f"{self.branch}@{word}" if self.branch else word


@dataclass(frozen=True)
class BaseTarget:
    """``base`` (before everything) or ``LABEL@base`` (before that branch's roots)."""

    branch: str | None = None

    def __str__(self) -> str:
        return f"{self.branch}@base" if self.branch else "base"


@dataclass(frozen=True)
class CurrentTarget:
    """``current``: whatever the version table holds."""

    def __str__(self) -> str:
        return "current"


@dataclass(frozen=True)
class RevisionTarget:
    """A full id, unique prefix or branch label; ``branch`` asserts membership."""

    ref: str
    branch: str | None = None

    def __str__(self) -> str:
        return f"{self.branch}@{self.ref}" if self.branch else self.ref


@dataclass(frozen=True)
class RelativeTarget:
    """``+N``/``-N`` from ``anchor``, or from the current heads when it is None."""

    steps: int
    anchor: HeadTarget | BaseTarget | CurrentTarget | RevisionTarget | None = None
    branch: str | None = None

    def __str__(self) -> str:
        prefix = f"{self.branch}@" if self.branch else ""
        anchor = str(self.anchor) if self.anchor is not None else ""
        return f"{prefix}{anchor}{self.steps:+d}"


Target = HeadTarget | BaseTarget | CurrentTarget | RevisionTarget | RelativeTarget


@dataclass(frozen=True)
class RangeTarget:
    """``START:END``; either side may be left open (None)."""

    start: Target | None
    end: Target | None

    def __str__(self) -> str:
        start = "" if self.start is None else str(self.start)
        end = "" if self.end is None else str(self.end)
        return f"{start}:{end}"


_GRAMMAR = re.compile(r"^(?:(?P<branch>[^@]+)@)?(?P<symbol>[^@+\-]*)(?P<steps>[+-]\d+)?$")


def _symbol(symbol: str, branch: str | None, text: str) -> Target:
    if symbol == "head":
        return HeadTarget(False, branch)
    if symbol == "heads":
        return HeadTarget(True, branch)
    if symbol == "base":
        return BaseTarget(branch)
    if symbol == "current":
        if branch:
            raise ResolutionError(f"'current' cannot be narrowed to a branch: '{text}'", text)
        return CurrentTarget()
    return RevisionTarget(symbol, branch)


def parse_identifier(text: str) -> Target:
    """Parse one identifier (no range) into a typed target."""
    raw = text.strip()
    if not raw:
        raise ResolutionError("Empty revision identifier", text)
    if ":" in raw:
        raise ResolutionError(
            f"Revision range '{raw}' is not accepted here; give a single revision", raw
        )
    match = _GRAMMAR.match(raw)
    if match is None or match.group("branch") == "":
        raise ResolutionError(f"Can't parse revision identifier '{raw}'", raw)
    branch, symbol, steps = match.group("branch"), match.group("symbol"), match.group("steps")
    if branch in ("head", "heads", "base", "current"):
        raise ResolutionError(f"Can't parse revision identifier '{raw}'", raw)
    if steps is not None:
        anchor = _symbol(symbol, None, raw) if symbol else None
        if isinstance(anchor, RelativeTarget):  # pragma: no cover - grammar forbids it
            raise ResolutionError(f"Can't parse revision identifier '{raw}'", raw)
        return RelativeTarget(int(steps), anchor, branch)
    if not symbol:
        raise ResolutionError(f"Can't parse revision identifier '{raw}'", raw)
    return _symbol(symbol, branch, raw)


def parse_range(text: str) -> RangeTarget:
    """Parse ``START:END`` (either side optional)."""
    raw = text.strip()
    if raw.count(":") != 1:
        raise ResolutionError(
            f"Revision range '{raw}' must have the form [start]:[end], [start]: or :[end]", raw
        )
    start_text, end_text = raw.split(":")
    start = parse_identifier(start_text) if start_text.strip() else None
    end = parse_identifier(end_text) if end_text.strip() else None
    return RangeTarget(start, end)


# ------------------------------------------------------------------ resolution


def check_current(graph: RevisionGraph, current_heads: Sequence[str]) -> tuple[str, ...]:
    """The version-table rows, checked against the graph, duplicates dropped."""
    rows: dict[str, None] = {}
    for row in current_heads:
        if row not in graph:
            raise ResolutionError(unknown_row_message(row), row)
        rows.setdefault(row, None)
    return tuple(rows)


def unknown_row_message(row: str) -> str:
    """A version-table row no script defines: what it means and the way out."""
    return (
        f"Can't locate revision identified by '{row}': the version table says the database "
        f"is at revision '{row}', but no revision script defines it (a script removed or not "
        "checked out, or a database migrated by another project). Restore the script, or set "
        "the version table to the revision the schema really matches with "
        "'schemadiff stamp --purge <revision>' ('schemadiff stamp --purge base' empties it)."
    )


def resolve_ref(graph: RevisionGraph, ref: str, branch: str | None = None) -> str:
    """A full id, branch label or unique prefix, as one revision id."""
    if ref in graph:
        found = ref
    elif graph.label_owners(ref):
        owners = graph.label_owners(ref)
        # Owners lie on one line (validated); the label names where it starts.
        found = next(o for o in owners if all(o in graph.ancestors([x]) for x in owners))
    else:
        matches = sorted(r for r in graph.ids if r.startswith(ref))
        if not matches:
            raise ResolutionError(f"Can't locate revision identified by '{ref}'", ref)
        if len(matches) > 1:
            listed = ", ".join(f"'{m}'" for m in matches)
            raise ResolutionError(f"Multiple revisions start with '{ref}': {listed}", ref)
        found = matches[0]
    if branch is not None and found not in branch_members(graph, branch):
        raise ResolutionError(f"Revision {found} is not a member of branch '{branch}'", ref)
    return found


def branch_members(graph: RevisionGraph, name: str) -> set[str]:
    """The line(s) of descent named by a branch label or a revision."""
    owners = graph.label_owners(name)
    if owners:
        return graph.lineage(owners)
    return graph.lineage([resolve_ref(graph, name)])


def branch_roots(graph: RevisionGraph, name: str | None) -> tuple[str, ...]:
    """The base revisions a ``[NAME@]base`` stands just below, in file order."""
    if name is None:
        return graph.bases
    members = branch_members(graph, name)
    return tuple(b for b in graph.bases if b in members)


def _heads(graph: RevisionGraph, target: HeadTarget) -> tuple[str, ...]:
    if target.branch is None:
        heads = graph.real_heads
    else:
        members = branch_members(graph, target.branch)
        heads = tuple(h for h in graph.heads if h in members)
    if not target.all and len(heads) > 1:
        raise MultipleHeadsError(heads, str(target))
    return heads


def walk(
    graph: RevisionGraph,
    start: str | None,
    steps: int,
    members: set[str] | None = None,
    text: str | None = None,
) -> str | None:
    """Move ``steps`` revisions up (+) or down (-) from ``start`` (None = base).

    Each step must be unambiguous: a branch point going up, or a merge point
    going down, needs a branch (``members``) to choose the way.  Stepping
    below a base revision reaches ``base`` (None).
    """
    label = text if text is not None else f"{steps:+d}"
    node = start
    for _ in range(abs(steps)):
        if steps > 0:
            options: Sequence[str] = graph.bases if node is None else graph.children(node)
        else:
            if node is None:
                options = ()
            else:
                options = graph.parents(node)
                if not options:
                    node = None
                    continue
        if members is not None:
            options = [o for o in options if o in members]
        if not options:
            raise RangeNotAncestorError(
                f"Relative revision {steps:+d} didn't produce {abs(steps)} migrations"
            )
        if len(options) > 1:
            where = "base" if node is None else node
            verb = "branches into" if steps > 0 else "merges"
            raise ResolutionError(
                f"Relative revision {label} is ambiguous: {where} {verb} "
                f"{', '.join(options)}; name a branch ('<branchname>@{steps:+d}') "
                "or a specific revision",
                label,
            )
        node = options[0]
    return node


def _relative(
    graph: RevisionGraph, target: RelativeTarget, current: tuple[str, ...]
) -> tuple[str, ...]:
    members = branch_members(graph, target.branch) if target.branch else None
    if target.anchor is None:
        # From the current heads; with several, from the first row, the same
        # branch 'downgrade -1' would step down (see planner).
        rows = [r for r in current if members is None or r in members]
        start = rows[0] if rows else None
    else:
        ids = resolve(graph, target.anchor, current)
        if len(ids) > 1:
            raise ResolutionError(
                f"Relative revision '{target}' needs one starting revision; "
                f"'{target.anchor}' names {', '.join(ids)}",
                str(target),
            )
        start = ids[0] if ids else None
    end = walk(graph, start, target.steps, members, str(target))
    return () if end is None else (end,)


def resolve(
    graph: RevisionGraph, target: Target | str, current_heads: Sequence[str] = ()
) -> tuple[str, ...]:
    """The revision ids a target names; ``()`` means base (nothing applied).

    ``current_heads`` (the version-table rows) is needed only by ``current``
    and by relative moves without an anchor.
    """
    if isinstance(target, str):
        target = parse_identifier(target)
    current = check_current(graph, current_heads)
    if isinstance(target, HeadTarget):
        return _heads(graph, target)
    if isinstance(target, BaseTarget):
        if target.branch is not None:
            branch_members(graph, target.branch)  # the branch must exist
        return ()
    if isinstance(target, CurrentTarget):
        return current
    if isinstance(target, RevisionTarget):
        return (resolve_ref(graph, target.ref, target.branch),)
    return _relative(graph, target, current)


def resolve_one(
    graph: RevisionGraph, target: Target | str, current_heads: Sequence[str] = ()
) -> str | None:
    """Like ``resolve`` for places that take a single revision (None = base)."""
    ids = resolve(graph, target, current_heads)
    if len(ids) > 1:
        raise MultipleHeadsError(ids, str(target))
    return ids[0] if ids else None
