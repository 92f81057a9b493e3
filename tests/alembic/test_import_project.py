"""An authentic Alembic project, built with the real Alembic, moved to schemadiff.

The project is made as a user makes it: ``alembic init`` (``generic`` and
``pyproject`` templates), models, ``alembic revision --autogenerate``,
hand-written revisions on two branches merged back, a data migration, a
labelled branch of its own, and ``alembic upgrade`` part-way.  Then
``schemadiff import-alembic`` moves it over and, on the same database:

* ``current``, ``heads``, ``branches``, ``history`` (plain and verbose)
  print what Alembic printed;
* ``upgrade heads`` runs exactly the revisions Alembic's offline plan for
  the rest lists, and writes them to ``alembic_version`` (no
  ``schemadiff_version`` appears);
* ``check`` agrees with ``alembic check`` run on an untouched copy of the
  project: no drift at head, and the same added column once the models
  change.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.alembic.support import expect_ok, run, run_many, running_lines, twin

MODELS_V1 = """\
import sqlalchemy as sa

metadata = sa.MetaData()

account = sa.Table(
    "account",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
    sa.Index("ix_account_name", "name"),
)
"""

MODELS_V2 = (
    MODELS_V1
    + """
orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("account.id"), nullable=False),
    sa.Column("amount", sa.Numeric(10, 2), nullable=False),
)
"""
)

#: what the hand-written revisions add, so the models match head
MODELS_HEAD = (
    MODELS_V2.replace(
        '    sa.Index("ix_account_name", "name"),\n',
        '    sa.Column("note", sa.String(200), nullable=True),\n'
        '    sa.Index("ix_account_name", "name"),\n',
    ).replace(
        '    sa.Column("amount", sa.Numeric(10, 2), nullable=False),\n',
        '    sa.Column("amount", sa.Numeric(10, 2), nullable=False),\n'
        '    sa.Index("ix_orders_amount", "amount"),\n',
    )
    + """
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("event", sa.String(100), nullable=False),
)
"""
)

BODIES = {
    "27c6a30d7c24": (
        'op.add_column("account", sa.Column("note", sa.String(200), nullable=True))',
        'op.drop_column("account", "note")',
    ),
    "53fffde5ad50": (
        'op.create_index("ix_orders_amount", "orders", ["amount"], if_not_exists=True)',
        'op.drop_index("ix_orders_amount", table_name="orders", if_exists=True)',
    ),
    "3b4c5d6e7f80": (
        'op.bulk_insert(sa.table("account", sa.column("id", sa.Integer), '
        'sa.column("name", sa.String)), [{"id": 1, "name": "first"}, {"id": 2, "name": "second"}])',
        'op.execute("DELETE FROM account WHERE id IN (1, 2)")',
    ),
    "4c5d6e7f8091": (
        'op.create_table("audit_log", sa.Column("id", sa.Integer, primary_key=True), '
        'sa.Column("event", sa.String(100), nullable=False))',
        'op.drop_table("audit_log")',
    ),
}


def _fill(root: Path, rev: str) -> None:
    """Write a hand-written revision's body into the file ``alembic revision`` made."""
    (path,) = (root / "migrations" / "versions").glob(f"{rev}_*.py")
    up, down = BODIES[rev]
    text = path.read_text()
    text = text.replace(
        '    """Upgrade schema."""\n    pass', f'    """Upgrade schema."""\n    {up}'
    )
    text = text.replace(
        '    """Downgrade schema."""\n    pass', f'    """Downgrade schema."""\n    {down}'
    )
    assert up in text and down in text
    path.write_text(text)


def build_alembic_project(root: Path, url: str, template: str) -> None:
    run("alembic", root, "init", "-t", template, "migrations")
    ini = root / "alembic.ini"
    text = ini.read_text()
    assert "sqlalchemy.url = driver://user:pass@localhost/dbname" in text
    ini.write_text(
        text.replace(
            "sqlalchemy.url = driver://user:pass@localhost/dbname",
            f"sqlalchemy.url = {url.replace('%', '%%')}",
        )
    )
    env_py = root / "migrations" / "env.py"
    env_text = env_py.read_text()
    assert "target_metadata = None\n" in env_text
    env_py.write_text(
        env_text.replace(
            "target_metadata = None\n", "import models\ntarget_metadata = models.metadata\n"
        )
    )
    (root / "models.py").write_text(MODELS_V1)
    expect_ok(
        run_many(
            "alembic",
            root,
            ["revision", "--autogenerate", "-m", "create account", "--rev-id", "1975ea83b712"],
            ["upgrade", "head"],  # autogenerate compares with an up-to-date database
        )
    )
    (root / "models.py").write_text(MODELS_V2)
    expect_ok(
        run_many(
            "alembic",
            root,
            ["revision", "--autogenerate", "-m", "add orders", "--rev-id", "ae1027a6acf0"],
            ["revision", "-m", "add account note", "--rev-id", "27c6a30d7c24"],
            ["revision", "-m", "index order amount", "--head", "ae1027a6acf0", "--splice",
             "--rev-id", "53fffde5ad50"],
            ["merge", "heads", "-m", "merge note and index", "--rev-id", "2a95102259be"],
            ["revision", "-m", "seed accounts", "--rev-id", "3b4c5d6e7f80"],
            ["revision", "-m", "audit log", "--head", "base", "--branch-label", "audit",
             "--rev-id", "4c5d6e7f8091"],
        )
    )  # fmt: skip
    for rev in BODIES:
        _fill(root, rev)
    (root / "models.py").write_text(MODELS_HEAD)


