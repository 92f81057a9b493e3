"""Configuration and command-line conventions."""

from __future__ import annotations

import argparse
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from schemadiff.cli_parser import EXAMPLES, build_parser
from tests.cli.test_templates import run


def _init(tmp_path: Path) -> Path:
    run(tmp_path, "init", "migrations")
    return tmp_path


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_every_command_has_help_with_examples(tmp_path, name):
    proc = run(tmp_path, name, "--help")
    assert "examples:" in proc.stdout
    assert f"  schemadiff {EXAMPLES[name][0]}" in proc.stdout


def test_every_command_is_documented_with_examples():
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(sub.choices) == set(EXAMPLES)


def test_version(tmp_path):
    assert run(tmp_path, "--version").stdout.startswith("schemadiff ")


def test_misspelt_option_is_named(tmp_path):
    _init(tmp_path)
    ini = tmp_path / "schemadiff.ini"
    ini.write_text(ini.read_text().replace("# sourceless = false", "sourcless = true"))
    proc = run(tmp_path, "history", expect=2)
    assert proc.stderr.strip() == (
        "FAILED: Unknown option 'sourcless' in [schemadiff]; did you mean 'sourceless'?"
    )


def test_application_options_in_the_ini_are_allowed(tmp_path):
    _init(tmp_path)
    ini = tmp_path / "schemadiff.ini"
    ini.write_text(
        ini.read_text().replace(
            "[post_write_hooks]", "my_important_option = 1\n\n[post_write_hooks]"
        )
    )
    run(tmp_path, "history")


def test_malformed_values_are_named(tmp_path):
    _init(tmp_path)
    ini = tmp_path / "schemadiff.ini"
    ini.write_text(
        ini.read_text().replace("# truncate_slug_length = 40", "truncate_slug_length = forty")
    )
    proc = run(tmp_path, "history", expect=2)
    assert "'truncate_slug_length' must be a whole number, not 'forty'" in proc.stderr


def test_unknown_pyproject_key_is_named(tmp_path):
    run(tmp_path, "init", "-t", "pyproject", "migrations")
    toml = tmp_path / "pyproject.toml"
    toml.write_text(toml.read_text() + '\nscript_dir = "x"\n')
    proc = run(tmp_path, "history", expect=2)
    assert proc.stderr.startswith("FAILED: Unknown option 'script_dir' in [tool.schemadiff]")


def test_config_flag_section_flag_and_environment_variable(tmp_path):
    _init(tmp_path)
    other = tmp_path / "elsewhere.ini"
    text = (tmp_path / "schemadiff.ini").read_text()
    other.write_text(text.replace("[schemadiff]", "[alt]"))
    (tmp_path / "schemadiff.ini").unlink()
    assert run(tmp_path, "history", expect=2).stderr.startswith("FAILED: ")
    run(tmp_path, "-c", str(other), "-n", "alt", "revision", "-m", "first")
    assert "first" in run(tmp_path, "-c", str(other), "-n", "alt", "history").stdout
    env = {**os.environ, "SCHEMADIFF_CONFIG": str(other)}
    proc = subprocess.run(
        [sys.executable, "-m", "schemadiff", "-n", "alt", "history"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0 and "first" in proc.stdout


def test_x_arguments_reach_env_py(tmp_path):
    _init(tmp_path)
    env_py = tmp_path / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text().replace(
            "if context.is_offline_mode():",
            "print('X:', sorted(context.get_x_argument(as_dictionary=True).items()))\n"
            "if context.is_offline_mode():",
        )
    )
    proc = run(tmp_path, "-x", "tenant=acme", "-x", "dry", "current")
    assert "X: [('dry', ''), ('tenant', 'acme')]" in proc.stdout


def test_edit_opens_the_revision_in_the_editor(tmp_path):
    _init(tmp_path)
    run(tmp_path, "revision", "-m", "first", "--rev-id", "aaaa11112222")
    editor = tmp_path / "fake-editor"
    editor.write_text(f'#!/bin/sh\necho "$1" > {tmp_path / "edited.txt"}\n')
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "EDITOR": str(editor)}
    proc = subprocess.run(
        [sys.executable, "-m", "schemadiff", "edit", "aaaa"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "edited.txt").read_text().strip().endswith("aaaa11112222_first.py")


def test_configure_rejects_unknown_options(tmp_path):
    _init(tmp_path)
    env_py = tmp_path / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text().replace(
            "context.configure(connection=connection, target_metadata=target_metadata)",
            "context.configure(connection=connection, target_metadata=target_metadata, compare_typ=True)",
        )
    )
    proc = run(tmp_path, "current", expect=2)
    assert "FAILED: context.configure() got unknown option(s): compare_typ" in proc.stderr


