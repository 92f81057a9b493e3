"""``schemadiff lint``: pending and explicit ranges, formats, exit codes, and no writes.

The database is compared before and after every lint run (the tables and
columns it has, its version table rows and, on SQLite, the file's bytes):
lint reads the version table and nothing else, and ``-r base:head`` does
not even need a reachable server.
"""

from __future__ import annotations

import hashlib
import json
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import sqlalchemy as sa

from schemadiff import command
from tests.hazards.support import Site
from tests.operations.support import rows

SARIF_SCHEMA = Path(__file__).parents[2] / "fixtures" / "sarif-schema-2.1.0.json"

CREATE = """\
op.create_table(
    "account",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50)),
    sa.Column("legacy", sa.String(20)),
)
op.create_index("ix_account_name", "account", ["name"])
"""
RISKY = """\
op.drop_column("account", "legacy")
op.create_index("ix_account_id_name", "account", ["id", "name"])
op.execute("UPDATE account SET name = 'x'")
with op.batch_alter_table("account") as batch_op:
    batch_op.add_column(sa.Column("email", sa.String(50), nullable=False))
"""


def write_script(site: Site, rev: str, down: str | None, body: str) -> Path:
    path = site.project.root / "migrations" / "versions" / f"{rev}_step.py"
    path.write_text(
        f'"""{rev}\n\nRevision ID: {rev}\nRevises: {down or ""}\nCreate Date: 2026-01-01\n\n"""\n'
        "import sqlalchemy as sa\n\nfrom schemadiff import op\n\n"
        f"revision = {rev!r}\ndown_revision = {down!r}\nbranch_labels = None\n"
        "depends_on = None\n\n\ndef upgrade():\n"
        + textwrap.indent(body, "    ")
        + "\n\ndef downgrade():\n    pass\n"
    )
    return path


def state(site: Site) -> Any:
    """What the database holds, to prove lint wrote nothing."""
    inspector = sa.inspect(site.engine)
    tables = {
        t: [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(t)]
        for t in inspector.get_table_names()
    }
    versions = rows(site.engine, "SELECT version_num FROM schemadiff_version")
    if site.backend == "sqlite":
        db = Path(site.engine.url.database or "")
        return tables, versions, hashlib.sha256(db.read_bytes()).hexdigest()
    return tables, versions


@pytest.fixture
def staged(site: Site) -> Site:
    """Revision a1 applied, a2 pending."""
    write_script(site, "a1", None, CREATE)
    write_script(site, "a2", "a1", RISKY)
    command.upgrade(site.project.config(sa.MetaData()), "a1")
    with site.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO account (id, name, legacy) VALUES (1, 'a', 'b')")
    return site


def test_lint_reports_only_what_the_database_has_not_applied(staged: Site):
    before = state(staged)
    proc = staged.project.cli("lint", "--format", "json", expect=1)
    data = json.loads(proc.stdout)
    assert data["hazards"] is True and data["revisions"] == ["a2"]
    assert data["backend"] == staged.engine.dialect.name
    found = {(f["kind"], f["name"]): {h["kind"] for h in f["hazards"]} for f in data["findings"]}
    assert found[("remove_column", "legacy")] == {"deletes_data"}
    assert found[("execute", None)] == {"unchecked"}
    if staged.backend == "mysql":  # MariaDB gives existing rows '' and adds it instantly
        assert ("add_column", "email") not in found
    else:
        assert "may_fail" in found[("add_column", "email")]  # offline: rows are possible
    expected_index = set() if staged.backend == "mysql" else {"blocks_writes"}
    assert found.get(("add_index", "ix_account_id_name"), set()) == expected_index
    lines = {f["kind"]: f["location"]["line"] for f in data["findings"]}
    script = (staged.project.root / "migrations" / "versions" / "a2_step.py").read_text()
    assert "drop_column" in script.splitlines()[lines["remove_column"] - 1]
    if "add_column" in lines:
        assert "batch_op.add_column" in script.splitlines()[lines["add_column"] - 1]
    assert all(f["location"]["file"] == "migrations/versions/a2_step.py" for f in data["findings"])
    assert state(staged) == before


