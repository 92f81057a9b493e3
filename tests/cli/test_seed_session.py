"""The seeds' terminal session (000) and branch tutorial, through the real CLI.

Revision trees come from fixtures/revisions; every asserted line is the
seeds' own text with ``alembic`` read as ``schemadiff``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.helpers import Project, make_project

FIXTURES = Path(__file__).parents[2] / "fixtures" / "revisions"
LOG = re.compile(r"^INFO  \[schemadiff\.runtime\.migration\] (Running .*)$", re.M)


def _project(tmp_path: Path, database, stage: str) -> Project:
    project = make_project(tmp_path, database.url_string)
    versions = tmp_path / "migrations" / "versions"
    shutil.rmtree(versions)
    shutil.copytree(FIXTURES / stage / "versions", versions)
    return project


def _use_stage(project: Project, stage: str) -> None:
    versions = project.root / "migrations" / "versions"
    for path in (FIXTURES / stage / "versions").glob("*.py"):
        if not (versions / path.name).exists():
            shutil.copy(path, versions / path.name)


def _running(proc) -> list[str]:
    return LOG.findall(proc.stderr)


def test_seed_session_branches_merge_upgrade_and_stepwise_downgrade(database, tmp_path):
    if database.backend == "mysql":
        pytest.skip("the seed session ran on PostgreSQL; SQLite and PostgreSQL replay it")
    project = _project(tmp_path, database, "session")

    # trailing blanks as the seed's page shows them (a blank docstring line prints as 4 spaces)
    out = [line.rstrip() for line in project.cli("branches", "--verbose").stdout.splitlines()]
    assert out[0] == "Rev: ec2ddccf60aa (branchpoint)"
    assert out[1] == "Parent: 1671375a9017"
    assert out[2].startswith("Branches into: ")
    assert set(out[2][len("Branches into: ") :].split(", ")) == {"ffb63a043e68", "b00e3d457ada"}
    assert out[3].startswith("Path: ") and out[3].endswith(
        "ec2ddccf60aa_increase_password_length.py"
    )
    assert out[4:10] == [
        "",
        "    increase password length",
        "",
        "    Revision ID: ec2ddccf60aa",
        "    Revises: 1671375a9017",
        "    Create Date: 2018-02-13 12:35:32.157293",
    ]
    assert set(out[11:13]) == {
        "             -> ffb63a043e68 (head), add user surname",
        "             -> b00e3d457ada (head), create sessions table",
    }

    proc = project.cli("merge", "ffb63a043e68", "b00e3d457ada", "--rev-id", "5b22bdd4981d")
    generated = tmp_path / "migrations" / "versions" / "5b22bdd4981d_.py"
    assert proc.stdout.strip() == f"Generating {generated} ... done"
    assert generated.exists()

    history = project.cli("history").stdout.splitlines()
    assert (
        history[0]
        == "ffb63a043e68, b00e3d457ada -> 5b22bdd4981d (head) (mergepoint), empty message"
    )
    assert set(history[1:3]) == {
        "ec2ddccf60aa -> ffb63a043e68, add user surname",
        "ec2ddccf60aa -> b00e3d457ada, create sessions table",
    }
    assert history[3:] == [
        "1671375a9017 -> ec2ddccf60aa (branchpoint), increase password length",
        "<base> -> 1671375a9017, initial migration",
    ]

    project.cli("upgrade", "ffb63a043e68")
    assert _running(project.cli("upgrade", "head")) == [
        "Running upgrade ec2ddccf60aa -> b00e3d457ada, create sessions table",
        "Running upgrade ffb63a043e68, b00e3d457ada -> 5b22bdd4981d, empty message",
    ]
    steps = [_running(project.cli("downgrade", "-1")) for _ in range(5)]
    assert steps == [
        ["Running downgrade 5b22bdd4981d -> ffb63a043e68, b00e3d457ada, empty message"],
        ["Running downgrade ffb63a043e68 -> ec2ddccf60aa, add user surname"],
        ["Running downgrade b00e3d457ada -> ec2ddccf60aa, create sessions table"],
        ["Running downgrade ec2ddccf60aa -> 1671375a9017, increase password length"],
        ["Running downgrade 1671375a9017 -> , initial migration"],
    ]
    assert project.cli("current").stdout.strip() == ""

    # the session's second part: another head appears and is merged in
    _use_stage(project, "session_two_heads")
    assert project.cli("heads").stdout.splitlines() == [
        "4ba36561a8c8 (head)",
        "5b22bdd4981d (head)",
    ]
    project.cli("merge", "4ba36561a8c8", "5b22bdd4981d", "--rev-id", "5b56dea28659")
    project.cli("upgrade", "ec2ddccf60aa")
    assert _running(project.cli("upgrade", "head")) == [
        "Running upgrade ec2ddccf60aa -> b00e3d457ada, create sessions table",
        "Running upgrade ec2ddccf60aa -> ffb63a043e68, add user surname",
        "Running upgrade ffb63a043e68, b00e3d457ada -> 5b22bdd4981d, empty message",
        "Running upgrade ec2ddccf60aa -> 4ba36561a8c8, add user phone",
        "Running upgrade 4ba36561a8c8, 5b22bdd4981d -> 5b56dea28659, empty message",
    ]


def test_multiple_heads_errors_and_labels(database, tmp_path):
    if database.backend != "sqlite":
        pytest.skip("graph behaviour; one backend is enough")
    project = _project(tmp_path, database, "labeled")
    proc = project.cli("upgrade", "head", expect=2)
    assert proc.stderr.splitlines()[-1] == (
        "FAILED: Multiple head revisions are present for given argument 'head'; please specify "
        "a specific target revision, '<branchname>@head' to narrow to a specific head, or "
        "'heads' for all heads"
    )
    proc = project.cli("revision", "-m", "add a shopping cart column", expect=2)
    assert proc.stderr.splitlines()[-1] == (
        "FAILED: Multiple heads are present; please specify the head revision on which the new "
        "revision should be based, or perform a merge."
    )
    proc = project.cli("revision", "-m", "x", "--head", "1975ea83b712", expect=2)
    assert proc.stderr.splitlines()[-1] == (
        "FAILED: Revision 1975ea83b712 is not a head revision; please specify --splice to "
        "create a new branch from this revision"
    )
    assert _running(project.cli("upgrade", "shoppingcart@head")) == [
        "Running upgrade  -> 1975ea83b712, create account table",
        "Running upgrade 1975ea83b712 -> 27c6a30d7c24, add shopping cart table",
    ]
    show = project.cli("show", "shoppingcart").stdout.splitlines()
    assert show[:3] == [
        "Rev: 27c6a30d7c24 (head)",
        "Parent: 1975ea83b712",
        "Branch names: shoppingcart",
    ]
    proc = project.cli(
        "revision",
        "-m",
        "add a shopping cart column",
        "--head",
        "shoppingcart@head",
        "--rev-id",
        "d747a8a8879",
    )
    assert "d747a8a8879_add_a_shopping_cart_column.py ... done" in proc.stdout
    assert project.cli("history", "-r", "shoppingcart:").stdout.splitlines() == [
        "27c6a30d7c24 -> d747a8a8879 (shoppingcart) (head), add a shopping cart column",
        "1975ea83b712 -> 27c6a30d7c24 (shoppingcart), add shopping cart table",
    ]
    proc = project.cli("upgrade", "ae1", expect=0)
    assert _running(proc) == ["Running upgrade 1975ea83b712 -> ae1027a6acf, add a column"]
    assert sorted(project.cli("current").stdout.splitlines()) == [
        "27c6a30d7c24",
        "ae1027a6acf (head)",
    ]


def test_stamp_moves_the_version_table_without_running(database, tmp_path):
    if database.backend == "mysql":
        pytest.skip("version-table moves; SQLite and PostgreSQL cover them")
    project = _project(tmp_path, database, "branched")
    proc = project.cli("stamp", "heads")
    assert sorted(_running(proc)) == [
        "Running stamp_revision  -> 27c6a30d7c24",
        "Running stamp_revision  -> ae1027a6acf",
    ]

    assert sorted(project.cli("current").stdout.splitlines()) == [
        "27c6a30d7c24 (head)",
        "ae1027a6acf (head)",
    ]
    project.cli("stamp", "--purge", "1975ea83b712")
    assert project.cli("current").stdout.splitlines() == ["1975ea83b712 (branchpoint)"]
    project.cli("stamp", "base")
    assert project.cli("current").stdout.strip() == ""
    sql = project.cli("stamp", "1975ea83b712", "--sql").stdout
    assert "INSERT INTO schemadiff_version (version_num) VALUES ('1975ea83b712');" in sql


def _with_networking(project: Project) -> Path:
    ini = project.ini
    text = ini.read_text()
    networking = project.root / "model" / "networking"
    versions = project.root / "migrations" / "versions"
    ini.write_text(
        text.replace(
            "# version_locations = %(here)s/bar %(here)s/bat migrations/versions",
            f"version_locations = {networking} {versions}",
        )
    )
    assert f"version_locations = {networking}" in ini.read_text()
    return networking


def test_networking_base_with_its_own_version_path(database, tmp_path):
    if database.backend != "sqlite":
        pytest.skip("graph and files; one backend is enough")
    project = _project(tmp_path, database, "labeled")
    networking = _with_networking(project)
    proc = project.cli(
        "revision",
        "-m",
        "create networking branch",
        "--head=base",
        "--branch-label=networking",
        f"--version-path={networking}",
        "--rev-id",
        "3cac04ae8714",
    )
    assert proc.stdout.splitlines() == [
        f"  Creating directory {networking} ... done",
        f"  Generating {networking / '3cac04ae8714_create_networking_branch.py'} ... done",
    ]
    assert project.cli("heads").stdout.splitlines() == [
        "3cac04ae8714 (networking) (head)",
        "27c6a30d7c24 (shoppingcart) (head)",
        "ae1027a6acf (head)",
    ]
    proc = project.cli(
        "revision",
        "-m",
        "add ip number table",
        "--head=networking@head",
        "--rev-id",
        "109ec7d132bf",
    )
    assert (networking / "109ec7d132bf_add_ip_number_table.py").exists()
    proc = project.cli("revision", "-m", "add DNS table", "--head=networking", expect=2)
    assert proc.stderr.splitlines()[-1] == (
        "FAILED: Revision 3cac04ae8714 is not a head revision; please specify --splice to "
        "create a new branch from this revision"
    )
    assert _running(project.cli("upgrade", "networking@head")) == [
        "Running upgrade  -> 3cac04ae8714, create networking branch",
        "Running upgrade 3cac04ae8714 -> 109ec7d132bf, add ip number table",
    ]
    assert project.cli("history", "-r", "networking@base:").stdout.splitlines() == [
        "3cac04ae8714 -> 109ec7d132bf (networking) (head), add ip number table",
        "<base> -> 3cac04ae8714 (networking), create networking branch",
    ]


def test_depends_on_and_the_effective_head(database, tmp_path):
    if database.backend == "mysql":
        pytest.skip("version-table rows; SQLite and PostgreSQL cover them")
    project = _project(tmp_path, database, "dependencies")
    shutil.copytree(FIXTURES / "dependencies" / "networking", tmp_path / "model" / "networking")
    _with_networking(project)
    assert project.cli("heads").stdout.splitlines() == [
        "2a95102259be (networking) (head)",
        "27c6a30d7c24 (shoppingcart) (head)",
        "55af2cb1c267 (effective head)",
    ]
    assert project.cli("history", "-r", ":networking@head").stdout.splitlines()[0] == (
        "29f859a13ea (55af2cb1c267) -> 2a95102259be (networking) (head), add ip account table"
    )
    project.cli("upgrade", "heads")
    assert sorted(project.cli("current").stdout.splitlines()) == [
        "27c6a30d7c24 (head)",
        "2a95102259be (head)",
    ]


def test_old_template_without_branch_labels_is_named(tmp_path):
    from tests.helpers import make_project

    project = make_project(tmp_path, "sqlite:///unused.db")
    template = tmp_path / "migrations" / "script.py.mako"
    template.write_text(
        "\n".join(line for line in template.read_text().splitlines() if "branch_labels" not in line)
    )
    proc = project.cli(
        "revision",
        "-m",
        "create networking branch",
        "--branch-label",
        "networking",
        "--rev-id",
        "3cac04ae8714",
        expect=2,
    )
    path = tmp_path / "migrations" / "versions" / "3cac04ae8714_create_networking_branch.py"
    assert proc.stderr.splitlines()[-1] == (
        "FAILED: Version 3cac04ae8714 specified branch_labels networking, however the migration "
        f"file {path} does not have them; have you upgraded your script.py.mako to include the "
        "'branch_labels' section?"
    )
