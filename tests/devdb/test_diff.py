"""``schemadiff diff SOURCE TARGET``: databases and models on either side."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from schemadiff import commands
from schemadiff.commands.schema_diff import Side, compare_sides

V1 = """\
import sqlalchemy as sa

metadata = sa.MetaData()

account = sa.Table(
    "account",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
    sa.UniqueConstraint("name", name="uq_account_name"),
)
"""

V2 = (
    V1.replace(
        '    sa.Column("name", sa.String(50), nullable=False),\n',
        '    sa.Column("name", sa.String(50), nullable=False),\n'
        '    sa.Column("email", sa.String(100)),\n',
    )
    + """
orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("account.id"), nullable=False),
)
sa.Index("ix_orders_account_id", orders.c.account_id)
"""
)


def _metadata(source: str) -> sa.MetaData:
    namespace: dict[str, object] = {}
    exec(source, namespace)
    metadata = namespace["metadata"]
    assert isinstance(metadata, sa.MetaData)
    return metadata


@pytest.fixture
def other_url(backend: str, database, tmp_path: Path) -> Iterator[URL]:
    """A second empty database beside the ``database`` fixture's."""
    if backend == "sqlite":
        yield sa.make_url(f"sqlite:///{tmp_path / 'other.db'}")
        return
    name = f"sdd_other_{os.getpid()}"
    admin = sa.create_engine(database.url.set(query={}), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if backend == "postgresql":
            conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
            url = database.url.update_query_dict({"options": f"-csearch_path={name}"})
        else:
            conn.exec_driver_sql(f"CREATE DATABASE `{name}`")
            url = database.url.set(database=name)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            if backend == "postgresql":
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
            else:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
        admin.dispose()


def _create(url: URL, source: str) -> None:
    engine = sa.create_engine(url)
    _metadata(source).create_all(engine)
    engine.dispose()


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schemadiff", "diff", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )


def _kinds(stdout: str) -> list[tuple[str, str, str]]:
    return sorted((c["kind"], c["table"], c["name"]) for c in json.loads(stdout)["changes"])


ADDED = [
    ("add_column", "account", "email"),
    ("add_index", "orders", "ix_orders_account_id"),
    ("add_table", "orders", "orders"),
]


def _diff(source: str, target: str) -> list[tuple[str, str, str]]:
    out = io.StringIO()
    commands.diff(source, target, format="json", stdout=out)
    return _kinds(out.getvalue())


def test_databases_and_models_on_either_side(backend, database, other_url, tmp_path, monkeypatch):
    src, tgt = database.url, other_url
    _create(src, V1)
    _create(tgt, V2)
    src_s, tgt_s = (u.render_as_string(hide_password=False) for u in (src, tgt))
    (tmp_path / "models_v2.py").write_text(V2)
    (tmp_path / "models_v1.py").write_text(V1)

    # a database against itself, and against a model of itself: nothing
    assert _diff(src_s, src_s) == [] and _diff(tgt_s, tgt_s) == []
    monkeypatch.chdir(tmp_path)
    assert _diff(tgt_s, "models_v2:metadata") == []

    # the changes turn SOURCE into TARGET, whichever side is which
    assert _diff(src_s, tgt_s) == ADDED
    assert _diff(src_s, "models_v2:metadata") == ADDED
    # a model SOURCE is compared the other way round and reversed: the removed
    # table's reverse brings back its indexes too, so the changes are the same
    assert _diff("models_v1:metadata", tgt_s) == ADDED
    removed = [("remove_column", "account", "email"), ("remove_table", "orders", "orders")]
    assert _diff(tgt_s, src_s) == removed
    assert _diff("models_v2:metadata", src_s) == removed


def test_same_verdict_as_alembic(backend, database):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    _create(database.url, V1)
    target = _metadata(V2)
    engine = database.engine()
    with engine.connect() as conn:
        theirs = compare_metadata(MigrationContext.configure(conn), target)
    engine.dispose()
    # alembic lists a column change as a one-item list, everything else as a tuple
    theirs_kinds = sorted(d[0][0] if isinstance(d, list) else d[0] for d in theirs)
    ours = compare_sides(Side("db", url=database.url), Side("models", metadata=target))
    assert sorted(c.kind for c in ours) == theirs_kinds == sorted(k for k, _, _ in ADDED)


def test_command_line_formats_exit_codes_and_masked_passwords(tmp_path):
    (tmp_path / "models_v1.py").write_text(V1)
    (tmp_path / "models_v2.py").write_text(V2)
    proc = _cli(tmp_path, "models_v1:metadata", "models_v2:metadata", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert _kinds(proc.stdout) == ADDED
    proc = _cli(tmp_path, "models_v1:metadata", "models_v1:metadata")
    assert proc.returncode == 0 and "No new upgrade operations detected." in proc.stdout

    proc = _cli(
        tmp_path,
        "models_v1:metadata",
        "models_v2:metadata",
        "--output",
        "r.sarif",
        "--format",
        "sarif",
    )
    assert proc.returncode == 1 and proc.stdout == ""
    assert len(json.loads((tmp_path / "r.sarif").read_text())["runs"][0]["results"]) == 3

    proc = _cli(
        tmp_path, "postgresql+psycopg://scott:sekrit@127.0.0.1:1/prod", "models_v1:metadata"
    )
    assert proc.returncode == 2
    assert (
        "FAILED: cannot connect to postgresql+psycopg://scott:***@127.0.0.1:1/prod" in proc.stderr
    )
    assert "sekrit" not in proc.stderr + proc.stdout

    proc = _cli(tmp_path, "nonsense", "models_v1:metadata")
    assert proc.returncode == 2 and proc.stderr.startswith(
        "FAILED: 'nonsense' is neither a database URL nor module:attribute naming a MetaData"
    )
    proc = _cli(tmp_path, "models_v1:account", "models_v1:metadata")
    assert proc.returncode == 2 and "is a Table, not a MetaData" in proc.stderr
    proc = _cli(tmp_path, "models_v1:metadata", "models_v1:metadata", "--format", "yaml")
    assert proc.returncode == 2 and proc.stderr.startswith("FAILED:")


def test_text_report_names_both_sides_with_the_password_masked(backend, database, tmp_path):
    if backend != "postgresql":
        pytest.skip("only PostgreSQL's test server accepts any password")
    # PostgreSQL's test server trusts local connections: any password is accepted
    url = database.url.set(password="sekrit").render_as_string(hide_password=False)
    _create(database.url, V1)
    (tmp_path / "models_v2.py").write_text(V2)
    proc = _cli(tmp_path, url, "models_v2:metadata")
    assert proc.returncode == 1, proc.stderr
    first = proc.stdout.splitlines()[0]
    assert first.startswith("Schema drift detected: 3 differences between the database (")
    assert ":***@" in first and first.endswith("and the target (models_v2:metadata)")
    assert "sekrit" not in proc.stdout + proc.stderr


def test_every_format_in_process(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fmt_v1.py").write_text(V1)
    (tmp_path / "fmt_v2.py").write_text(V2)
    for fmt in ("text", "json", "markdown", "junit", "github", "sarif"):
        out = io.StringIO()
        assert commands.diff("fmt_v1:metadata", "fmt_v2:metadata", format=fmt, stdout=out) is True
        assert out.getvalue().strip(), fmt
