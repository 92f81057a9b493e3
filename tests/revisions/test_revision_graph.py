"""RevisionGraph: validation at build, structure, labels and the lane order."""

from __future__ import annotations

import pytest
from revtree import build, graph_of

from schemadiff.errors import GraphError, RevisionError
from schemadiff.revisions import Revision, RevisionGraph


def _rev(rev: str, down: object = None, **kw: object) -> Revision:
    return Revision.create(rev, down, **kw)  # type: ignore[arg-type]


# ------------------------------------------------------------ model


def test_revision_normalizes_the_spellings_scripts_use() -> None:
    assert _rev("a").down_revision == ()
    assert _rev("b", "a").down_revision == ("a",)
    assert _rev("c", ["a", "b"]).down_revision == ("a", "b")
    assert _rev("c", ("a", "b", "a")).down_revision == ("a", "b")
    rev = Revision.create("x", None, ("zeta", "alpha"), "dep", longdoc="msg\n\nRevision ID: x")
    assert rev.branch_labels == frozenset({"zeta", "alpha"})
    assert rev.branch_label_order == ("zeta", "alpha")
    assert rev.depends_on == ("dep",)
    assert rev.doc == "msg"
    assert rev.longdoc == "msg\n\nRevision ID: x"
    assert rev.is_base and not rev.is_merge_point
    assert _rev("m", ("a", "b")).is_merge_point


def test_revision_accepts_loose_values_when_built_directly() -> None:
    rev = Revision("x", "a", "lbl", "d", longdoc="  hello\nworld ")  # type: ignore[arg-type]
    assert rev.down_revision == ("a",)
    assert rev.branch_labels == frozenset({"lbl"})
    assert rev.depends_on == ("d",)
    assert rev.doc == "hello"


def test_revision_location_names_the_file_or_the_id() -> None:
    assert _rev("a", path="/v/a.py").location == "/v/a.py"
    assert _rev("a").location == "revision 'a'"


# ------------------------------------------------------------ validation


def test_graph_errors_are_revision_errors() -> None:
    assert issubclass(GraphError, RevisionError)


def test_duplicate_ids_name_both_files() -> None:
    with pytest.raises(GraphError) as info:
        RevisionGraph.build([_rev("a", path="/v/a1.py"), _rev("a", path="/v/a2.py")])
    assert str(info.value) == "Revision 'a' is defined more than once: /v/a1.py and /v/a2.py"


def test_missing_down_revision_names_the_referring_file() -> None:
    with pytest.raises(GraphError) as info:
        RevisionGraph.build([_rev("a"), _rev("b", "abc", path="/path/x.py")])
    assert str(info.value) == "Revision 'abc' referenced from /path/x.py is not present"


def test_missing_dependency_names_the_referring_file() -> None:
    with pytest.raises(GraphError) as info:
        RevisionGraph.build([_rev("a"), _rev("b", "a", depends_on="zzz", path="/p/b.py")])
    assert str(info.value) == "Revision 'zzz' referenced from /p/b.py is not present"


def test_missing_reference_without_a_file_names_the_revision() -> None:
    with pytest.raises(GraphError, match="referenced from revision 'b' is not present"):
        RevisionGraph.build([_rev("b", "nope")])


def test_versioned_cycle_is_rejected() -> None:
    with pytest.raises(GraphError) as info:
        RevisionGraph.build([_rev("a", "c"), _rev("b", "a"), _rev("c", "b")])
    message = str(info.value)
    assert message.startswith("Revision graph has a cycle: ")
    assert "a" in message and "b" in message and "c" in message


def test_self_reference_is_a_cycle() -> None:
    with pytest.raises(GraphError, match="cycle: a -> a"):
        RevisionGraph.build([_rev("a", "a")])


def test_cycle_through_a_dependency_is_rejected() -> None:
    with pytest.raises(GraphError, match="cycle"):
        RevisionGraph.build([_rev("a", depends_on="c"), _rev("b", "a"), _rev("c", "b")])


@pytest.mark.parametrize("bad", ["a@b", "a-b", "a+b", "a:b", "a b", "a,b"])
def test_ids_with_grammar_characters_are_rejected(bad: str) -> None:
    with pytest.raises(GraphError, match="may not contain"):
        RevisionGraph.build([_rev(bad, path="/v/x.py")])


