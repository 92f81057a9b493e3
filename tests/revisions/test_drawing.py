"""``history --graph`` drawings of the seeds' trees."""

from __future__ import annotations

import shutil
from pathlib import Path

from schemadiff.revisions import RevisionGraph, history_lines, history_revisions, load_revisions
from schemadiff.revisions.drawing import draw_history

FIXTURES = Path(__file__).parents[2] / "fixtures" / "revisions"


def _draw(tmp_path: Path, stage: str) -> list[str]:
    shutil.copytree(FIXTURES / stage, tmp_path / stage)
    locations = sorted(p for p in (tmp_path / stage).iterdir() if p.is_dir())
    graph = RevisionGraph.build(load_revisions(locations))
    ids = history_revisions(graph)
    return draw_history(graph, ids, history_lines(graph, ids))


def test_merge_diamond(tmp_path):
    assert _draw(tmp_path, "merged") == [
        "* ae1027a6acf, 27c6a30d7c24 -> 53fffde5ad5 (head) (mergepoint), merge ae1 and 27c",
        "|\\",
        "* | 1975ea83b712 -> ae1027a6acf, add a column",
        "| * 1975ea83b712 -> 27c6a30d7c24, add shopping cart table",
        "|/",
        "* <base> -> 1975ea83b712 (branchpoint), create account table",
    ]


def test_nested_merges_close_every_lane(tmp_path):
    lines = _draw(tmp_path, "session_second_merge")
    assert lines[:3] == [
        "* 4ba36561a8c8, 5b22bdd4981d -> 5b56dea28659 (head) (mergepoint), empty message",
        "|\\",
        "* | ec2ddccf60aa -> 4ba36561a8c8, add user phone",
    ]
    assert lines[-4:] == [
        "| |/",
        "|/",
        "* 1671375a9017 -> ec2ddccf60aa (branchpoint), increase password length",
        "* <base> -> 1671375a9017, initial migration",
    ]
