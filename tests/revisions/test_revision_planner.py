"""The planner: steps, their order, log lines and version-table changes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import pytest
from revtree import build, graph_of

from schemadiff.errors import MultipleHeadsError, RangeNotAncestorError, ResolutionError
from schemadiff.revisions import (
    RevisionGraph,
    Step,
    VersionChange,
    apply_changes,
    plan_downgrade,
    plan_stamp,
    plan_upgrade,
)

INS: Final = "insert"
UPD: Final = "update"
DEL: Final = "delete"


def _lines(steps: Sequence[Step]) -> list[str]:
    return [step.log_line() for step in steps]


def _run(steps: Sequence[Step], rows: Sequence[str] = ()) -> tuple[str, ...]:
    for step in steps:
        rows = apply_changes(rows, step.version_changes)
    return tuple(rows)


def _upgrade(
    graph: RevisionGraph, rows: Sequence[str], target: str
) -> tuple[list[str], tuple[str, ...]]:
    steps = plan_upgrade(graph, rows, target)
    return _lines(steps), _run(steps, rows)


def _downgrade(
    graph: RevisionGraph, rows: Sequence[str], target: str
) -> tuple[list[str], tuple[str, ...]]:
    steps = plan_downgrade(graph, rows, target)
    return _lines(steps), _run(steps, rows)


# ------------------------------------------------------------ log lines


def test_log_line_spacing() -> None:
    graph = graph_of("session_merged")
    (first,) = plan_upgrade(graph, [], "1671")
    assert first.log_line() == "Running upgrade  -> 1671375a9017, initial migration"
    (last,) = plan_downgrade(graph, ["1671375a9017"], "base")
    assert last.log_line() == "Running downgrade 1671375a9017 -> , initial migration"
    assert last.verb == "downgrade" and first.verb == "upgrade"


# ------------------------------------------------------------ the tutorial


def test_merge_mechanics_sql_example() -> None:
    """The version-table statements of the seeds' 'merge mechanics' topic."""
    steps = plan_upgrade(graph_of("merged"), [], "head")
    assert _lines(steps) == [
        "Running upgrade  -> 1975ea83b712, create account table",
        "Running upgrade 1975ea83b712 -> 27c6a30d7c24, add shopping cart table",
        "Running upgrade 1975ea83b712 -> ae1027a6acf, add a column",
        "Running upgrade ae1027a6acf, 27c6a30d7c24 -> 53fffde5ad5, merge ae1 and 27c",
    ]
    assert [s.version_changes for s in steps] == [
        (VersionChange(INS, None, "1975ea83b712"),),
        (VersionChange(UPD, "1975ea83b712", "27c6a30d7c24"),),
        (VersionChange(INS, None, "ae1027a6acf"),),
        (
            VersionChange(DEL, "ae1027a6acf", None),
            VersionChange(UPD, "27c6a30d7c24", "53fffde5ad5"),
        ),
    ]
    assert _run(steps[:3]) == ("27c6a30d7c24", "ae1027a6acf")
    assert _run(steps) == ("53fffde5ad5",)


def test_upgrade_head_with_several_heads_is_refused() -> None:
    with pytest.raises(MultipleHeadsError, match="given argument 'head'"):
        plan_upgrade(graph_of("branched"), [], "head")


def test_upgrade_heads_then_downgrade_one_step_at_a_time() -> None:
    graph = graph_of("branched")
    lines, rows = _upgrade(graph, [], "heads")
    assert lines == [
        "Running upgrade  -> 1975ea83b712, create account table",
        "Running upgrade 1975ea83b712 -> ae1027a6acf, add a column",
        "Running upgrade 1975ea83b712 -> 27c6a30d7c24, add shopping cart table",
    ]
    assert rows == ("ae1027a6acf", "27c6a30d7c24")
    lines, rows = _downgrade(graph, rows, "-1")
    assert lines == ["Running downgrade ae1027a6acf -> 1975ea83b712, add a column"]
    assert rows == ("27c6a30d7c24",)
    lines, rows = _downgrade(graph, rows, "-1")
    assert lines == ["Running downgrade 27c6a30d7c24 -> 1975ea83b712, add shopping cart table"]
    assert rows == ("1975ea83b712",)
    lines, rows = _downgrade(graph, rows, "-1")
    assert lines == ["Running downgrade 1975ea83b712 -> , create account table"]
    assert rows == ()


