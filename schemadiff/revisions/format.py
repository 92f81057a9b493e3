"""The plain-text listings of ``history``, ``heads``, ``branches``, ``current``
and ``show``, exactly as the seeds print them when output is piped.

Functions return lines (without newlines) and never print: the command
line decides where they go and may render them richer on a terminal.
Verbose blocks end with an empty line, because that blank line separates
consecutive blocks in every seed listing.  Trailing whitespace is stripped
from every line (a generated docstring's ``Revises: `` has a trailing space
that the seeds do not show).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from ..safe_text import line_safe, visible
from .graph import RevisionGraph

__all__ = [
    "branches_lines",
    "current_lines",
    "heads_lines",
    "history_lines",
    "revision_line",
    "show_lines",
    "verbose_block",
]


def revision_line(
    graph: RevisionGraph,
    rev_id: str,
    *,
    include_branches: bool = False,
    include_parents: bool = False,
    include_doc: bool = False,
    tree_indicators: bool = True,
    current: Collection[str] = (),
) -> str:
    """One revision on one line, in the seeds' marker order.

    ``<parents> (<dependencies>) -> <rev> (<labels>) (head) (current)
    (branchpoint) (mergepoint), <message>`` - each part only when asked for
    and when it applies.
    """
    rev = graph.get(rev_id)
    text = rev_id
    if include_parents:
        parents = ", ".join(rev.down_revision) or "<base>"
        deps = graph.dependencies(rev_id)
        if deps:
            text = f"{parents} ({', '.join(deps)}) -> {rev_id}"
        else:
            text = f"{parents} -> {rev_id}"
    labels = graph.branch_labels(rev_id)
    if include_branches and labels:
        text += f" ({', '.join(labels)})"
    if graph.is_real_head(rev_id):
        text += " (head)"
    elif graph.is_effective_head(rev_id):
        text += " (effective head)"
    if rev_id in current:
        text += " (current)"
    if tree_indicators:
        if graph.is_branch_point(rev_id):
            text += " (branchpoint)"
        if graph.is_merge_point(rev_id):
            text += " (mergepoint)"
    if include_doc:
        text += f", {visible(rev.doc)}"
    return text


def verbose_block(graph: RevisionGraph, rev_id: str, *, current: Collection[str] = ()) -> list[str]:
    """The ``Rev: / Parent: / ... / Path:`` block, docstring indented, blank-terminated."""
    rev = graph.get(rev_id)
    first = f"Rev: {rev_id}"
    if graph.is_head(rev_id):
        # The block has no "(effective head)": any head without a versioned
        # child reads "(head)" here, as Alembic prints it.
        first += " (head)"
    if graph.is_branch_point(rev_id):
        first += " (branchpoint)"
    if graph.is_merge_point(rev_id):
        first += " (mergepoint)"
    if rev_id in current:
        first += " (current)"
    lines = [first]
    parents = ", ".join(rev.down_revision) or "<base>"
    lines.append(f"Merges: {parents}" if graph.is_merge_point(rev_id) else f"Parent: {parents}")
    if graph.dependencies(rev_id):
        lines.append(f"Also depends on: {', '.join(graph.dependencies(rev_id))}")
    if graph.is_branch_point(rev_id):
        lines.append(f"Branches into: {', '.join(graph.children(rev_id))}")
    labels = graph.branch_labels(rev_id)
    if labels:
        lines.append(f"Branch names: {', '.join(labels)}")
    lines.append(f"Path: {rev.path or ''}")
    lines.append("")
    # Each docstring line indented as it is, trailing blanks included, as the
    # seeds print it (a blank docstring line shows as four spaces).
    lines.extend([f"    {line_safe(line)}" for line in rev.longdoc.splitlines()] or [""])
    lines.append("")
    return lines


def history_lines(
    graph: RevisionGraph,
    rev_ids: Sequence[str],
    *,
    verbose: bool = False,
    current: Collection[str] = (),
) -> list[str]:
    """``history`` output for revisions already selected and ordered.

    Pass ``current`` (the version-table rows) for ``--indicate-current``.
    """
    lines: list[str] = []
    for rev_id in rev_ids:
        if verbose:
            lines.extend(verbose_block(graph, rev_id, current=current))
        else:
            lines.append(
                revision_line(
                    graph,
                    rev_id,
                    include_branches=True,
                    include_parents=True,
                    include_doc=True,
                    current=current,
                )
            )
    return lines


def heads_lines(
    graph: RevisionGraph, *, verbose: bool = False, resolve_dependencies: bool = False
) -> list[str]:
    """``heads``: every head in file order; only real heads when resolving dependencies."""
    heads = graph.real_heads if resolve_dependencies else graph.heads
    lines: list[str] = []
    for rev_id in heads:
        if verbose:
            lines.extend(verbose_block(graph, rev_id))
        else:
            lines.append(revision_line(graph, rev_id, include_branches=True, tree_indicators=False))
    return lines


def branches_lines(graph: RevisionGraph, *, verbose: bool = False) -> list[str]:
    """``branches``: each branch point (newest first) and, indented, where it leads."""
    lines: list[str] = []
    for rev_id in graph.lane_order(graph.ids):
        if not graph.is_branch_point(rev_id):
            continue
        if verbose:
            lines.extend(verbose_block(graph, rev_id))
        else:
            lines.append(revision_line(graph, rev_id, include_branches=True))
        indent = " " * len(rev_id)
        for child in graph.children(rev_id):
            shown = revision_line(graph, child, include_branches=True, include_doc=verbose)
            lines.append(f"{indent} -> {shown}")
        lines.append("")
    return lines


def current_lines(
    graph: RevisionGraph, current_heads: Sequence[str], *, verbose: bool = False
) -> list[str]:
    """``current``: one entry per version-table row, in row order.

    The ``Current revision(s) for <url>:`` header of the verbose form
    belongs to the command, which knows the URL.
    """
    from .identifiers import check_current

    check_current(graph, current_heads)  # a row naming no revision: say so, by name
    lines: list[str] = []
    for rev_id in current_heads:
        if verbose:
            lines.extend(verbose_block(graph, rev_id))
        else:
            lines.append(revision_line(graph, rev_id))
    return lines


def show_lines(graph: RevisionGraph, rev_ids: Sequence[str]) -> list[str]:
    """``show REV``: the verbose block of each revision named."""
    lines: list[str] = []
    for rev_id in rev_ids:
        lines.extend(verbose_block(graph, rev_id))
    return lines
