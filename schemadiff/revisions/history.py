"""Which revisions ``history -r START:END`` lists, newest first.

A range is every revision that descends from START (inclusive) and that END
needs (inclusive), both through ``down_revision`` and ``depends_on`` edges.
That asymmetry is the seeds' own: ``-r :networking@head`` pulls in the
account revisions ``2a95102259be`` depends on, because an upgrade to that
head would apply them, while ``-r networking@base:`` does not, because a
downgrade of the networking line would leave them in place.
``LABEL@base`` as START means the base revisions of that label's line,
inclusive (``-r shoppingcart@base:`` lists the shared ``1975ea83b712`` and
its other branch too).  Open sides mean ``base`` and ``heads``.  A bare
relative START counts down from END (``-r -3:current``) and a bare
relative END counts up from START.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import RangeNotAncestorError, ResolutionError
from .graph import RevisionGraph
from .identifiers import (
    BaseTarget,
    HeadTarget,
    RelativeTarget,
    Target,
    branch_members,
    branch_roots,
    check_current,
    parse_range,
    resolve,
    walk,
)

__all__ = ["history_revisions"]


def _relative_to(
    graph: RevisionGraph, target: RelativeTarget, anchor: tuple[str, ...], text: str
) -> tuple[str, ...]:
    members = branch_members(graph, target.branch) if target.branch else None
    start = anchor[0] if anchor else None
    end = walk(graph, start, target.steps, members, text)
    return () if end is None else (end,)


def _is_open_relative(target: Target | None) -> bool:
    return isinstance(target, RelativeTarget) and target.anchor is None and not target.branch


def history_revisions(
    graph: RevisionGraph, rev_range: str | None = None, current_heads: Sequence[str] = ()
) -> list[str]:
    """Revision ids for ``history [-r RANGE]``, in display order (newest first)."""
    rows = check_current(graph, current_heads)
    if rev_range is None or not rev_range.strip():
        return graph.lane_order(graph.ids)
    if ":" not in rev_range:
        raise ResolutionError(
            "History range requires [start]:[end], [start]:, or :[end]", rev_range
        )
    rng = parse_range(rev_range)
    start, end = rng.start, rng.end

    end_ids: tuple[str, ...] | None = None
    if end is not None and not _is_open_relative(end):
        if not (isinstance(end, HeadTarget) and end.all and end.branch is None):
            end_ids = resolve(graph, end, rows)

    start_ids: tuple[str, ...] | None = None
    if isinstance(start, BaseTarget):
        lower = graph.descendants(branch_roots(graph, start.branch))
    elif start is None:
        lower = set(graph.ids)
    else:
        if _is_open_relative(start):
            assert isinstance(start, RelativeTarget)
            start_ids = _relative_to(graph, start, end_ids or rows, str(start))
        else:
            start_ids = resolve(graph, start, rows)
        lower = graph.descendants(start_ids) if start_ids else set(graph.ids)

    if _is_open_relative(end):
        assert isinstance(end, RelativeTarget)
        end_ids = _relative_to(graph, end, start_ids or rows, str(end))
    upper = set(graph.ids) if end_ids is None else graph.ancestors(end_ids)

    if start_ids and end_ids and len(start_ids) == 1 and len(end_ids) == 1:
        if start_ids[0] not in upper:
            raise RangeNotAncestorError(
                f"Revision {start_ids[0]} is not an ancestor of revision {end_ids[0]}"
            )
    return graph.lane_order(lower & upper)
