"""``revision --autogenerate`` writes ``# HAZARD <kind>: <message>`` above each hazardous directive.

Also inside batch blocks, sized by the server's estimate where it has one;
the script still formats with black and still runs.
"""

from __future__ import annotations

import subprocess
import sys

import sqlalchemy as sa

from schemadiff import command
from tests.hazards.support import Site
from tests.hazards.test_check_hazards import ROWS, account


def _lines_above(script: str, directive: str) -> list[str]:
    lines = script.splitlines()
    at = next(i for i, line in enumerate(lines) if directive in line)
    above = []
    for line in reversed(lines[:at]):
        if not line.strip().startswith("# HAZARD"):
            break
        above.insert(0, line.strip())
    return above


def test_hazard_comments_sit_above_their_directives(site: Site):
    site.build(account(sa.Column("legacy", sa.String(20))), ROWS)
    if site.backend != "sqlite":
        site.analyze("account")
    after = account(sa.Index("ix_account_name", "name"))
    command.revision(site.project.config(after), "auto", autogenerate=True)
    (path,) = site.project.versions()
    script = path.read_text()
    upgrade = script.split("def downgrade")[0]
    drop = _lines_above(upgrade, 'op.drop_column("account", "legacy")')
    assert drop and drop[0].startswith(
        "# HAZARD deletes_data: drops column 'account.legacy' and the values it holds"
    )
    if site.backend == "postgresql":
        assert drop[0].endswith("(~5 rows)")
    index = _lines_above(upgrade, "op.create_index(")
    if site.backend == "mysql":
        assert index == []
    else:
        assert index and index[0].startswith("# HAZARD blocks_writes:")
    # the downgrade drops nothing that held data: only the index goes
    assert "# HAZARD deletes_data" not in script.split("def downgrade")[1]
    black = subprocess.run(
        [sys.executable, "-m", "black", "--check", "-q", str(path)], capture_output=True
    )
    assert black.returncode == 0, black.stderr


def test_hazard_comments_inside_a_batch_block(site: Site):
    if site.backend != "sqlite":
        import pytest

        pytest.skip("batch blocks are SQLite's everyday form")
    site.build(account(), ROWS)
    after = account(sa.CheckConstraint("id > 0", name="ck_account_id"))
    config = site.project.config(after, render_as_batch=True)
    command.revision(config, "auto", autogenerate=True)
    (path,) = site.project.versions()
    script = path.read_text()
    assert 'with op.batch_alter_table("account", schema=None) as batch_op:' in script
    above = _lines_above(script, "batch_op.create_check_constraint(")
    assert any(line.startswith("# HAZARD rewrites_table: SQLite cannot ALTER") for line in above)
    indent = next(line for line in script.splitlines() if "# HAZARD" in line)
    assert indent.startswith(" " * 8)  # inside the with block
    command.upgrade(site.project.config(after), "head")
    assert site.check(after) == []
