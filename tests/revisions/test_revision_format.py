"""Every history/heads/branches/show/current listing in the seeds, line for line.

Expected texts are pasted from the seeds (indentation removed).  The
tutorial spells one message "Add a column" in two listings and "add a
column" elsewhere; the fixtures use the latter throughout.
"""

from __future__ import annotations

import textwrap

import pytest
from revtree import build, graph_of

from schemadiff.revisions import (
    branches_lines,
    current_lines,
    heads_lines,
    history_lines,
    history_revisions,
    revision_line,
    show_lines,
    verbose_block,
)

SESSION_ROOT = "/home/skraev/projects/test_migrations/alembic"


def seed(text: str) -> list[str]:
    """The seed's lines, as printed (a verbose listing ends with a blank line)."""
    return textwrap.dedent(text).strip("\n").splitlines()


def as_in_docs(lines: list[str]) -> list[str]:
    """The lines without trailing blanks: the seeds' pages lose them, while the tool
    prints a docstring's blank line as four spaces (tests/alembic compares the real
    output with Alembic's, blanks included)."""
    return [line.rstrip() for line in lines]


def history(stage: str, rev_range: str | None = None, root: str = "foo") -> list[str]:
    graph = graph_of(stage, root)
    return history_lines(graph, history_revisions(graph, rev_range))


# ------------------------------------------------------------ history


def test_history_of_a_branch() -> None:
    assert history("branched") == seed("""
        1975ea83b712 -> 27c6a30d7c24 (head), add shopping cart table
        1975ea83b712 -> ae1027a6acf (head), add a column
        <base> -> 1975ea83b712 (branchpoint), create account table
    """)


def test_history_after_the_merge() -> None:
    assert history("merged") == seed("""
        ae1027a6acf, 27c6a30d7c24 -> 53fffde5ad5 (head) (mergepoint), merge ae1 and 27c
        1975ea83b712 -> ae1027a6acf, add a column
        1975ea83b712 -> 27c6a30d7c24, add shopping cart table
        <base> -> 1975ea83b712 (branchpoint), create account table
    """)


def test_history_with_a_branch_label() -> None:
    assert history("labeled") == seed("""
        1975ea83b712 -> 27c6a30d7c24 (shoppingcart) (head), add shopping cart table
        1975ea83b712 -> ae1027a6acf (head), add a column
        <base> -> 1975ea83b712 (branchpoint), create account table
    """)


def test_history_of_the_shoppingcart_branch_and_its_ranges() -> None:
    full = seed("""
        1975ea83b712 -> ae1027a6acf (head), add a column
        27c6a30d7c24 -> d747a8a8879 (shoppingcart) (head), add a shopping cart column
        1975ea83b712 -> 27c6a30d7c24 (shoppingcart), add shopping cart table
        <base> -> 1975ea83b712 (branchpoint), create account table
    """)
    assert history("labeled_column") == full
    assert history("labeled_column", "shoppingcart:") == seed("""
        27c6a30d7c24 -> d747a8a8879 (shoppingcart) (head), add a shopping cart column
        1975ea83b712 -> 27c6a30d7c24 (shoppingcart), add shopping cart table
    """)
    assert history("labeled_column", ":shoppingcart@head") == seed("""
        27c6a30d7c24 -> d747a8a8879 (shoppingcart) (head), add a shopping cart column
        1975ea83b712 -> 27c6a30d7c24 (shoppingcart), add shopping cart table
        <base> -> 1975ea83b712 (branchpoint), create account table
    """)
    assert history("labeled_column", "shoppingcart@base:") == full
    assert history("labeled_column", "shoppingcart@base:heads") == full


def test_history_of_the_networking_base() -> None:
    expected = seed("""
        109ec7d132bf -> 29f859a13ea (networking) (head), add DNS table
        3cac04ae8714 -> 109ec7d132bf (networking), add ip number table
        <base> -> 3cac04ae8714 (networking), create networking branch
    """)
    assert history("multibase", "networking@base:") == expected
    assert history("multibase", ":networking@head") == expected


