"""The comparator registry and the plugin door built-ins share with third parties."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from schemadiff.comparators import (
    FIRST,
    LAST,
    ComparatorRegistry,
    CompareContext,
    CompareOptions,
    compare_snapshots,
)
from schemadiff.dialects import impl_for
from schemadiff.errors import ConfigError
from schemadiff.ops import Change, MigrateOperation, ModifyTableOps
from schemadiff.plugins import Registries
from schemadiff.snapshot import ColumnSnapshot, SchemaSnapshot, TableSnapshot


class ColumnNameTooLongOp(MigrateOperation):
    """An example plugin operation: it only reports, it renders as a comment."""

    def __init__(self, table_name: str, column_name: str, schema: str | None = None) -> None:
        self.table_name = table_name
        self.column_name = column_name
        self.schema = schema

    def to_changes(self) -> list[Change]:
        return [Change("column_name_too_long", self.schema, self.table_name, self.column_name)]


def example_plugin(registries: Registries) -> None:
    """A documented third-party plugin: flag column names over 20 characters."""

    @registries.comparators.register("column", "name_length", priority=LAST)
    def compare_name_length(ctx, table, db_col, model_col):
        if len(model_col.name) > 20:
            yield ColumnNameTooLongOp(table.name, model_col.name, table.schema)

    @registries.renderers.register(ColumnNameTooLongOp)
    def render(op, ctx):
        return [f"# column {op.column_name!r} has a long name"]


def _snap(*cols: str) -> SchemaSnapshot:
    t = TableSnapshot(None, "t", tuple(ColumnSnapshot(c, sa.Integer()) for c in cols))
    return SchemaSnapshot({t.key: t})


def test_plugin_comparator_runs_through_the_same_door_as_builtins():
    from schemadiff import builtin

    regs = Registries()
    regs.install("builtin", builtin.setup)
    regs.install("example", example_plugin)
    ctx = CompareContext(CompareOptions(), impl_for(postgresql.dialect()))
    name = "a_really_long_column_name_here"
    upgrade = compare_snapshots(ctx, _snap("id", name), _snap("id", name), regs.comparators)
    (modify,) = upgrade.ops
    assert isinstance(modify, ModifyTableOps)
    assert [c.kind for c in modify.to_changes()] == ["column_name_too_long"]
    assert regs.loaded == ["builtin", "example"]


def test_priorities_and_dialect_overrides():
    reg = ComparatorRegistry()
    calls: list[str] = []

    def make(tag):
        def fn(ctx, db, model):
            calls.append(tag)
            return []

        return fn

    reg.register("schema", "late", priority=LAST)(make("late"))
    reg.register("schema", "tables")(make("generic"))
    reg.register("schema", "tables", dialect="sqlite")(make("sqlite"))
    reg.register("schema", "early", priority=FIRST)(make("early"))
    for fn in reg.for_target("schema", "sqlite"):
        fn(None, None, None)
    assert calls == ["early", "sqlite", "late"]
    calls.clear()
    for fn in reg.for_target("schema", "postgresql"):
        fn(None, None, None)
    assert calls == ["early", "generic", "late"]


def test_plugins_are_validated_when_they_register():
    regs = Registries()
    with pytest.raises(ConfigError, match="'broken'"):
        regs.install("broken", lambda r: 1 / 0)
    with pytest.raises(ConfigError, match="not callable"):
        regs.install("nope", "not a function")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown comparator target"):
        ComparatorRegistry().register("galaxy", "x")  # type: ignore[arg-type]


def test_dialect_impl_is_chosen_per_backend():
    assert impl_for(sqlite.dialect()).name == "sqlite"
    assert impl_for(postgresql.dialect()).transactional_ddl is True


def test_entry_point_plugins_are_loaded(tmp_path, monkeypatch):
    """A package that publishes ``schemadiff.plugins`` is picked up on first use."""
    import sys

    from schemadiff import plugins

    dist = tmp_path / "schemadiff_example_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: schemadiff-example-plugin\nVersion: 0.1\n"
    )
    (dist / "entry_points.txt").write_text(
        "[schemadiff.plugins]\nexample = schemadiff_example_plugin:setup\n"
    )
    (tmp_path / "schemadiff_example_plugin.py").write_text(
        "calls = []\n\ndef setup(registries):\n    calls.append(registries)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(plugins, "_default", None)
    regs = plugins.default_registries()
    assert regs.loaded[0] == "builtin"
    assert "example" in regs.loaded
    assert sys.modules["schemadiff_example_plugin"].calls == [regs]
    monkeypatch.setattr(plugins, "_default", None)