LISTINGS = (["current"], ["heads"], ["branches"], ["history"], ["history", "--verbose"])


def _listings(results: list[subprocess.CompletedProcess[str]]) -> dict[str, str]:
    return {
        " ".join(args): _unordered(result.stdout)
        for args, result in zip(LISTINGS, results, strict=True)
    }


def _unordered(text: str) -> str:
    """Alembic keeps a revision's children in a frozenset, so the order of
    ``Branches into:`` and of ``branches``' ``-> child`` lines changes from one
    run of Alembic to the next; put them in one order before comparing."""
    out: list[str] = []
    for line in text.splitlines():
        if line.startswith("Branches into: "):
            line = "Branches into: " + ", ".join(sorted(line[15:].split(", ")))
        if line.lstrip().startswith("-> ") and out and out[-1].lstrip().startswith("-> "):
            run_start = len(out)
            while run_start and out[run_start - 1].lstrip().startswith("-> "):
                run_start -= 1
            out[run_start:] = sorted([*out[run_start:], line])
            continue
        out.append(line)
    return "\n".join(out)


def _alembic_drift(stdout_and_err: str) -> list[tuple[str, str, str]]:
    return [
        ("add_column", table, column)
        for table, column in re.findall(
            r"\('add_column', None, '(\w+)', Column\('(\w+)'", stdout_and_err
        )
    ]


TEMPLATES = [
    pytest.param("generic", id="generic"),
    pytest.param("pyproject", id="pyproject"),
]


@pytest.mark.parametrize("template", TEMPLATES)
def test_alembic_project_moves_over(backend, request, tmp_path: Path, template: str) -> None:
    if template == "pyproject" and backend != "sqlite":
        pytest.skip("the template changes only where the configuration lives: SQLite covers it")
    database = request.getfixturevalue("database")
    url = database.url_string
    root = tmp_path / "project"
    root.mkdir()
    build_alembic_project(root, url, template)
    partway, *listed = run_many("alembic", root, ["upgrade", "27c6a30d7c24"], *LISTINGS)
    expect_ok([partway, *listed])
    before = _listings(listed)
    assert before["current"].split() == ["27c6a30d7c24"]
    pristine = twin(root, tmp_path / "pristine")
    planned = running_lines(
        run("alembic", pristine, "upgrade", "27c6a30d7c24:heads", "--sql").stderr
    )

    moved, *listed, upgraded, current, check = run_many(
        "schemadiff",
        root,
        ["import-alembic"],
        *LISTINGS,
        ["upgrade", "heads"],
        ["current"],
        ["check"],
    )
    expect_ok([moved, *listed, upgraded, current, check])
    written = moved.stdout.splitlines()
    assert "Writing schemadiff.ini" in written
    assert ("Writing pyproject.toml" in written) == (template == "pyproject")
    assert len([line for line in written if line.startswith("Writing migrations/versions/")]) == 7
    assert _listings(listed) == before
    assert running_lines(upgraded.stderr) == planned
    assert len(planned) == 4
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            tables = sa.inspect(conn).get_table_names()
            rows = set(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())
    finally:
        engine.dispose()
    assert "schemadiff_version" not in tables
    assert rows == {"3b4c5d6e7f80", "4c5d6e7f8091"}
    alembic_current, alembic_check = run_many("alembic", pristine, ["current"], ["check"])
    expect_ok([alembic_current, alembic_check])  # both tools: no drift at head
    assert sorted(current.stdout.splitlines()) == sorted(alembic_current.stdout.splitlines())

    # and the same drift once the models change
    for project in (root, pristine):
        models = project / "models.py"
        models.write_text(
            models.read_text().replace(
                '    sa.Column("note", sa.String(200), nullable=True),\n',
                '    sa.Column("note", sa.String(200), nullable=True),\n'
                '    sa.Column("phone", sa.String(20), nullable=True),\n',
            )
        )
    (alembic_check,) = run_many("alembic", pristine, ["check"])
    assert alembic_check.returncode != 0
    drift, revised, upgraded, clean = run_many(
        "schemadiff",
        root,
        ["check", "--format", "json"],
        # work goes on in the moved project, with Alembic's own script template
        ["revision", "--autogenerate", "-m", "add phone", "--head", "3b4c5d6e7f80",
         "--rev-id", "5d6e7f809102"],
        ["upgrade", "heads"],
        ["check"],
    )  # fmt: skip
    assert drift.returncode == 1
    ours = [(c["kind"], c["table"], c["name"]) for c in json.loads(drift.stdout)["changes"]]
    assert ours == _alembic_drift(alembic_check.stdout)
    assert ours == [("add_column", "account", "phone")]
    expect_ok([revised, upgraded, clean])
    (new_script,) = (root / "migrations" / "versions").glob("5d6e7f809102_*.py")
    text = new_script.read_text()
    assert "from schemadiff import op" in text and "def upgrade() -> None:" in text
    assert running_lines(upgraded.stderr) == [
        "Running upgrade 3b4c5d6e7f80 -> 5d6e7f809102, add phone"
    ]