def test_history_with_a_dependency_depends_on_direction() -> None:
    assert history("dependencies", ":networking@head") == seed("""
        29f859a13ea (55af2cb1c267) -> 2a95102259be (networking) (head), add ip account table
        109ec7d132bf -> 29f859a13ea (networking), add DNS table
        3cac04ae8714 -> 109ec7d132bf (networking), add ip number table
        <base> -> 3cac04ae8714 (networking), create networking branch
        ae1027a6acf -> 55af2cb1c267 (effective head), add another account column
        1975ea83b712 -> ae1027a6acf, add a column
        <base> -> 1975ea83b712 (branchpoint), create account table
    """)
    assert history("dependencies", "networking@base:") == seed("""
        29f859a13ea (55af2cb1c267) -> 2a95102259be (networking) (head), add ip account table
        109ec7d132bf -> 29f859a13ea (networking), add DNS table
        3cac04ae8714 -> 109ec7d132bf (networking), add ip number table
        <base> -> 3cac04ae8714 (networking), create networking branch
    """)


def test_history_of_the_final_tree() -> None:
    assert history("dependencies_final") == seed("""
        29f859a13ea (55af2cb1c267) -> 2a95102259be (networking) (head), add ip account table
        109ec7d132bf -> 29f859a13ea (networking), add DNS table
        3cac04ae8714 -> 109ec7d132bf (networking), add ip number table
        <base> -> 3cac04ae8714 (networking), create networking branch
        1975ea83b712 -> 27c6a30d7c24 (shoppingcart) (head), add shopping cart table
        55af2cb1c267 -> 34e094ad6ef1 (head), more account changes
        ae1027a6acf -> 55af2cb1c267, add another account column
        1975ea83b712 -> ae1027a6acf, add a column
        <base> -> 1975ea83b712 (branchpoint), create account table
    """)


def test_history_of_the_session() -> None:
    assert history("session_merged") == seed("""
        ffb63a043e68, b00e3d457ada -> 5b22bdd4981d (head) (mergepoint), empty message
        ec2ddccf60aa -> ffb63a043e68, add user surname
        ec2ddccf60aa -> b00e3d457ada, create sessions table
        1671375a9017 -> ec2ddccf60aa (branchpoint), increase password length
        <base> -> 1671375a9017, initial migration
    """)


def test_history_verbose() -> None:
    graph = graph_of("branched")
    two = ["ae1027a6acf", "1975ea83b712"]
    lines = as_in_docs(history_lines(graph, two, verbose=True))
    assert lines[:10] == seed("""
        Rev: ae1027a6acf (head)
        Parent: 1975ea83b712
        Path: foo/versions/ae1027a6acf_add_a_column.py

            add a column

            Revision ID: ae1027a6acf
            Revises: 1975ea83b712
            Create Date: 2014-11-20 13:02:54.849677
    """) + [""]
    assert lines[10] == "Rev: 1975ea83b712 (branchpoint)"
    assert lines[-1] == ""


def test_history_indicates_current() -> None:
    graph = graph_of("branched")
    lines = history_lines(graph, history_revisions(graph), current=["ae1027a6acf"])
    assert lines[1] == "1975ea83b712 -> ae1027a6acf (head) (current), add a column"
    block = as_in_docs(
        history_lines(graph, ["1975ea83b712"], verbose=True, current=["1975ea83b712"])
    )
    assert block[0] == "Rev: 1975ea83b712 (branchpoint) (current)"


def test_history_relative_and_current_ranges() -> None:
    graph = graph_of("labeled_column")
    rows = ["d747a8a8879"]
    assert history_revisions(graph, "-1:current", rows) == ["d747a8a8879", "27c6a30d7c24"]
    assert history_revisions(graph, "current:+0", rows) == ["d747a8a8879"]
    assert history_revisions(graph, "27c6:+1") == ["d747a8a8879", "27c6a30d7c24"]
    assert history_revisions(graph, "1975ea:ae1027") == ["ae1027a6acf", "1975ea83b712"]
    assert history_revisions(graph, "base:base") == []
    assert history_revisions(graph, ":") == graph.lane_order(graph.ids)
    assert history_revisions(graph, "current:shoppingcart@+2", []) == [
        "27c6a30d7c24",
        "1975ea83b712",
    ]


