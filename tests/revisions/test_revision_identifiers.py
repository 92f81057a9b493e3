"""The identifier grammar: parsing into targets, resolving on a graph."""

from __future__ import annotations

import pytest
from revtree import build, graph_of

from schemadiff.errors import MultipleHeadsError, RangeNotAncestorError, ResolutionError
from schemadiff.revisions import (
    BaseTarget,
    CurrentTarget,
    HeadTarget,
    RangeTarget,
    RelativeTarget,
    RevisionTarget,
    branch_members,
    branch_roots,
    parse_identifier,
    parse_range,
    resolve,
    resolve_one,
    resolve_ref,
)

# ------------------------------------------------------------ parsing


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("head", HeadTarget(False)),
        ("heads", HeadTarget(True)),
        ("base", BaseTarget()),
        ("current", CurrentTarget()),
        ("ae1027a6acf", RevisionTarget("ae1027a6acf")),
        ("  ae1  ", RevisionTarget("ae1")),
        ("shoppingcart", RevisionTarget("shoppingcart")),
        ("+2", RelativeTarget(2)),
        ("-1", RelativeTarget(-1)),
        ("ae10+2", RelativeTarget(2, RevisionTarget("ae10"))),
        ("ae10-1", RelativeTarget(-1, RevisionTarget("ae10"))),
        ("head-1", RelativeTarget(-1, HeadTarget(False))),
        ("shoppingcart@head", HeadTarget(False, "shoppingcart")),
        ("shoppingcart@heads", HeadTarget(True, "shoppingcart")),
        ("networking@base", BaseTarget("networking")),
        ("shoppingcart@+2", RelativeTarget(2, None, "shoppingcart")),
        ("shoppingcart@-1", RelativeTarget(-1, None, "shoppingcart")),
        ("ae10@head", HeadTarget(False, "ae10")),
        ("shoppingcart@27c6", RevisionTarget("27c6", "shoppingcart")),
        ("shoppingcart@27c6+1", RelativeTarget(1, RevisionTarget("27c6"), "shoppingcart")),
    ],
)
def test_parse_identifier(text: str, target: object) -> None:
    assert parse_identifier(text) == target


@pytest.mark.parametrize(
    "text", ["head", "heads", "base", "current", "ae10", "+2", "-1", "ae10+2",
             "shoppingcart@head", "networking@base", "shoppingcart@+2", "x@y-1"],
)  # fmt: skip
def test_targets_print_back_as_written(text: str) -> None:
    assert str(parse_identifier(text)) == text


@pytest.mark.parametrize("text", ["", "   ", "@head", "a@", "a@b@c", "a+b", "1+", "head@head",
                                  "current@x", "x@current"])  # fmt: skip
def test_malformed_identifiers(text: str) -> None:
    with pytest.raises(ResolutionError):
        parse_identifier(text)


def test_a_range_is_not_a_single_identifier() -> None:
    with pytest.raises(ResolutionError, match="range"):
        parse_identifier("a:b")


@pytest.mark.parametrize(
    ("text", "rng"),
    [
        ("1975ea:ae1027", RangeTarget(RevisionTarget("1975ea"), RevisionTarget("ae1027"))),
        ("1975ea:", RangeTarget(RevisionTarget("1975ea"), None)),
        (":shoppingcart@head", RangeTarget(None, HeadTarget(False, "shoppingcart"))),
        ("-3:current", RangeTarget(RelativeTarget(-3), CurrentTarget())),
        ("current:shoppingcart@+2", RangeTarget(CurrentTarget(), RelativeTarget(2, None, "shoppingcart"))),
        (":", RangeTarget(None, None)),
    ],
)  # fmt: skip
def test_parse_range(text: str, rng: RangeTarget) -> None:
    assert parse_range(text) == rng
    assert str(parse_range(text)) == text


@pytest.mark.parametrize("text", ["abc", "a:b:c"])
def test_malformed_ranges(text: str) -> None:
    with pytest.raises(ResolutionError, match=r"\[start\]:\[end\]"):
        parse_range(text)


# ------------------------------------------------------------ ids, prefixes, labels


