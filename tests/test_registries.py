"""The registries' slots: built-ins and plugins fill them through one door.

Built-ins are declared or deferred and load on first use; these tests pin
what that must not change: a plugin's registration wins over the built-in
it replaces, whichever loads first.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import sqlalchemy as sa

from schemadiff import builtin, plugins
from schemadiff.comparators.registry import ComparatorRegistry
from schemadiff.dialects import DialectImpl, impl_for
from schemadiff.operations import Operations
from schemadiff.ops import AddColumnOp, MigrateOperation
from schemadiff.plugins import Registries
from schemadiff.renderers.python.registry import RendererRegistry
from schemadiff.renderers.report import Report, UnknownFormat, formatter_for


class LoudSQLiteImpl(DialectImpl):
    """A plugin's own rules for a built-in dialect."""


def _with_builtins(*extra: tuple[str, object]) -> Registries:
    regs = Registries()
    regs.install("builtin", builtin.setup)
    for name, setup in extra:
        regs.install(name, setup)  # type: ignore[arg-type]
    return regs


def test_backend_package_fills_every_slot_on_first_use() -> None:
    regs = _with_builtins()
    assert not regs.backends.loaded("postgresql")
    backend = regs.backend("postgresql")
    assert backend.loaded("postgresql")
    assert backend.dialects["postgresql"].__name__ == "PostgresqlImpl"
    assert callable(backend.reflectors["postgresql"])
    assert callable(backend.object_readers["postgresql"])
    assert backend.run_locks["postgresql"].__name__ == "PostgresqlRunLock"
    # MariaDB and MySQL share one package; SQLite has no run lock of its own
    assert regs.backend("mariadb").dialects["mariadb"] is regs.backend("mysql").dialects["mysql"]
    assert regs.backend("sqlite").run_locks.get("sqlite") is None


def test_plugin_backend_rules_win_over_the_lazily_loaded_builtin() -> None:
    def plugin(registries: Registries) -> None:
        registries.backends.add_dialect("sqlite", LoudSQLiteImpl)

    regs = _with_builtins(("loud", plugin))
    backend = regs.backend("sqlite")  # the built-in package loads only now
    assert backend.dialects["sqlite"] is LoudSQLiteImpl
    # what the plugin did not replace is the built-in's
    assert backend.reflectors["sqlite"].__module__ == "schemadiff.backends.sqlite.catalog"


def test_a_third_party_dialect_is_one_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    """A dialect no built-in knows gets its rules from the plugin, else the generic ones."""

    class AcmeImpl(DialectImpl):
        pass

    def acme(registries: Registries) -> None:
        registries.backends.declare("acme", "acme_backend_that_is_never_imported")
        registries.backends.add_dialect("acme", AcmeImpl)

    regs = _with_builtins(("acme", acme))
    monkeypatch.setattr(plugins, "_default", regs)

    class FakeDialect(sa.engine.default.DefaultDialect):
        name = "acme"

    with pytest.raises(ModuleNotFoundError):
        impl_for(FakeDialect())  # the declared package is imported on first use
    regs.backends._declared.pop("acme")
    regs.backends._loaded.discard("acme")
    assert type(impl_for(FakeDialect())) is AcmeImpl

    class OtherDialect(sa.engine.default.DefaultDialect):
        name = "other"

    assert type(impl_for(OtherDialect())) is DialectImpl


def test_impl_for_uses_the_process_registries(monkeypatch: pytest.MonkeyPatch) -> None:
    def plugin(registries: Registries) -> None:
        registries.backends.add_dialect("sqlite", LoudSQLiteImpl)

    monkeypatch.setattr(plugins, "_default", _with_builtins(("loud", plugin)))
    assert type(impl_for(sa.create_engine("sqlite://").dialect)) is LoudSQLiteImpl


def test_report_format_from_a_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    def plugin(registries: Registries) -> None:
        registries.report_formats.add("count", lambda report: f"{len(report.changes)}\n")

    monkeypatch.setattr(plugins, "_default", _with_builtins(("count", plugin)))
    assert formatter_for("count")(Report(database="sqlite://")) == "0\n"
    assert formatter_for("json").__name__ == "render_json"
    with pytest.raises(UnknownFormat, match="expected one of count, github, json"):
        formatter_for("yaml")


def test_report_format_must_be_callable() -> None:
    with pytest.raises(TypeError, match="not callable"):
        Registries().report_formats.add("bad", "not a function")  # type: ignore[arg-type]


def test_operation_implementation_follows_the_mro_and_plugins_win() -> None:
    class LoggedAddColumnOp(AddColumnOp):
        pass

    ran: list[str] = []
    regs = Registries()
    regs.operations.register(AddColumnOp, lambda ops, op: ran.append("plugin"))
    regs.install("builtin", builtin.setup)  # its implementations are deferred
    op = LoggedAddColumnOp("t", sa.Column("c", sa.Integer))
    fn = regs.operations.lookup(op)
    assert fn is not None
    fn(None, op)  # type: ignore[arg-type]
    assert ran == ["plugin"]
    # the rest are the built-ins'
    assert regs.operations.lookup(MigrateOperation()) is None
    from schemadiff.operations import impl

    assert set(impl.implements) <= set(regs.operations.keys())


def test_implementation_for_registers_in_the_process_registries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    regs = _with_builtins()
    monkeypatch.setattr(plugins, "_default", regs)

    class NoteOp(MigrateOperation):
        pass

    @Operations.implementation_for(NoteOp)
    def run_note(operations: Operations, op: NoteOp) -> str:
        return "noted"

    assert regs.operations.lookup(NoteOp()) is run_note


def test_deferred_comparators_come_before_direct_ones() -> None:
    order: list[str] = []
    registry = ComparatorRegistry()

    @registry.register("table", "direct")
    def direct(*args: object) -> list[MigrateOperation]:
        order.append("direct")
        return []

    def loader(reg: ComparatorRegistry) -> None:
        @reg.register("table", "builtin")
        def from_builtin(*args: object) -> list[MigrateOperation]:
            order.append("builtin")
            return []

    registry.defer(loader)
    for fn in registry.for_target("table", "sqlite"):
        fn()
    assert order == ["builtin", "direct"]


def test_deferred_renderers_do_not_replace_direct_ones() -> None:
    registry = RendererRegistry()
    registry.register(AddColumnOp)(lambda op, ctx: ["# plugin"])
    registry.defer(lambda reg: reg.register(AddColumnOp)(lambda op, ctx: ["# builtin"]))
    registry.defer(lambda reg: reg.register(MigrateOperation)(lambda op, ctx: ["# base"]))
    assert registry.lookup(AddColumnOp("t", sa.Column("c", sa.Integer)))(None, None) == ["# plugin"]
    assert registry.lookup(MigrateOperation())(None, None) == ["# base"]


def test_current_does_not_load_comparators_renderers_or_other_backends(tmp_path) -> None:
    """The door costs a runtime command nothing it does not use (start-up budget)."""
    code = (
        "import sys, sqlalchemy as sa\n"
        "from schemadiff.dialects import impl_for\n"
        "impl_for(sa.create_engine('sqlite://').dialect)\n"
        "bad = [m for m in ('schemadiff.comparators', 'schemadiff.renderers.python',"
        " 'schemadiff.backends.postgresql.dialect', 'schemadiff.backends.sqlite.catalog',"
        " 'schemadiff.snapshot') if m in sys.modules]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
