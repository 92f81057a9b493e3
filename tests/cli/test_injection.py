"""Text that tries to become code or commands, through the real command line.

A revision message closing the docstring it is written into must not run on
``upgrade``; a table name holding a newline and ``::error`` must not put a
GitHub workflow command on a line of its own in the report or the logs.
"""

from __future__ import annotations

import ast
import logging

import pytest
import sqlalchemy as sa

from schemadiff.safe_text import docstring_text, line_safe, safe_log_records, visible
from tests.helpers import make_project

INJECTION = 'x"""; import pathlib; pathlib.Path("pwned").write_text("x"); """'
EVIL_TABLE = "x\n::error file=evil.py::pwned"
COMMAND_TABLE = "::error file=evil.py::also pwned"
TRICKY_MESSAGES = [
    "add account table",
    INJECTION,
    'ends with a quote"',
    'four """" quotes',
    "back\\slash\\",
    "two\nlines\r\nand \x00\x1b[31m controls \u202e",
    "ünï©ødé 50% %(x)s",
]


@pytest.mark.parametrize("message", TRICKY_MESSAGES)
def test_docstring_text_evaluates_to_the_message(message):
    tree = ast.parse(f'"""{docstring_text(message)}"""\nx = 1\n')
    assert len(tree.body) == 2
    assert ast.literal_eval(tree.body[0].value) == message  # type: ignore[attr-defined]


def test_ordinary_text_is_left_alone():
    for text in ("add account table", "it's 50% off", "ünï©ødé", "a - b: c"):
        assert docstring_text(text) == text
        assert visible(text) == text
        assert line_safe(text) == text
    assert visible("a\nb\x1b[0m\u202e") == "a\\nb\\x1b[0m\\u202e"
    assert line_safe("  ::error::x") == "'  ::error::x'"


def test_log_records_of_schemadiff_loggers_spell_out_controls(caplog):
    caplog.set_level(logging.INFO)
    with safe_log_records():
        logging.getLogger("schemadiff.test").info("Detected table '%s'", EVIL_TABLE)
        logging.getLogger("other").info("%s", "a\nb")
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["Detected table 'x\\n::error file=evil.py::pwned'", "a\nb"]


def _no_command_lines(text: str, where: str) -> None:
    for line in text.splitlines():
        assert not line.lstrip().startswith("::"), f"{where}: {line!r}"


def test_revision_message_cannot_inject_code(tmp_path):
    project = make_project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    project.cli("revision", "-m", INJECTION)
    (script,) = project.versions()
    assert ast.get_docstring(ast.parse(script.read_text()), clean=False).startswith(INJECTION)
    project.cli("upgrade", "head")
    assert not (tmp_path / "pwned").exists()
    history = project.cli("history").stdout
    assert INJECTION in history  # read back as written

    project.cli("revision", "-m", "two lines\n::error file=evil.py::pwned")
    verbose = project.cli("history", "-v")
    _no_command_lines(verbose.stdout + verbose.stderr, "history -v")
    assert "\n    '::error file=evil.py::pwned'\n" in verbose.stdout


def test_hostile_table_names_print_no_workflow_command(tmp_path):
    project = make_project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    engine = sa.create_engine(project.url)
    md = sa.MetaData()
    for name in (EVIL_TABLE, COMMAND_TABLE):
        sa.Table(name, md, sa.Column("id", sa.Integer, primary_key=True))
    md.create_all(engine)

    check = project.cli("check", expect=1)
    _no_command_lines(check.stdout + check.stderr, "check")
    assert "x\\n::error file=evil.py::pwned" in check.stdout
    assert f"'{COMMAND_TABLE}'" in check.stdout  # quoted on its own report line

    made = project.cli("revision", "--autogenerate", "-m", "drop them")
    _no_command_lines(made.stdout + made.stderr, "revision --autogenerate")
    assert "Detected removed table 'x\\n::error" in made.stderr
    project.cli("upgrade", "head")
    assert sa.inspect(engine).get_table_names() == ["schemadiff_version"]
    project.cli("downgrade", "-1")
    assert set(sa.inspect(engine).get_table_names()) == {
        EVIL_TABLE,
        COMMAND_TABLE,
        "schemadiff_version",
    }
    engine.dispose()
