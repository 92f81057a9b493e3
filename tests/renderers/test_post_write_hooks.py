"""Black by default; ``[post_write_hooks]`` replaces or disables it; template errors."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from schemadiff.errors import ScriptError
from schemadiff.scriptdir import ScriptDirectory

TEMPLATES = Path(__file__).parents[2] / "schemadiff" / "templates"
BODY = "op.add_column('t', sa.Column('x', sa.Integer(), nullable=True))"


def _write(tmp_path: Path, hooks: dict[str, str] | None, template: str | None = None) -> Path:
    root = tmp_path / "migrations"
    (root / "versions").mkdir(parents=True, exist_ok=True)
    source = template or (TEMPLATES / "generic" / "script.py.mako").read_text()
    (root / "script.py.mako").write_text(source)
    return ScriptDirectory(root, hooks=hooks).write_revision(
        "1975ea83b712", "hooks", down_revision=None, upgrades=BODY
    )


def test_black_formats_by_default(tmp_path):
    text = _write(tmp_path, None).read_text()
    assert 'op.add_column("t", sa.Column("x", sa.Integer(), nullable=True))' in text


def test_an_empty_hook_list_turns_formatting_off(tmp_path):
    assert BODY in _write(tmp_path, {"hooks": ""}).read_text()


def test_black_hook_takes_options(tmp_path):
    text = _write(
        tmp_path, {"hooks": "black", "black.type": "black", "black.line_length": "40"}
    ).read_text()
    assert '    op.add_column(\n        "t",' in text


def test_ruff_hook(tmp_path):
    text = _write(tmp_path, {"hooks": "ruff", "ruff.type": "ruff"}).read_text()
    assert 'op.add_column("t", sa.Column("x", sa.Integer(), nullable=True))' in text


def test_module_and_console_scripts_hooks(tmp_path):
    hooks = {
        "hooks": "fmt, again",
        "fmt.type": "module",
        "fmt.module": "black",
        "fmt.options": "-q REVISION_SCRIPT_FILENAME",
        "again.type": "console_scripts",
        "again.entrypoint": "black",
        "again.options": "-q -l 40 REVISION_SCRIPT_FILENAME",
    }
    text = _write(tmp_path, hooks).read_text()
    assert '    op.add_column(\n        "t",' in text


def test_exec_hook_runs_a_program_on_the_file(tmp_path):
    mark = "import sys; open(sys.argv[1], 'a').write('# checked\\n')"
    hooks = {
        "hooks": "mark",
        "mark.type": "exec",
        "mark.executable": sys.executable,
        "mark.options": f'-c "{mark}" REVISION_SCRIPT_FILENAME',
    }
    assert _write(tmp_path, hooks).read_text().endswith("# checked\n")


def test_failing_or_unknown_hooks_are_named(tmp_path):
    failing = {
        "hooks": "bad",
        "bad.type": "exec",
        "bad.executable": sys.executable,
        "bad.options": "-c 'raise SystemExit(3)'",
    }
    with pytest.raises(ScriptError, match=r"failed on .*hooks\.py \(exit 3\)"):
        _write(tmp_path / "a", failing)
    with pytest.raises(ScriptError, match="hook 'x' has unknown type 'prettier'"):
        _write(tmp_path / "b", {"hooks": "x", "x.type": "prettier"})


def test_a_broken_template_is_named_with_its_line(tmp_path):
    syntax = "line one\nline two\n${oops(\n"
    with pytest.raises(ScriptError, match=r"Template .*script\.py\.mako, line 3 is invalid"):
        _write(tmp_path / "a", None, syntax)
    runtime = '"""${message}"""\n\n${undefined_name.attribute}\n'
    with pytest.raises(ScriptError, match=r"Template .*script\.py\.mako, line 3 failed to render"):
        _write(tmp_path / "b", None, runtime)


BLACK_PROJECT = """\
[tool.black]
line-length = 60
skip-string-normalization = true
"""

WIDE_MODEL = """
import sqlalchemy as sa
metadata = sa.MetaData()
sa.Table("account_with_a_long_name", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("display_name_of_the_account", sa.String(120), nullable=False),
    sa.Column("created_at", sa.DateTime, server_default=sa.text("CURRENT_TIMESTAMP")))
"""


def test_black_uses_the_projects_own_black_settings(tmp_path):
    """``[tool.black]`` found from the revision file's folder, as ``black`` itself finds it."""
    import subprocess

    from tests.cli.test_templates import _point_env_at_models, run

    (tmp_path / "pyproject.toml").write_text(BLACK_PROJECT)
    run(tmp_path, "init", "migrations")
    _point_env_at_models(tmp_path)
    (tmp_path / "models.py").write_text(WIDE_MODEL)
    run(tmp_path, "revision", "--autogenerate", "-m", "create the account table")
    (script,) = (tmp_path / "migrations" / "versions").glob("*.py")
    text = script.read_text()
    assert "'account_with_a_long_name'" in text  # string normalization skipped
    proc = subprocess.run(
        [sys.executable, "-m", "black", "--check", str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr + text
    code = text[text.index("def upgrade") :]
    statements = [line for line in code.splitlines() if not line.lstrip().startswith("#")]
    assert max(len(line) for line in statements) <= 60, text


def test_a_hook_line_length_wins_over_the_project_file(tmp_path):
    (tmp_path / "pyproject.toml").write_text(BLACK_PROJECT)
    text = _write(
        tmp_path, {"hooks": "black", "black.type": "black", "black.line_length": "100"}
    ).read_text()
    assert "op.add_column('t', sa.Column('x', sa.Integer(), nullable=True))" in text
