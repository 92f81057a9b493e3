"""Operation, comparator and renderer plugins, shown by an enum-sync plugin.

PostgreSQL only: named enum types whose labels change are what the plugin
is for.  The golden rule holds with the plugin in place: the generated
script makes ``check`` clean, and its downgrade brings back the database
the old models describe.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from schemadiff import builtin, command, plugins
from tests.alembic import enum_sync_plugin
from tests.helpers import make_project

OLD = ("open", "closed")
NEW = ("open", "closed", "pending")
REORDERED = ("pending", "open")


def models(labels: tuple[str, ...]) -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "ticket",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("status", sa.Enum(*labels, name="ticket_status"), nullable=False),
    )
    return metadata


@pytest.fixture
def with_plugin(monkeypatch: pytest.MonkeyPatch) -> plugins.Registries:
    """The process registries with the plugin installed through the plugin door."""
    registries = plugins.Registries()
    registries.install("builtin", builtin.setup)
    registries.install("enum_sync", enum_sync_plugin.setup)
    # ``@Operations.implementation_for`` registered the plugin's implementation
    # into the process registries when its module was imported; these fresh
    # ones take it through the door
    registries.operations.register(
        enum_sync_plugin.SyncEnumValuesOp, enum_sync_plugin.run_sync_enum_values
    )
    monkeypatch.setattr(plugins, "_default", registries)
    return registries


def _check(project, labels: tuple[str, ...], expect: int) -> list[dict]:
    cfg = project.config(models(labels))
    cfg.stdout = io.StringIO()
    drifted = command.check(cfg, format="json")
    assert int(drifted) == expect, cfg.stdout.getvalue()
    return json.loads(cfg.stdout.getvalue())["changes"]


def _postgresql(backend: str, request: pytest.FixtureRequest):
    """The test database, made only for PostgreSQL (named enum types are its own)."""
    if backend != "postgresql":
        pytest.skip("named enum types whose labels change: PostgreSQL's")
    return request.getfixturevalue("database")


def _squeezed(source: str) -> str:
    return "".join(source.split()).replace("'", '"').replace(",)", ")")


def _revision(project, labels: tuple[str, ...], rev_id: str) -> None:
    command.revision(
        project.config(models(labels)), message=rev_id, autogenerate=True, rev_id=rev_id
    )


def test_enum_sync_plugin(backend, request, tmp_path: Path, with_plugin) -> None:
    database = _postgresql(backend, request)
    project = make_project(tmp_path, database.url_string)
    _revision(project, OLD, "e1")
    command.upgrade(project.config(models(OLD)), "head")
    assert _check(project, OLD, 0) == []

    changes = _check(project, NEW, 1)
    assert [(c["kind"], c["name"], c["detail"]) for c in changes] == [
        ("modify_enum", "ticket_status", {"from": list(OLD), "to": list(NEW)})
    ]
    _revision(project, NEW, "e2")
    (script,) = [p for p in project.versions() if p.name.startswith("e2_")]
    source = _squeezed(script.read_text())  # as black left it, spacing and quotes aside
    assert _squeezed(f"op.sync_enum_values('ticket_status', {list(OLD)}, {list(NEW)})") in source
    assert _squeezed(f"op.sync_enum_values('ticket_status', {list(NEW)}, {list(OLD)})") in source
    command.upgrade(project.config(models(NEW)), "head")
    assert _check(project, NEW, 0) == []
    engine = database.engine()
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO ticket (id, status) VALUES (1, 'pending')")
            conn.exec_driver_sql("DELETE FROM ticket")
        # a reordering rebuilds the type and converts the column
        _revision(project, REORDERED, "e3")
        command.upgrade(project.config(models(REORDERED)), "head")
        assert _check(project, REORDERED, 0) == []
        with engine.connect() as conn:
            labels = (
                conn.exec_driver_sql(
                    "SELECT enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid "
                    "WHERE t.typname = 'ticket_status' ORDER BY e.enumsortorder"
                )
                .scalars()
                .all()
            )
        assert labels == ["pending", "open"]
    finally:
        engine.dispose()

    # each downgrade brings back what the older models describe
    command.downgrade(project.config(models(NEW)), "e2")
    assert _check(project, NEW, 0) == []
    command.downgrade(project.config(models(OLD)), "e1")
    assert _check(project, OLD, 0) == []


def test_without_the_plugin_the_builtin_enum_comparator_reports_it(
    backend, request, tmp_path: Path
) -> None:
    """What the plugin takes over: schemadiff's own enum comparison (``modify_enum``)."""
    database = _postgresql(backend, request)
    project = make_project(tmp_path, database.url_string)
    _revision(project, OLD, "e1")
    command.upgrade(project.config(models(OLD)), "head")
    assert [c["kind"] for c in _check(project, NEW, 1)] == ["modify_enum"]
