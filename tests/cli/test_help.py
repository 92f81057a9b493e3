"""``--help`` explains every argument of every command."""

from __future__ import annotations

import argparse

import pytest

from schemadiff.cli import run
from schemadiff.cli_parser import build_parser


def _parsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    found = {"schemadiff": parser}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.update(action.choices)
    return found


@pytest.mark.parametrize("name", sorted(_parsers()))
def test_every_argument_has_help(name):
    parser = _parsers()[name]
    missing = [
        "/".join(action.option_strings) or action.dest
        for action in parser._actions
        if not isinstance(action, argparse._SubParsersAction)
        and (not action.help or action.help == argparse.SUPPRESS)
    ]
    assert missing == [], f"schemadiff {name}: no help for {', '.join(missing)}"


def test_every_command_has_a_summary():
    (sub,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    described = {choice.dest for choice in sub._choices_actions if choice.help}
    assert described == set(sub.choices)


def test_revision_help_shows_the_descriptions(capsys):
    with pytest.raises(SystemExit) as exit_info:
        run(["revision", "--help"])
    assert exit_info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--splice allow --head to name a revision that is not a head" in text
    assert "--depends-on REV a dependency on another revision (repeatable)" in text
    assert "examples:" in text


def test_upgrade_help_explains_revision_and_tag(capsys):
    with pytest.raises(SystemExit):
        run(["upgrade", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "revision target revision: an id or unique prefix, head, heads, base" in text
    assert "--tag TAG an arbitrary string for env.py" in text