@pytest.mark.parametrize("bad", ["shop@x", "shop-x", "shop+x", "shop:x"])
def test_labels_with_grammar_characters_are_rejected(bad: str) -> None:
    with pytest.raises(GraphError, match=r"Branch label .* may not contain"):
        RevisionGraph.build([_rev("a", branch_labels=bad)])


@pytest.mark.parametrize("word", ["head", "heads", "base", "current"])
def test_reserved_words_cannot_be_ids_or_labels(word: str) -> None:
    with pytest.raises(GraphError, match="reserved word"):
        RevisionGraph.build([_rev(word)])
    with pytest.raises(GraphError, match="reserved word"):
        RevisionGraph.build([_rev("a", branch_labels=word)])


def test_empty_id_is_rejected() -> None:
    with pytest.raises(GraphError, match="Empty revision id"):
        RevisionGraph.build([_rev("")])


def test_label_equal_to_a_revision_id_is_rejected() -> None:
    with pytest.raises(GraphError, match="Branch label 'a' in revision 'b' is also the id"):
        RevisionGraph.build([_rev("a"), _rev("b", "a", branch_labels="a")])


def test_same_label_on_two_lines_is_rejected() -> None:
    with pytest.raises(GraphError) as info:
        RevisionGraph.build(
            [
                _rev("r"),
                _rev("a", "r", branch_labels="x", path="/v/a.py"),
                _rev("b", "r", branch_labels="x", path="/v/b.py"),
            ]
        )
    assert str(info.value) == (
        "Branch label 'x' is declared by /v/a.py and /v/b.py, which are not in one line of descent"
    )


def test_same_label_twice_on_one_line_is_allowed() -> None:
    graph = build("a #x\nb <- a\nc <- b #x")
    assert graph.label_owners("x") == ("a", "c")


# ------------------------------------------------------------ structure


def test_heads_bases_and_points_of_the_tutorial_tree() -> None:
    graph = graph_of("branched")
    assert graph.heads == ("27c6a30d7c24", "ae1027a6acf")
    assert graph.real_heads == graph.heads
    assert graph.bases == ("1975ea83b712",)
    assert graph.is_branch_point("1975ea83b712")
    assert graph.children("1975ea83b712") == ("27c6a30d7c24", "ae1027a6acf")
    merged = graph_of("merged")
    assert merged.heads == ("53fffde5ad5",)
    assert merged.is_merge_point("53fffde5ad5")
    assert merged.parents("53fffde5ad5") == ("ae1027a6acf", "27c6a30d7c24")
    assert not merged.is_merge_point("ae1027a6acf")


def test_effective_heads_versus_real_heads() -> None:
    graph = graph_of("dependencies")
    assert graph.heads == ("2a95102259be", "27c6a30d7c24", "55af2cb1c267")
    assert graph.real_heads == ("2a95102259be", "27c6a30d7c24")
    assert graph.is_effective_head("55af2cb1c267")
    assert graph.is_head("55af2cb1c267")  # a new revision may still be based on it
    assert not graph.is_real_head("55af2cb1c267")
    assert graph.is_real_head("2a95102259be") and graph.is_head("2a95102259be")
    assert not graph.is_head("ae1027a6acf") and not graph.is_effective_head("ae1027a6acf")
    assert graph.dependents("55af2cb1c267") == ("2a95102259be",)
    assert graph.dependencies("2a95102259be") == ("55af2cb1c267",)
    assert graph.all_parents("2a95102259be") == ("29f859a13ea", "55af2cb1c267")
    # A dependency is not a versioned child: 55af2cb1c267 is no branch point.
    assert not graph_of("dependencies_final").is_branch_point("55af2cb1c267")


def test_depends_on_may_name_a_branch_label() -> None:
    graph = build("a #shop\nb <- a\nc +shop")
    assert graph.dependencies("c") == ("a",)


def test_a_dependency_already_implied_is_left_out_of_all_parents() -> None:
    graph = build("a\nb <- a\nc <- b +a")
    assert graph.dependencies("c") == ("a",)
    assert graph.all_parents("c") == ("b",)