def test_specific_revision_brings_ancestors_not_siblings() -> None:
    graph = graph_of("branched")
    lines, rows = _upgrade(graph, [], "27c6a")
    assert lines == [
        "Running upgrade  -> 1975ea83b712, create account table",
        "Running upgrade 1975ea83b712 -> 27c6a30d7c24, add shopping cart table",
    ]
    lines, rows = _upgrade(graph, rows, "ae102")
    assert lines == ["Running upgrade 1975ea83b712 -> ae1027a6acf, add a column"]
    assert rows == ("27c6a30d7c24", "ae1027a6acf")


def test_upgrade_label_at_head() -> None:
    graph = graph_of("labeled")
    lines, _ = _upgrade(graph, ["ae1027a6acf"], "shoppingcart@head")
    assert lines == ["Running upgrade 1975ea83b712 -> 27c6a30d7c24, add shopping cart table"]


def test_multiple_bases() -> None:
    graph = graph_of("multibase")
    lines, rows = _upgrade(graph, [], "networking@head")
    assert lines == [
        "Running upgrade  -> 3cac04ae8714, create networking branch",
        "Running upgrade 3cac04ae8714 -> 109ec7d132bf, add ip number table",
        "Running upgrade 109ec7d132bf -> 29f859a13ea, add DNS table",
    ]
    lines, rows = _upgrade(graph, rows, "heads")
    assert lines == [
        "Running upgrade  -> 1975ea83b712, create account table",
        "Running upgrade 1975ea83b712 -> 27c6a30d7c24, add shopping cart table",
        "Running upgrade 27c6a30d7c24 -> d747a8a8879, add a shopping cart column",
        "Running upgrade 1975ea83b712 -> ae1027a6acf, add a column",
        "Running upgrade ae1027a6acf -> 55af2cb1c267, add another account column",
    ]
    assert rows == ("29f859a13ea", "d747a8a8879", "55af2cb1c267")


def test_depends_on_revision_keeps_no_row_of_its_own() -> None:
    graph = graph_of("dependencies")
    rows: tuple[str, ...] = ("29f859a13ea", "55af2cb1c267", "27c6a30d7c24")
    steps = plan_upgrade(graph, rows, "heads")
    assert _lines(steps) == [
        "Running upgrade 29f859a13ea, 55af2cb1c267 -> 2a95102259be, add ip account table"
    ]
    assert steps[0].version_changes == (
        VersionChange(DEL, "55af2cb1c267", None),
        VersionChange(UPD, "29f859a13ea", "2a95102259be"),
    )
    rows = _run(steps, rows)
    assert rows == ("2a95102259be", "27c6a30d7c24")
    lines, rows = _upgrade(graph_of("dependencies_final"), rows, "heads")
    assert lines == ["Running upgrade 55af2cb1c267 -> 34e094ad6ef1, more account changes"]
    assert rows == ("2a95102259be", "27c6a30d7c24", "34e094ad6ef1")


def test_upgrade_to_a_dependent_pulls_its_dependency_first() -> None:
    graph = graph_of("dependencies")
    lines, rows = _upgrade(graph, [], "networking@head")
    # "the tree building up 55af2cb1c267 ... will be pulled in first"
    assert lines == [
        "Running upgrade  -> 1975ea83b712, create account table",
        "Running upgrade 1975ea83b712 -> ae1027a6acf, add a column",
        "Running upgrade ae1027a6acf -> 55af2cb1c267, add another account column",
        "Running upgrade  -> 3cac04ae8714, create networking branch",
        "Running upgrade 3cac04ae8714 -> 109ec7d132bf, add ip number table",
        "Running upgrade 109ec7d132bf -> 29f859a13ea, add DNS table",
        "Running upgrade 29f859a13ea, 55af2cb1c267 -> 2a95102259be, add ip account table",
    ]
    assert rows == ("2a95102259be",)


def test_downgrading_a_dependent_restores_its_dependency_row() -> None:
    graph = graph_of("dependencies")
    steps = plan_downgrade(graph, ["2a95102259be"], "29f859a13ea")
    assert _lines(steps) == [
        "Running downgrade 2a95102259be -> 29f859a13ea, 55af2cb1c267, add ip account table"
    ]
    assert _run(steps, ["2a95102259be"]) == ("29f859a13ea", "55af2cb1c267")
    # Downgrading the networking line leaves the dependency in place.
    lines, rows = _downgrade(graph, ["2a95102259be"], "networking@base")
    assert len(lines) == 4 and rows == ("55af2cb1c267",)