def test_history_range_errors() -> None:
    from schemadiff.errors import RangeNotAncestorError, ResolutionError

    graph = graph_of("labeled_column")
    with pytest.raises(ResolutionError, match=r"History range requires \[start\]:\[end\]"):
        history_revisions(graph, "ae10")
    with pytest.raises(RangeNotAncestorError) as info:
        history_revisions(graph, "ae10:d747")
    assert str(info.value) == "Revision ae1027a6acf is not an ancestor of revision d747a8a8879"


# ------------------------------------------------------------ heads


def test_heads() -> None:
    assert heads_lines(graph_of("branched")) == seed("""
        27c6a30d7c24 (head)
        ae1027a6acf (head)
    """)
    assert heads_lines(graph_of("networking_base")) == seed("""
        3cac04ae8714 (networking) (head)
        27c6a30d7c24 (shoppingcart) (head)
        ae1027a6acf (head)
    """)
    assert heads_lines(graph_of("dependencies")) == seed("""
        2a95102259be (networking) (head)
        27c6a30d7c24 (shoppingcart) (head)
        55af2cb1c267 (effective head)
    """)
    assert heads_lines(graph_of("session_two_heads")) == seed("""
        4ba36561a8c8 (head)
        5b22bdd4981d (head)
    """)


def test_heads_resolving_dependencies_lists_real_heads_only() -> None:
    assert heads_lines(graph_of("dependencies"), resolve_dependencies=True) == seed("""
        2a95102259be (networking) (head)
        27c6a30d7c24 (shoppingcart) (head)
    """)


def test_heads_verbose() -> None:
    assert as_in_docs(heads_lines(graph_of("branched"), verbose=True)) == seed("""
        Rev: 27c6a30d7c24 (head)
        Parent: 1975ea83b712
        Path: foo/versions/27c6a30d7c24_add_shopping_cart_table.py

            add shopping cart table

            Revision ID: 27c6a30d7c24
            Revises: 1975ea83b712
            Create Date: 2014-11-20 13:03:11.436407

        Rev: ae1027a6acf (head)
        Parent: 1975ea83b712
        Path: foo/versions/ae1027a6acf_add_a_column.py

            add a column

            Revision ID: ae1027a6acf
            Revises: 1975ea83b712
            Create Date: 2014-11-20 13:02:54.849677
    """) + [""]
    assert as_in_docs(heads_lines(graph_of("merged"), verbose=True)) == seed("""
        Rev: 53fffde5ad5 (head) (mergepoint)
        Merges: ae1027a6acf, 27c6a30d7c24
        Path: foo/versions/53fffde5ad5_merge_ae1_and_27c.py

            merge ae1 and 27c

            Revision ID: 53fffde5ad5
            Revises: ae1027a6acf, 27c6a30d7c24
            Create Date: 2014-11-20 13:31:50.811663
    """) + [""]


# ------------------------------------------------------------ branches


def test_branches_verbose_tutorial() -> None:
    assert as_in_docs(branches_lines(graph_of("branched"), verbose=True)) == seed("""
        Rev: 1975ea83b712 (branchpoint)
        Parent: <base>
        Branches into: 27c6a30d7c24, ae1027a6acf
        Path: foo/versions/1975ea83b712_add_account_table.py

            create account table

            Revision ID: 1975ea83b712
            Revises:
            Create Date: 2014-11-20 13:02:46.257104

                     -> 27c6a30d7c24 (head), add shopping cart table
                     -> ae1027a6acf (head), add a column
    """) + [""]


