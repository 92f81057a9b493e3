"""``schemadiff check`` through the real command line: formats, files, exit codes."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import sqlalchemy as sa

from schemadiff import commands
from tests.helpers import make_project

SARIF_SCHEMA = Path(__file__).parents[2] / "fixtures" / "sarif-schema-2.1.0.json"
REPO = Path(__file__).parents[2]

MODELS = """\
import sqlalchemy as sa

metadata = sa.MetaData()

account = sa.Table(
    "account",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
)
"""


@pytest.fixture
def project(tmp_path):
    project = make_project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    project.write_models(MODELS)
    return project


def test_drift_in_every_format_exits_1_and_names_the_model_line(project):
    table_line = MODELS.splitlines().index("account = sa.Table(") + 1

    proc = project.cli("check", "--format", "github", expect=1)
    # an added table is harmless to apply: a notice, not an error
    assert f"::notice file=models.py,line={table_line},title=" in proc.stdout

    proc = project.cli("check", "--format", "sarif", "--output", "report.sarif", expect=1)
    assert proc.stdout == ""
    log = json.loads((project.root / "report.sarif").read_text())
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text())).validate(log)
    (result,) = log["runs"][0]["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert result["ruleId"] == "add_table" and region == {"startLine": table_line}

    proc = project.cli("check", expect=1)
    assert proc.stdout.splitlines()[0].startswith("Schema drift detected: 1 difference between")
    assert f"add_table: added table 'account' (models.py:{table_line})" in proc.stdout


def test_junit_and_markdown_drift_reports(project):
    namespace: dict = {}
    exec(MODELS, namespace)  # in-process, so the model has no file to point at
    config = project.config(namespace["metadata"])
    assert commands.check(config, format="junit") is True
    (case,) = ET.fromstring(config.stdout.getvalue()).iter("testcase")
    assert case.find("failure") is not None and case.get("name") == "add_table: account"
    config = project.config(namespace["metadata"])
    assert commands.check(config, format="markdown") is True
    assert "| `account` | `add_table` | added table 'account' |" in config.stdout.getvalue()


def test_in_sync_reports_in_every_format(project):
    # in-process: the same command function the CLI calls, without a process each
    for fmt in ("text", "json", "markdown", "junit", "github", "sarif"):
        config = project.config(sa.MetaData())
        assert commands.check(config, format=fmt) is False
        assert config.stdout.getvalue().strip(), fmt
    project.write_models("import sqlalchemy as sa\nmetadata = sa.MetaData()\n")
    assert json.loads(project.cli("check", "--format", "json", expect=0).stdout)["drift"] is False


def test_unknown_format_and_broken_env_exit_2(project):
    proc = project.cli("check", "--format", "yaml", expect=2)
    assert re.search(r"FAILED: Unknown report format 'yaml'; expected one of .*sarif", proc.stderr)
    (project.root / "models.py").write_text("raise RuntimeError('models are broken')\n")
    proc = project.cli("check", "--format", "sarif", expect=2)
    assert "FAILED: models are broken" in proc.stderr and proc.stdout == ""


def test_pre_commit_hook_runs_schemadiff_check(project):
    manifest = (REPO / ".pre-commit-hooks.yaml").read_text()
    # one block per hook; the first is the plain check
    block = re.split(r"^(?=- id:)", manifest, flags=re.M)[1]
    hook = dict(re.findall(r"^\s*-?\s*(id|entry|language|pass_filenames):\s*(.+)$", block, re.M))
    assert hook == {
        "id": "schemadiff-check",
        "entry": "schemadiff check",
        "language": "python",
        "pass_filenames": "false",
    }
    # pre-commit runs the entry from the repository root; drift fails the hook
    args = hook["entry"].split()[1:]
    assert project.cli(*args, expect=1).stdout.startswith("Schema drift detected")
    readme = (REPO / "README.md").read_text()
    assert "id: schemadiff-check" in readme


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_text_on_a_terminal_is_a_table(project):
    md = sa.MetaData()
    sa.Table("account", md, sa.Column("id", sa.Integer, primary_key=True))
    config = project.config(md)
    config.stdout = _Terminal()
    assert commands.check(config) is True
    text = re.sub(r"\x1b\[[0-9;]*m", "", config.stdout.getvalue())
    assert "Schema drift detected: 1 difference" in text
    assert "Model source" in text and "added table 'account'" in text
    assert "┃" in text or "│" in text  # drawn as a table, not the plain lines


def test_paths_are_repository_paths_in_github_actions(project, monkeypatch):
    # run from a sub-directory of the workspace, as a monorepo job would
    monkeypatch.setenv("GITHUB_WORKSPACE", str(project.root.parent))
    monkeypatch.chdir(project.root)
    md = sa.MetaData()  # built here, so the report falls back to env.py's line
    config = project.config(md)
    engine = sa.create_engine(project.url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE stale (id INTEGER NOT NULL PRIMARY KEY)")
    engine.dispose()
    assert commands.check(config, format="github") is True
    env_line = (project.root / "migrations" / "env.py").read_text().splitlines()
    line = next(i for i, text in enumerate(env_line, 1) if text.startswith("target_metadata ="))
    assert f"::error file={project.root.name}/migrations/env.py,line={line}," in (
        config.stdout.getvalue()
    )