def test_downgrading_below_a_dependency_takes_its_dependents_along() -> None:
    graph = graph_of("dependencies")
    lines, rows = _downgrade(graph, ["2a95102259be", "27c6a30d7c24"], "ae1027a6acf")
    assert lines == [
        "Running downgrade 2a95102259be -> 29f859a13ea, 55af2cb1c267, add ip account table",
        "Running downgrade 55af2cb1c267 -> ae1027a6acf, add another account column",
    ]
    assert rows == ("29f859a13ea", "27c6a30d7c24", "ae1027a6acf")


# ------------------------------------------------------------ the terminal session


def test_session_replayed() -> None:
    """Seed 000: upgrade head onto a merge, five downgrade -1, then a second merge."""
    graph = graph_of("session_merged")
    lines, rows = _upgrade(graph, ["b00e3d457ada"], "head")
    assert lines == [
        "Running upgrade ec2ddccf60aa -> ffb63a043e68, add user surname",
        "Running upgrade ffb63a043e68, b00e3d457ada -> 5b22bdd4981d, empty message",
    ]
    assert rows == ("5b22bdd4981d",)
    seen = []
    for _ in range(5):
        lines, rows = _downgrade(graph, rows, "-1")
        seen.extend(lines)
    assert seen == [
        "Running downgrade 5b22bdd4981d -> ffb63a043e68, b00e3d457ada, empty message",
        "Running downgrade ffb63a043e68 -> ec2ddccf60aa, add user surname",
        "Running downgrade b00e3d457ada -> ec2ddccf60aa, create sessions table",
        "Running downgrade ec2ddccf60aa -> 1671375a9017, increase password length",
        "Running downgrade 1671375a9017 -> , initial migration",
    ]
    assert rows == ()
    with pytest.raises(RangeNotAncestorError, match="Relative revision -1 didn't produce 1"):
        plan_downgrade(graph, rows, "-1")

    graph = graph_of("session_second_merge")
    lines, rows = _upgrade(graph, ["4ba36561a8c8"], "head")
    assert lines == [
        "Running upgrade ec2ddccf60aa -> b00e3d457ada, create sessions table",
        "Running upgrade ec2ddccf60aa -> ffb63a043e68, add user surname",
        "Running upgrade ffb63a043e68, b00e3d457ada -> 5b22bdd4981d, empty message",
        "Running upgrade 4ba36561a8c8, 5b22bdd4981d -> 5b56dea28659, empty message",
    ]
    assert rows == ("5b56dea28659",)


def test_unmerge_keeps_the_first_parent_in_the_merge_row() -> None:
    graph = graph_of("session_merged")
    (step,) = plan_downgrade(graph, ["5b22bdd4981d"], "-1")
    assert step.version_changes == (
        VersionChange(UPD, "5b22bdd4981d", "ffb63a043e68"),
        VersionChange(INS, None, "b00e3d457ada"),
    )
    assert step.from_revisions == ("5b22bdd4981d",)
    assert step.to_revisions == ("ffb63a043e68", "b00e3d457ada")
    assert not step.is_upgrade


def test_downgrade_minus_n_is_n_single_steps() -> None:
    graph = graph_of("session_merged")
    many = _lines(plan_downgrade(graph, ["5b22bdd4981d"], "-3"))
    assert many == [
        "Running downgrade 5b22bdd4981d -> ffb63a043e68, b00e3d457ada, empty message",
        "Running downgrade ffb63a043e68 -> ec2ddccf60aa, add user surname",
        "Running downgrade b00e3d457ada -> ec2ddccf60aa, create sessions table",
    ]
    assert _lines(plan_downgrade(graph, ["5b22bdd4981d"], "base")) == many + [
        "Running downgrade ec2ddccf60aa -> 1671375a9017, increase password length",
        "Running downgrade 1671375a9017 -> , initial migration",
    ]
    with pytest.raises(RangeNotAncestorError, match="Relative revision -6 didn't produce 6"):
        plan_downgrade(graph, ["5b22bdd4981d"], "-6")


# ------------------------------------------------------------ targets


def test_upgrading_to_an_applied_revision_does_nothing() -> None:
    graph = graph_of("merged")
    assert plan_upgrade(graph, ["53fffde5ad5"], "head") == []
    assert plan_upgrade(graph, ["53fffde5ad5"], "ae1027a6acf") == []
    assert plan_upgrade(graph, ["53fffde5ad5"], "current") == []
    assert plan_upgrade(graph, ["53fffde5ad5"], "base") == []


