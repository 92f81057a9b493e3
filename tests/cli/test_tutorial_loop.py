"""The tutorial's loop through the real command line, once per backend."""

from __future__ import annotations

import json
import re

from tests.helpers import make_project

MODEL_V1 = """
import sqlalchemy as sa
metadata = sa.MetaData()
sa.Table("account", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
    sa.Column("description", sa.Unicode(200)))
"""

MODEL_V2 = (
    MODEL_V1
    + """
sa.Table("shopping_cart", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("account.id")))
metadata.tables["account"].append_column(sa.Column("last_transaction_date", sa.DateTime))
"""
)

GENERATING = re.compile(r"^  Generating (?P<path>\S+) \.\.\. done$", re.M)
RUNNING = re.compile(r"INFO  \[schemadiff\.runtime\.migration\] Running (upgrade|downgrade) .*")


def test_tutorial_loop(database, tmp_path):
    project = make_project(tmp_path, database.url_string)
    project.write_models(MODEL_V1)

    proc = project.cli("revision", "--autogenerate", "-m", "create account table")
    (path1,) = GENERATING.findall(proc.stdout)
    assert path1.endswith("_create_account_table.py")
    rev1 = path1.rsplit("/", 1)[1].split("_")[0]
    assert "Detected added table 'account'" in proc.stderr
    script = open(path1).read()
    assert '"""create account table' in script
    assert f"Revision ID: {rev1}" in script
    assert f'revision = "{rev1}"' in script
    assert "down_revision = None" in script
    assert "from schemadiff import op" in script

    proc = project.cli("upgrade", "head")
    assert f"Running upgrade  -> {rev1}, create account table" in proc.stderr

    proc = project.cli("current")
    assert proc.stdout.splitlines() == [f"{rev1} (head)"]

    project.write_models(MODEL_V2)
    proc = project.cli("check", expect=1)
    assert "added table 'shopping_cart'" in proc.stdout
    assert "added column 'account.last_transaction_date'" in proc.stdout
    report = json.loads(project.cli("check", "--format", "json", expect=1).stdout)
    assert report["drift"] is True
    kinds = sorted((c["kind"], c["table"], c["name"]) for c in report["changes"])
    assert kinds == [
        ("add_column", "account", "last_transaction_date"),
        ("add_table", "shopping_cart", "shopping_cart"),
    ]
    assert (
        "***" in report["database"]
        or "@" not in report["database"]
        or ":" not in report["database"].split("@")[0].split("//")[1]
    )

    proc = project.cli("revision", "--autogenerate", "-m", "add shopping cart")
    (path2,) = GENERATING.findall(proc.stdout)
    rev2 = path2.rsplit("/", 1)[1].split("_")[0]
    assert f'down_revision = "{rev1}"' in open(path2).read()

    proc = project.cli("upgrade", "head")
    assert f"Running upgrade {rev1} -> {rev2}, add shopping cart" in proc.stderr
    proc = project.cli("check")
    assert proc.stdout.strip() == "No new upgrade operations detected."

    proc = project.cli("history")
    assert proc.stdout.splitlines() == [
        f"{rev1} -> {rev2} (head), add shopping cart",
        f"<base> -> {rev1}, create account table",
    ]

    proc = project.cli("downgrade", "-1")
    assert f"Running downgrade {rev2} -> {rev1}, add shopping cart" in proc.stderr
    assert project.cli("current").stdout.splitlines() == [rev1]
    project.write_models(MODEL_V1)
    project.cli("check")

    proc = project.cli("upgrade", "ae1x", expect=2)
    assert proc.stderr.splitlines()[-1] == "FAILED: Can't locate revision identified by 'ae1x'"
    assert "Traceback" not in proc.stderr
