"""``history --graph``: the revision graph drawn beside the history lines.

Like ``git log --graph``: one lane per line of history being followed,
``*`` where a revision sits, ``|\\`` where a merge point opens lanes for
its other parents (read top-down, newest first), ``|/`` where two lanes
reach the same parent and close into one.
"""

from __future__ import annotations

from collections.abc import Sequence

from .graph import RevisionGraph


def _row(width: int, marks: dict[int, str]) -> str:
    return " ".join(marks.get(i, "|") for i in range(width)).rstrip()


def _join_row(width: int, lane: int) -> str:
    """Lane ``lane`` bends left into the lane before it: ``| |/``."""
    cells = ["|"] * lane
    text = " ".join(cells) + "/"
    rest = " ".join(["|"] * (width - lane - 1))
    return f"{text} {rest}".rstrip()


def draw_history(graph: RevisionGraph, rev_ids: Sequence[str], lines: Sequence[str]) -> list[str]:
    """Prefix each history line with its lane drawing; ``lines[i]`` describes ``rev_ids[i]``."""
    shown = set(rev_ids)
    lanes: list[str] = []  # the revision each lane waits for
    out: list[str] = []
    for rev, text in zip(rev_ids, lines, strict=True):
        if rev in lanes:
            col = lanes.index(rev)
        else:
            lanes.append(rev)
            col = len(lanes) - 1
        # Other lanes that wait for this revision join its lane first.
        for i in reversed([i for i, r in enumerate(lanes) if r == rev and i != col]):
            out.append(_join_row(len(lanes), i))

            del lanes[i]
        out.append(f"{_row(len(lanes), {col: '*'})} {text}")
        parents = [p for p in graph.parents(rev) if p in shown]
        if not parents:
            del lanes[col]
            continue
        lanes[col] = parents[0]
        for extra in parents[1:]:
            lanes.append(extra)
            out.append(_row(len(lanes) - 1, {}) + "\\")
    return out
