"""A pytest plugin with ready-made migration tests for your project.

Switch it on with ``pytest -p schemadiff.testing --schemadiff`` (or put
``-p schemadiff.testing`` in ``addopts`` and ``schemadiff_enabled = true``
in your pytest ini).  It adds these tests, run against a scratch database
(``--schemadiff-url`` / ini ``schemadiff_url``; default: a temporary SQLite
file):

- ``single_head``: the revision graph has exactly one head;
- ``upgrade_downgrade``: every revision upgrades from base to head, one
  step at a time, and downgrades back to base;
- ``models_match_head``: after ``upgrade head``, ``check`` finds no drift
  (env.py must set ``target_metadata``);
- ``downgrade_reverses_upgrade``: for each revision, the schema after its
  upgrade and downgrade equals the schema before it.

``schemadiff_tests`` (ini, space separated) picks a subset.  The tests use
your ``schemadiff.ini`` (``--schemadiff-config`` / ini ``schemadiff_config``)
with ``sqlalchemy.url`` replaced by the scratch URL.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

TESTS = ("single_head", "upgrade_downgrade", "models_match_head", "downgrade_reverses_upgrade")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("schemadiff-migrations")
    group.addoption("--schemadiff", action="store_true", help="run schemadiff's migration tests")
    group.addoption(
        "--schemadiff-config", help="path of schemadiff.ini (default: ./schemadiff.ini)"
    )
    group.addoption("--schemadiff-url", help="scratch database URL for the migration tests")
    parser.addini(
        "schemadiff_enabled", "run schemadiff's migration tests", type="bool", default=False
    )
    parser.addini("schemadiff_config", "path of schemadiff.ini", default="schemadiff.ini")
    parser.addini("schemadiff_url", "scratch database URL", default="")
    parser.addini(
        "schemadiff_tests", "which migration tests to run", type="args", default=list(TESTS)
    )


class MigrationTestItem(pytest.Item):
    def __init__(self, *, check: Callable[[MigrationTestItem], None], **kw: Any) -> None:
        super().__init__(**kw)
        self.check = check

    def runtest(self) -> None:
        self.check(self)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"schemadiff: {self.name}"

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, MigrationTestFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    # -- what each test needs ----------------------------------------------
    def config_for(self, url: str | None = None) -> Any:
        from schemadiff.config import find_config

        option = self.config.getoption("--schemadiff-config") or self.config.getini(
            "schemadiff_config"
        )
        path = Path(self.config.rootpath, option) if option else None
        cfg = find_config(str(path) if path and path.exists() else None)
        cfg.stdout = io.StringIO()
        cfg.set_main_option("sqlalchemy.url", url or self.scratch_url())
        return cfg

    def scratch_url(self) -> str:
        url = self.config.getoption("--schemadiff-url") or self.config.getini("schemadiff_url")
        if url:
            return str(url)
        cached = getattr(self, "_scratch", None)
        if cached is None:
            folder = tempfile.mkdtemp(prefix="schemadiff-test-")
            cached = self._scratch = f"sqlite:///{folder}/scratch.db"
        return cached


class MigrationTestFailure(AssertionError):
    pass


def _single_head(item: MigrationTestItem) -> None:
    from schemadiff.scriptdir import ScriptDirectory

    graph = ScriptDirectory.from_config(item.config_for()).graph
    heads = list(graph.real_heads)
    if len(heads) != 1:
        raise MigrationTestFailure(
            f"expected exactly one head revision, found {len(heads)}: {', '.join(heads) or 'none'}"
            "; merge them with 'schemadiff merge heads'"
        )


def _ordered_revisions(item: MigrationTestItem) -> list[str]:
    from schemadiff.revisions import plan_upgrade
    from schemadiff.scriptdir import ScriptDirectory

    graph = ScriptDirectory.from_config(item.config_for()).graph
    return [step.revision.revision for step in plan_upgrade(graph, (), "heads")]


def _reset(item: MigrationTestItem) -> None:
    """Each test starts from an empty database, whatever the one before it left."""
    from schemadiff import command

    command.downgrade(item.config_for(), "base")


def _upgrade_downgrade(item: MigrationTestItem) -> None:
    from schemadiff import command

    _reset(item)
    revisions = _ordered_revisions(item)

    for rev in revisions:
        _step(item, f"upgrade to {rev}", lambda r=rev: command.upgrade(item.config_for(), r))
    for _ in revisions:
        _step(item, "downgrade -1", lambda: command.downgrade(item.config_for(), "-1"))


def _models_match_head(item: MigrationTestItem) -> None:
    from schemadiff import command

    _reset(item)
    command.upgrade(item.config_for(), "heads")
    cfg = item.config_for()
    drifted = command.check(cfg)
    _reset(item)
    if drifted:
        raise MigrationTestFailure(
            "the models do not match the database at head; autogenerate a revision:\n"
            + cfg.stdout.getvalue()
        )


def _downgrade_reverses_upgrade(item: MigrationTestItem) -> None:
    import sqlalchemy as sa

    from schemadiff import command
    from schemadiff.snapshot import reflect_snapshot

    _reset(item)
    engine = sa.create_engine(item.scratch_url())

    def snapshot() -> Any:
        with engine.connect() as conn:
            snap = reflect_snapshot(conn, exclude_tables=[(None, "schemadiff_version")])
        found: dict[Any, Any] = {key: _plain(table) for key, table in snap.tables.items()}
        # enum types and sequences of the default schema: a downgrade must not leave them
        found.update({("enum", k[1]): e.labels for k, e in snap.enums.items() if k[0] is None})
        found.update({("sequence", k[1]): s for k, s in snap.sequences.items() if k[0] is None})
        return found

    try:
        for rev in _ordered_revisions(item):
            before = snapshot()
            command.upgrade(item.config_for(), rev)
            command.downgrade(item.config_for(), "-1")
            after = snapshot()
            if after != before:
                changed = sorted(
                    str(k[1]) for k in set(before) | set(after) if before.get(k) != after.get(k)
                )
                raise MigrationTestFailure(
                    f"downgrade of revision {rev} does not undo its upgrade; "
                    f"tables (or enum types, sequences) that differ afterwards: "
                    f"{', '.join(changed)}"
                )
            command.upgrade(item.config_for(), rev)
    finally:
        engine.dispose()


def _plain(table: Any) -> Any:
    """A comparable form of a table snapshot (types as text)."""
    cols = tuple((c.name, str(c.type), c.nullable, c.server_default) for c in table.columns)
    return (cols, table.primary_key, table.indexes, table.uniques, table.foreign_keys, table.checks)


def _step(item: MigrationTestItem, what: str, action: Callable[[], None]) -> None:
    try:
        action()
    except Exception as exc:
        raise MigrationTestFailure(f"{what} failed: {exc}") from exc


CHECKS: dict[str, Callable[[MigrationTestItem], None]] = {
    "single_head": _single_head,
    "upgrade_downgrade": _upgrade_downgrade,
    "models_match_head": _models_match_head,
    "downgrade_reverses_upgrade": _downgrade_reverses_upgrade,
}


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    if not (config.getoption("--schemadiff") or config.getini("schemadiff_enabled")):
        return
    chosen = config.getini("schemadiff_tests") or list(TESTS)
    unknown = sorted(set(chosen) - set(CHECKS))
    if unknown:
        raise pytest.UsageError(
            f"schemadiff_tests: unknown test(s) {', '.join(unknown)}; choose from {', '.join(TESTS)}"
        )
    group = MigrationTests.from_parent(session, name="schemadiff", nodeid="schemadiff")
    for name in TESTS:
        if name in chosen:
            items.append(MigrationTestItem.from_parent(group, name=name, check=CHECKS[name]))


class MigrationTests(pytest.Collector):
    """The parent of the migration tests, so their ids read ``schemadiff::<test>``."""

    def collect(self) -> list[pytest.Item]:
        return []