def test_branches_verbose_session_layout() -> None:
    """Seed 000's block; its children appear in file order (see the report)."""
    lines = as_in_docs(branches_lines(graph_of("session", SESSION_ROOT), verbose=True))
    assert lines[:10] == seed("""
        Rev: ec2ddccf60aa (branchpoint)
        Parent: 1671375a9017
        Branches into: b00e3d457ada, ffb63a043e68
        Path: /home/skraev/projects/test_migrations/alembic/versions/ec2ddccf60aa_increase_password_length.py

            increase password length

            Revision ID: ec2ddccf60aa
            Revises: 1671375a9017
            Create Date: 2018-02-13 12:35:32.157293
    """)
    assert sorted(lines[11:13]) == [
        "             -> b00e3d457ada (head), create sessions table",
        "             -> ffb63a043e68 (head), add user surname",
    ]
    assert lines[10] == "" and lines[13] == ""


def test_branches_plain() -> None:
    assert branches_lines(graph_of("labeled")) == [
        "1975ea83b712 (branchpoint)",
        "             -> 27c6a30d7c24 (shoppingcart) (head)",
        "             -> ae1027a6acf (head)",
        "",
    ]
    assert branches_lines(build("a\nb <- a")) == []


# ------------------------------------------------------------ show and current


def test_show_a_branch_label() -> None:
    graph = graph_of("labeled")
    assert as_in_docs(show_lines(graph, ["27c6a30d7c24"])) == seed("""
        Rev: 27c6a30d7c24 (head)
        Parent: 1975ea83b712
        Branch names: shoppingcart
        Path: foo/versions/27c6a30d7c24_add_shopping_cart_table.py

            add shopping cart table

            Revision ID: 27c6a30d7c24
            Revises: 1975ea83b712
            Create Date: 2014-11-20 13:03:11.436407
    """) + [""]


def test_current_plain() -> None:
    graph = graph_of("branched")
    assert current_lines(graph, ["ae1027a6acf", "27c6a30d7c24"]) == [
        "ae1027a6acf (head)",
        "27c6a30d7c24 (head)",
    ]
    assert current_lines(graph, ["1975ea83b712"]) == ["1975ea83b712 (branchpoint)"]
    assert current_lines(graph, []) == []
    assert current_lines(graph_of("dependencies_final"), ["2a95102259be", "27c6a30d7c24"]) == [
        "2a95102259be (head)",
        "27c6a30d7c24 (head)",
    ]


def test_current_verbose() -> None:
    graph = graph_of("merged")
    assert as_in_docs(current_lines(graph, ["ae1027a6acf", "27c6a30d7c24"], verbose=True)) == seed("""
        Rev: ae1027a6acf
        Parent: 1975ea83b712
        Path: foo/versions/ae1027a6acf_add_a_column.py

            add a column

            Revision ID: ae1027a6acf
            Revises: 1975ea83b712
            Create Date: 2014-11-20 13:02:54.849677

        Rev: 27c6a30d7c24
        Parent: 1975ea83b712
        Path: foo/versions/27c6a30d7c24_add_shopping_cart_table.py

            add shopping cart table

            Revision ID: 27c6a30d7c24
            Revises: 1975ea83b712
            Create Date: 2014-11-20 13:03:11.436407
    """) + [""]


# ------------------------------------------------------------ pieces


def test_revision_line_parts() -> None:
    graph = graph_of("dependencies")
    assert revision_line(graph, "55af2cb1c267") == "55af2cb1c267 (effective head)"
    assert revision_line(graph, "2a95102259be", include_parents=True) == (
        "29f859a13ea (55af2cb1c267) -> 2a95102259be (head)"
    )
    assert revision_line(graph, "1975ea83b712", tree_indicators=False) == "1975ea83b712"


def test_verbose_block_of_a_dependent_and_of_an_undocumented_revision() -> None:
    graph = graph_of("dependencies")
    block = verbose_block(graph, "2a95102259be")
    assert block[:5] == [
        "Rev: 2a95102259be (head)",
        "Parent: 29f859a13ea",
        "Also depends on: 55af2cb1c267",
        "Branch names: networking",
        "Path: foo/networking/2a95102259be_add_ip_account_table.py",
    ]
    assert verbose_block(graph, "55af2cb1c267")[0] == "Rev: 55af2cb1c267 (head)"
    bare = build("x")
    assert verbose_block(bare, "x") == [
        "Rev: x (head)",
        "Parent: <base>",
        "Path: ",
        "",
        "    rev x",
        "",
    ]