def test_upgrade_relative() -> None:
    graph = graph_of("labeled_column")
    # +N is the first N steps of 'upgrade heads'.
    lines, rows = _upgrade(graph, [], "+2")
    assert lines == [
        "Running upgrade  -> 1975ea83b712, create account table",
        "Running upgrade 1975ea83b712 -> 27c6a30d7c24, add shopping cart table",
    ]
    lines, rows = _upgrade(graph, rows, "+1")
    assert lines == ["Running upgrade 27c6a30d7c24 -> d747a8a8879, add a shopping cart column"]
    assert _lines(plan_upgrade(graph, rows, "heads")) == [
        "Running upgrade 1975ea83b712 -> ae1027a6acf, add a column"
    ]
    assert plan_upgrade(graph, rows, "+0") == []
    with pytest.raises(RangeNotAncestorError, match=r"Relative revision \+2 didn't produce 2"):
        plan_upgrade(graph, rows, "+2")
    with pytest.raises(RangeNotAncestorError, match="use downgrade"):
        plan_upgrade(graph, rows, "-1")


def test_upgrade_relative_within_a_branch() -> None:
    graph = graph_of("labeled_column")
    lines, rows = _upgrade(graph, [], "shoppingcart@+2")
    assert lines == [
        "Running upgrade  -> 1975ea83b712, create account table",
        "Running upgrade 1975ea83b712 -> 27c6a30d7c24, add shopping cart table",
    ]
    lines, rows = _upgrade(graph, rows, "shoppingcart@+1")
    assert lines == ["Running upgrade 27c6a30d7c24 -> d747a8a8879, add a shopping cart column"]
    lines, rows = _upgrade(graph, rows, "ae10")
    assert rows == ("d747a8a8879", "ae1027a6acf")


def test_downgrade_to_a_revision_removes_only_what_is_above_it() -> None:
    graph = graph_of("labeled_column")
    rows = ("ae1027a6acf", "d747a8a8879")
    lines, after = _downgrade(graph, rows, "27c6a")
    assert lines == ["Running downgrade d747a8a8879 -> 27c6a30d7c24, add a shopping cart column"]
    assert after == ("ae1027a6acf", "27c6a30d7c24")
    lines, after = _downgrade(graph, rows, "1975")
    assert lines == [
        "Running downgrade ae1027a6acf -> 1975ea83b712, add a column",
        "Running downgrade d747a8a8879 -> 27c6a30d7c24, add a shopping cart column",
        "Running downgrade 27c6a30d7c24 -> 1975ea83b712, add shopping cart table",
    ]
    assert after == ("1975ea83b712",)
    assert plan_downgrade(graph, rows, "d747") == []
    assert plan_downgrade(graph, rows, "current") == []


def test_downgrade_label_relative_and_label_base() -> None:
    graph = graph_of("labeled_column")
    rows = ("ae1027a6acf", "d747a8a8879")
    lines, after = _downgrade(graph, rows, "shoppingcart@-1")
    assert lines == ["Running downgrade d747a8a8879 -> 27c6a30d7c24, add a shopping cart column"]
    lines, after = _downgrade(graph, rows, "shoppingcart@-2")
    assert lines == [
        "Running downgrade d747a8a8879 -> 27c6a30d7c24, add a shopping cart column",
        "Running downgrade 27c6a30d7c24 -> 1975ea83b712, add shopping cart table",
    ]
    assert after == ("ae1027a6acf",)
    # Below the line's base revision: as LABEL@base, which the lines share.
    lines, after = _downgrade(graph, rows, "shoppingcart@-3")
    assert len(lines) == 4 and after == ()
    lines, after = _downgrade(graph, rows, "shoppingcart@base")
    assert after == ()
    with pytest.raises(RangeNotAncestorError):
        plan_downgrade(graph, ["ae1027a6acf"], "shoppingcart@-1")


def test_downgrade_networking_base_keeps_the_other_tree() -> None:
    graph = graph_of("multibase")
    lines, after = _downgrade(graph, ["29f859a13ea", "55af2cb1c267"], "networking@base")
    assert lines == [
        "Running downgrade 29f859a13ea -> 109ec7d132bf, add DNS table",
        "Running downgrade 109ec7d132bf -> 3cac04ae8714, add ip number table",
        "Running downgrade 3cac04ae8714 -> , create networking branch",
    ]
    assert after == ("55af2cb1c267",)