def test_full_id_prefix_and_label() -> None:
    graph = graph_of("labeled_column")
    assert resolve(graph, "ae1027a6acf") == ("ae1027a6acf",)
    assert resolve(graph, "ae1") == ("ae1027a6acf",)
    assert resolve(graph, "2") == ("27c6a30d7c24",)
    assert resolve(graph, "shoppingcart") == ("27c6a30d7c24",)
    assert resolve_ref(graph, "d747") == "d747a8a8879"


def test_ambiguous_prefix_lists_the_candidates_sorted() -> None:
    graph = build("aef0b1c2d3e4\nae1027a6acf <- aef0b1c2d3e4")
    with pytest.raises(ResolutionError) as info:
        resolve(graph, "ae")
    assert str(info.value) == "Multiple revisions start with 'ae': 'ae1027a6acf', 'aef0b1c2d3e4'"
    assert info.value.argument == "ae"


def test_an_exact_id_wins_over_a_longer_id_it_prefixes() -> None:
    graph = build("abc\nabcd <- abc")
    assert resolve(graph, "abc") == ("abc",)


def test_unknown_identifier() -> None:
    graph = graph_of("branched")
    with pytest.raises(ResolutionError) as info:
        resolve(graph, "xyz")
    assert str(info.value) == "Can't locate revision identified by 'xyz'"


def test_label_declared_twice_on_a_line_names_where_it_starts() -> None:
    graph = build("a\nb <- a #x\nc <- b #x")
    assert resolve(graph, "x") == ("b",)


def test_revision_within_a_branch() -> None:
    graph = graph_of("labeled_column")
    assert resolve(graph, "shoppingcart@d747") == ("d747a8a8879",)
    assert resolve(graph, "shoppingcart@1975") == ("1975ea83b712",)
    with pytest.raises(ResolutionError, match="ae1027a6acf is not a member of branch"):
        resolve(graph, "shoppingcart@ae10")


# ------------------------------------------------------------ symbols


def test_head_and_heads() -> None:
    assert resolve(graph_of("merged"), "head") == ("53fffde5ad5",)
    graph = graph_of("branched")
    assert resolve(graph, "heads") == ("27c6a30d7c24", "ae1027a6acf")
    with pytest.raises(MultipleHeadsError) as info:
        resolve(graph, "head")
    assert str(info.value) == (
        "Multiple head revisions are present for given argument 'head'; please specify a "
        "specific target revision, '<branchname>@head' to narrow to a specific head, or "
        "'heads' for all heads"
    )
    assert info.value.heads == ("27c6a30d7c24", "ae1027a6acf")


def test_heads_means_real_heads_so_dependencies_get_no_row() -> None:
    assert resolve(graph_of("dependencies"), "heads") == ("2a95102259be", "27c6a30d7c24")


def test_base_and_current() -> None:
    graph = graph_of("branched")
    assert resolve(graph, "base") == ()
    assert resolve(graph, "current", ["ae1027a6acf", "27c6a30d7c24"]) == (
        "ae1027a6acf",
        "27c6a30d7c24",
    )
    assert resolve(graph, "current") == ()
    with pytest.raises(ResolutionError, match="Can't locate revision identified by 'gone'"):
        resolve(graph, "current", ["gone"])


def test_label_at_head_heads_base() -> None:
    graph = graph_of("multibase")
    assert resolve(graph, "networking@head") == ("29f859a13ea",)
    assert resolve(graph, "shoppingcart@head") == ("d747a8a8879",)
    assert resolve(graph, "shoppingcart@heads") == ("d747a8a8879",)
    assert resolve(graph, "networking@base") == ()
    assert branch_roots(graph, "networking") == ("3cac04ae8714",)
    assert branch_roots(graph, "shoppingcart") == ("1975ea83b712",)
    assert branch_roots(graph, None) == graph.bases
    with pytest.raises(ResolutionError, match="Can't locate revision identified by 'nolabel'"):
        resolve(graph, "nolabel@base")


def test_label_at_head_with_a_split_branch() -> None:
    graph = build("a #x\nb <- a\nc <- a")
    assert resolve(graph, "x@heads") == ("b", "c")
    with pytest.raises(MultipleHeadsError, match="given argument 'x@head'"):
        resolve(graph, "x@head")