def _set(tmp_path: Path, old: str, new: str) -> None:
    ini = tmp_path / "schemadiff.ini"
    text = ini.read_text()
    assert old in text, old
    ini.write_text(text.replace(old, new))


def test_file_template_tokens_and_slug_length(tmp_path):
    _init(tmp_path)
    _set(
        tmp_path,
        "# file_template = %%(rev)s_%%(slug)s",
        "file_template = %%(year)d%%(month).2d_%%(rev)s_%%(slug)s",
    )
    _set(tmp_path, "# truncate_slug_length = 40", "truncate_slug_length = 10")
    run(tmp_path, "revision", "-m", "add a rather long message here", "--rev-id", "abc123")
    (path,) = (tmp_path / "migrations" / "versions").glob("*.py")
    assert re.fullmatch(r"\d{6}_abc123_add_a_rat_\.py|\d{6}_abc123_add_a_\.py", path.name), (
        path.name
    )


def test_timezone_and_output_encoding(tmp_path):
    _init(tmp_path)
    _set(tmp_path, "# output_encoding = utf-8", "output_encoding = latin-1\ntimezone = Asia/Tokyo")
    run(tmp_path, "revision", "-m", "café", "--rev-id", "abc123")
    (path,) = (tmp_path / "migrations" / "versions").glob("*.py")
    raw = path.read_bytes()
    assert "café".encode("latin-1") in raw
    assert b"+09:00" in raw  # Create Date carries the configured zone


def test_revision_environment_runs_env_py(tmp_path):
    _init(tmp_path)
    env_py = tmp_path / "migrations" / "env.py"
    env_py.write_text("print('ENV RAN')\n" + env_py.read_text())
    run(tmp_path, "revision", "-m", "quiet")
    assert "ENV RAN" not in run(tmp_path, "revision", "-m", "again", "--head", "head").stdout
    _set(tmp_path, "# revision_environment = false", "revision_environment = true")
    assert "ENV RAN" in run(tmp_path, "revision", "-m", "third").stdout


def test_version_locations_with_a_path_separator(tmp_path):
    _init(tmp_path)
    (tmp_path / "other").mkdir()
    _set(
        tmp_path,
        "# version_locations = %(here)s/bar %(here)s/bat migrations/versions",
        "path_separator = ;\nversion_locations = %(here)s/other;%(here)s/migrations/versions",
    )
    run(
        tmp_path,
        "revision",
        "-m",
        "base one",
        "--rev-id",
        "aaa111",
        "--version-path",
        str(tmp_path / "other"),
    )
    assert (tmp_path / "other" / "aaa111_base_one.py").exists()
    run(tmp_path, "revision", "-m", "next", "--rev-id", "bbb222")
    # a new revision goes beside its parent
    assert (tmp_path / "other" / "bbb222_next.py").exists()
    assert "aaa111 -> bbb222 (head), next" in run(tmp_path, "history").stdout


def test_recursive_version_locations(tmp_path):
    _init(tmp_path)
    nested = tmp_path / "migrations" / "versions" / "2026"
    nested.mkdir()
    run(tmp_path, "revision", "-m", "first", "--rev-id", "aaa111")
    (tmp_path / "migrations" / "versions" / "aaa111_first.py").rename(nested / "aaa111_first.py")
    assert run(tmp_path, "history").stdout.strip() == ""
    _set(tmp_path, "# sourceless = false", "recursive_version_locations = true")
    assert run(tmp_path, "history").stdout.strip() == "<base> -> aaa111 (head), first"


def test_quiet_silences_the_log(tmp_path):
    _init(tmp_path)
    run(tmp_path, "revision", "-m", "first")
    assert "Running upgrade" in run(tmp_path, "upgrade", "head").stderr
    run(tmp_path, "downgrade", "base")
    assert run(tmp_path, "-q", "upgrade", "head").stderr == ""


def test_env_py_can_ask_for_the_head_revision(tmp_path):
    _init(tmp_path)
    run(tmp_path, "revision", "-m", "first", "--rev-id", "aaa111")
    env_py = tmp_path / "migrations" / "env.py"
    env_py.write_text(
        env_py.read_text().replace(
            "if context.is_offline_mode():",
            "print('HEAD:', context.get_head_revision())\nif context.is_offline_mode():",
        )
    )
    assert "HEAD: aaa111" in run(tmp_path, "current").stdout