def test_walks() -> None:
    graph = graph_of("dependencies")
    assert graph.ancestors(["2a95102259be"]) == {
        "2a95102259be", "29f859a13ea", "109ec7d132bf", "3cac04ae8714",
        "55af2cb1c267", "ae1027a6acf", "1975ea83b712",
    }  # fmt: skip
    assert graph.ancestors(["2a95102259be"], versioned_only=True, inclusive=False) == {
        "29f859a13ea", "109ec7d132bf", "3cac04ae8714",
    }  # fmt: skip
    assert graph.descendants(["ae1027a6acf"]) == {"ae1027a6acf", "55af2cb1c267", "2a95102259be"}
    assert graph.descendants(["ae1027a6acf"], versioned_only=True) == {
        "ae1027a6acf",
        "55af2cb1c267",
    }
    assert graph.lineage(["27c6a30d7c24"]) == {"1975ea83b712", "27c6a30d7c24"}


def test_container_protocol_and_lookups() -> None:
    graph = graph_of("branched")
    assert "ae1027a6acf" in graph and "nope" not in graph
    assert len(graph) == 3
    assert [r.revision for r in graph] == list(graph.ids)
    assert graph.get("ae1027a6acf").doc == "add a column"
    assert graph.sort(["ae1027a6acf", "1975ea83b712"]) == ["1975ea83b712", "ae1027a6acf"]
    assert graph.position("1975ea83b712") == 0
    with pytest.raises(KeyError):
        graph.get("nope")


# ------------------------------------------------------------ labels


def test_label_covers_descendants_and_ancestors_back_to_the_branch_point() -> None:
    graph = graph_of("labeled_column")
    assert graph.branch_labels("27c6a30d7c24") == ("shoppingcart",)
    assert graph.branch_labels("d747a8a8879") == ("shoppingcart",)
    assert graph.branch_labels("1975ea83b712") == ()
    assert graph.branch_labels("ae1027a6acf") == ()


def test_label_on_a_base_line_covers_the_whole_line() -> None:
    graph = build("a\nb <- a\nc <- b #x\nd <- c")
    assert [graph.branch_labels(r) for r in "abcd"] == [("x",)] * 4


def test_label_inheritance_stops_at_a_merge_point() -> None:
    graph = build("a\nb\nm <- a,b\nc <- m #x")
    assert graph.branch_labels("m") == ()
    assert graph.branch_labels("c") == ("x",)


def test_labels_keep_declared_order() -> None:
    graph = build("a #zeta,alpha\nb <- a")
    assert graph.branch_labels("b") == ("zeta", "alpha")
    assert graph.labels == ("zeta", "alpha")


# ------------------------------------------------------------ ordering


def test_lane_order_reproduces_the_tutorial_histories() -> None:
    assert graph_of("branched").lane_order(graph_of("branched").ids) == [
        "27c6a30d7c24", "ae1027a6acf", "1975ea83b712",
    ]  # fmt: skip
    merged = graph_of("merged")
    assert merged.lane_order(merged.ids) == [
        "53fffde5ad5", "ae1027a6acf", "27c6a30d7c24", "1975ea83b712",
    ]  # fmt: skip
    final = graph_of("dependencies_final")
    assert final.lane_order(final.ids) == [
        "2a95102259be", "29f859a13ea", "109ec7d132bf", "3cac04ae8714", "27c6a30d7c24",
        "34e094ad6ef1", "55af2cb1c267", "ae1027a6acf", "1975ea83b712",
    ]  # fmt: skip


def test_upgrade_order_is_the_reverse_and_respects_every_edge() -> None:
    graph = graph_of("dependencies_final")
    order = graph.topological_order()
    assert sorted(order) == sorted(graph.ids)
    for rev_id in order:
        for parent in graph.parents(rev_id) + graph.dependencies(rev_id):
            assert order.index(parent) < order.index(rev_id)


def test_lane_order_prefers_the_given_tips() -> None:
    graph = graph_of("branched")
    assert graph.lane_order(graph.ids, prefer=["ae1027a6acf"]) == [
        "ae1027a6acf", "27c6a30d7c24", "1975ea83b712",
    ]  # fmt: skip


def test_maximal() -> None:
    graph = graph_of("dependencies")
    assert graph.maximal(graph.ids) == ["2a95102259be", "27c6a30d7c24"]


def test_long_linear_history_builds_and_orders() -> None:
    revs = [_rev("r0")] + [_rev(f"r{i}", f"r{i - 1}") for i in range(1, 3000)]
    graph = RevisionGraph.build(revs)
    assert graph.heads == ("r2999",)
    order = graph.lane_order(graph.ids)
    assert order[0] == "r2999" and order[-1] == "r0" and len(order) == 3000