def test_revision_at_head_follows_versioned_descendants() -> None:
    graph = graph_of("labeled")
    assert resolve(graph, "ae10@head") == ("ae1027a6acf",)
    graph = graph_of("dependencies")
    # 2a95102259be depends on 55af2cb1c267 but is not on its line.
    assert resolve(graph, "55af2cb@head") == ("55af2cb1c267",)
    assert resolve(graph, "ae10@head") == ("55af2cb1c267",)
    assert resolve(graph, "1975@heads") == ("27c6a30d7c24", "55af2cb1c267")


def test_branch_members() -> None:
    graph = graph_of("labeled_column")
    assert branch_members(graph, "shoppingcart") == {"1975ea83b712", "27c6a30d7c24", "d747a8a8879"}
    assert branch_members(graph, "ae10") == {"1975ea83b712", "ae1027a6acf"}


# ------------------------------------------------------------ relative


def test_relative_to_a_revision() -> None:
    graph = graph_of("labeled_column")
    assert resolve(graph, "27c6+1") == ("d747a8a8879",)
    assert resolve(graph, "d747-1") == ("27c6a30d7c24",)
    assert resolve(graph, "d747-2") == ("1975ea83b712",)
    assert resolve(graph, "d747-3") == ()  # below the base revision: base
    assert resolve(graph, "27c6+0") == ("27c6a30d7c24",)


def test_relative_past_the_end() -> None:
    graph = graph_of("labeled_column")
    with pytest.raises(RangeNotAncestorError) as info:
        resolve(graph, "d747-4")
    assert str(info.value) == "Relative revision -4 didn't produce 4 migrations"
    with pytest.raises(RangeNotAncestorError, match=r"Relative revision \+1 didn't produce 1"):
        resolve(graph, "d747+1")


def test_relative_walk_through_a_branch_point_needs_a_branch() -> None:
    graph = graph_of("labeled_column")
    with pytest.raises(
        ResolutionError, match="1975ea83b712 branches into 27c6a30d7c24, ae1027a6acf"
    ):
        resolve(graph, "1975+1")
    assert resolve(graph, "shoppingcart@1975+2") == ("d747a8a8879",)


def test_relative_walk_down_through_a_merge_needs_a_branch() -> None:
    graph = graph_of("merged")
    with pytest.raises(ResolutionError, match="53fffde5ad5 merges ae1027a6acf, 27c6a30d7c24"):
        resolve(graph, "53fff-1")
    assert resolve(graph, "ae10@53fff-1") == ("ae1027a6acf",)


def test_relative_to_current() -> None:
    graph = graph_of("labeled_column")
    assert resolve(graph, "+1", ["27c6a30d7c24"]) == ("d747a8a8879",)
    assert resolve(graph, "-1", ["d747a8a8879"]) == ("27c6a30d7c24",)
    assert resolve(graph, "+1") == ("1975ea83b712",)  # from an empty table
    # Several rows: relative to the first, as downgrade -1 is.
    assert resolve(graph, "-1", ["ae1027a6acf", "d747a8a8879"]) == ("1975ea83b712",)


def test_relative_within_a_branch_from_current() -> None:
    graph = graph_of("labeled_column")
    assert resolve(graph, "shoppingcart@+2") == ("27c6a30d7c24",)
    assert resolve(graph, "shoppingcart@+1", ["ae1027a6acf", "27c6a30d7c24"]) == ("d747a8a8879",)
    assert resolve(graph, "shoppingcart@-1", ["ae1027a6acf", "d747a8a8879"]) == ("27c6a30d7c24",)


def test_relative_from_several_revisions_is_an_error() -> None:
    graph = graph_of("branched")
    with pytest.raises(ResolutionError, match="needs one starting revision"):
        resolve(graph, "heads-1")


def test_relative_from_base_with_several_bases_is_ambiguous() -> None:
    graph = graph_of("multibase")
    with pytest.raises(ResolutionError, match="base branches into"):
        resolve(graph, "+1")
    assert resolve(graph, "networking@+1") == ("3cac04ae8714",)


def test_resolve_one() -> None:
    graph = graph_of("branched")
    assert resolve_one(graph, "ae1") == "ae1027a6acf"
    assert resolve_one(graph, "base") is None
    with pytest.raises(MultipleHeadsError):
        resolve_one(graph, "heads")