def test_lint_of_an_applied_range_and_of_everything(staged: Site):
    before = state(staged)
    clean = staged.project.cli("lint", "-r", "base:a1", expect=0)
    assert clean.stdout.startswith("No hazards in 1 revision script")
    every = staged.project.cli("lint", "-r", "base:head", "--format", "json", expect=1)
    assert json.loads(every.stdout)["revisions"] == ["a1", "a2"]
    text = staged.project.cli("lint", "-r", "base:head", expect=1).stdout
    assert "HAZARD deletes_data: drops column 'account.legacy'" in text
    assert state(staged) == before


def test_nothing_pending_is_clean(staged: Site):
    # (upgrading would fail: a2 adds a NOT NULL column to a table with rows,
    # the very may_fail lint reports)
    command.stamp(staged.project.config(sa.MetaData()), "head")
    proc = staged.project.cli("lint", expect=0)
    assert proc.stdout.strip() == "No revision scripts to lint."


def test_a_range_needs_no_database_but_the_default_does(site: Site, tmp_path: Path):
    if site.backend != "postgresql":
        pytest.skip("one backend is enough to prove no connection is made")
    write_script(site, "a1", None, CREATE)
    write_script(site, "a2", "a1", RISKY)
    ini = site.project.ini
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    ini.write_text(
        "\n".join(
            f"sqlalchemy.url = {unreachable}" if line.startswith("sqlalchemy.url") else line
            for line in ini.read_text().splitlines()
        )
    )
    proc = site.project.cli("lint", "-r", "base:head", expect=1)
    assert "blocks_writes" in proc.stdout  # PostgreSQL's rules, from the URL alone
    failed = site.project.cli("lint", expect=2)
    assert "FAILED:" in failed.stderr and "Traceback" not in failed.stderr


def test_lint_sarif_validates_and_github_levels_follow_hazards(staged: Site):
    sarif = json.loads(staged.project.cli("lint", "--format", "sarif", expect=1).stdout)
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(sarif)
    levels = {(r["ruleId"], r["level"]) for r in sarif["runs"][0]["results"]}
    assert ("deletes_data", "error") in levels and ("unchecked", "warning") in levels
    github = staged.project.cli("lint", "--format", "github", expect=1).stdout
    assert "::error file=migrations/versions/a2_step.py,line=" in github
    assert "::warning file=migrations/versions/a2_step.py,line=" in github


def test_bad_input_is_a_failed_message(staged: Site):
    for args in (["lint", "-r", "nosuch:head"], ["lint", "--format", "xml"]):
        proc = staged.project.cli(*args, expect=2)
        assert "FAILED:" in proc.stderr and "Traceback" not in proc.stderr


def test_a_script_that_reads_the_database_is_unchecked_not_run(staged: Site):
    write_script(
        staged,
        "a3",
        "a2",
        'conn = op.get_bind()\nfor row in conn.execute(sa.text("SELECT id FROM account")):\n'
        '    op.execute(f"DELETE FROM account WHERE id = {row[0]}")\n',
    )
    before = state(staged)
    data = json.loads(
        staged.project.cli("lint", "-r", "a2:head", "--format", "json", expect=1).stdout
    )
    kinds = [(f["revision"], f["kind"]) for f in data["findings"]]
    assert ("a3", "execute") in kinds
    assert state(staged) == before


def test_the_pre_commit_hook_lints_every_script(staged: Site):
    import re

    manifest = (Path(__file__).parents[2] / ".pre-commit-hooks.yaml").read_text()
    blocks = re.split(r"^(?=- id:)", manifest, flags=re.M)
    (block,) = [b for b in blocks if b.startswith("- id: schemadiff-lint")]
    entry = re.search(r"^\s*entry:\s*(.+)$", block, re.M)
    assert entry is not None and "pass_filenames: false" in block
    args = entry.group(1).split()[1:]
    assert args == ["lint", "-r", "base:head"]
    before = state(staged)
    assert "HAZARD deletes_data" in staged.project.cli(*args, expect=1).stdout
    assert state(staged) == before