def test_downgrade_to_a_revision_not_applied_is_an_error() -> None:
    graph = graph_of("labeled_column")
    with pytest.raises(RangeNotAncestorError) as info:
        plan_downgrade(graph, ["ae1027a6acf"], "27c6a30d7c24")
    assert str(info.value) == (
        "Destination 27c6a30d7c24 is not a valid downgrade target from current head(s)"
    )
    with pytest.raises(RangeNotAncestorError, match="use upgrade"):
        plan_downgrade(graph, ["ae1027a6acf"], "+1")


def test_unknown_rows_and_targets() -> None:
    graph = graph_of("branched")
    with pytest.raises(ResolutionError, match="Can't locate revision identified by 'gone'"):
        plan_upgrade(graph, ["gone"], "heads")
    with pytest.raises(ResolutionError, match="Can't locate revision identified by 'zzz'"):
        plan_upgrade(graph, [], "zzz")


def test_ranges_replace_the_rows_for_offline_runs() -> None:
    graph = graph_of("labeled_column")
    assert _lines(plan_upgrade(graph, ["d747a8a8879"], "1975:ae10")) == [
        "Running upgrade 1975ea83b712 -> ae1027a6acf, add a column"
    ]
    assert len(plan_upgrade(graph, ["d747a8a8879"], ":27c6")) == 2
    assert _lines(plan_downgrade(graph, [], "d747:27c6")) == [
        "Running downgrade d747a8a8879 -> 27c6a30d7c24, add a shopping cart column"
    ]
    with pytest.raises(ResolutionError, match="needs an end"):
        plan_upgrade(graph, [], "1975:")


def test_merge_with_a_branch_never_applied() -> None:
    graph = build("a\nb <- a\nc <- a\nm <- b,c")
    lines, rows = _upgrade(graph, ["b"], "m")
    assert lines == ["Running upgrade a -> c, rev c", "Running upgrade b, c -> m, rev m"]
    assert rows == ("m",)


def test_plans_over_a_long_history() -> None:
    spec = "\n".join(["r0"] + [f"r{i} <- r{i - 1}" for i in range(1, 2000)])
    graph = build(spec)
    steps = plan_upgrade(graph, [], "head")
    assert len(steps) == 2000 and _run(steps) == ("r1999",)
    assert len(plan_downgrade(graph, ["r1999"], "base")) == 2000


# ------------------------------------------------------------ stamp


def test_stamp_on_an_empty_table_inserts() -> None:
    graph = graph_of("branched")
    assert plan_stamp(graph, [], ["heads"], purge=False) == [
        VersionChange(INS, None, "27c6a30d7c24"),
        VersionChange(INS, None, "ae1027a6acf"),
    ]


def test_stamp_moves_the_row_on_the_same_line() -> None:
    graph = graph_of("merged")
    assert plan_stamp(graph, ["ae1027a6acf", "27c6a30d7c24"], ["head"], purge=False) == [
        VersionChange(UPD, "ae1027a6acf", "53fffde5ad5"),
        VersionChange(DEL, "27c6a30d7c24", None),
    ]
    assert plan_stamp(graph, ["53fffde5ad5"], ["1975"], purge=False) == [
        VersionChange(UPD, "53fffde5ad5", "1975ea83b712"),
    ]
    assert plan_stamp(graph, ["53fffde5ad5"], ["head"], purge=False) == []


def test_stamp_keeps_unrelated_lines_and_base_clears() -> None:
    graph = graph_of("multibase")
    rows = ["29f859a13ea"]
    assert plan_stamp(graph, rows, ["ae10"], purge=False) == [
        VersionChange(INS, None, "ae1027a6acf")
    ]
    assert plan_stamp(graph, rows + ["ae1027a6acf"], ["networking@base"], purge=False) == [
        VersionChange(DEL, "29f859a13ea", None)
    ]
    assert plan_stamp(graph, rows + ["ae1027a6acf"], ["base"], purge=False) == [
        VersionChange(DEL, "29f859a13ea", None),
        VersionChange(DEL, "ae1027a6acf", None),
    ]


def test_stamp_purge_replaces_everything() -> None:
    graph = graph_of("branched")
    assert plan_stamp(graph, ["ae1027a6acf"], ["27c6", "1975"], purge=True) == [
        VersionChange(DEL, "ae1027a6acf", None),
        VersionChange(INS, None, "27c6a30d7c24"),
    ]


def test_stamp_with_a_dependency_takes_its_row() -> None:
    graph = graph_of("dependencies")
    assert plan_stamp(graph, ["29f859a13ea", "55af2cb1c267"], ["2a95"], purge=False) == [
        VersionChange(UPD, "29f859a13ea", "2a95102259be"),
        VersionChange(DEL, "55af2cb1c267", None),
    ]
