"""A pytest plugin with ready-made migration tests for your project.

Installed with schemadiff (a ``pytest11`` entry point); switch the tests on
with ``pytest --schemadiff`` or ``schemadiff_enabled = true`` in your pytest
ini, or name them: ``pytest schemadiff`` runs all four,
``pytest schemadiff::single_head`` one.  The tests, run against a scratch
database (``--schemadiff-url`` / ini ``schemadiff_url``; default: a fresh
SQLite file per test under pytest's temporary directory):

- ``single_head``: the revision graph has exactly one head;
- ``upgrade_downgrade``: every revision upgrades from base to head, one
  step at a time, and downgrades back to base;
- ``models_match_head``: after ``upgrade heads``, ``check`` finds no drift
  (env.py must set ``target_metadata``);
- ``downgrade_reverses_upgrade``: for each revision, the schema after its
  upgrade and downgrade equals the schema before it.

``schemadiff_tests`` (ini, space separated) picks a subset.  The tests use
your ``schemadiff.ini`` (``--schemadiff-config`` / ini ``schemadiff_config``)
with ``sqlalchemy.url`` replaced by the scratch URL.  A scratch database
given by URL is emptied (every table dropped) at the start of each test, so
one broken downgrade cannot spoil the tests after it.

While a test runs, env.py is asked not to configure logging
(``config.attributes["configure_logger"]`` is False; the shipped env.py
templates honour it) and the ``schemadiff`` logger logs at INFO, so pytest
captures the migration log with the test; the logging setup is restored
afterwards either way.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

TESTS = ("single_head", "upgrade_downgrade", "models_match_head", "downgrade_reverses_upgrade")
GROUP = "schemadiff"
_SELECTED = pytest.StashKey[list[str]]()


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


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Take ``schemadiff`` / ``schemadiff::<test>`` out of the paths pytest collects.

    They name no file, so pytest would stop with "file or directory not
    found"; the plugin adds those tests itself.  A real ``./schemadiff``
    path (a package of that name) is left to pytest.
    """
    if Path(config.invocation_params.dir, GROUP).exists():
        return
    selected: list[str] = []
    kept: list[str] = []
    for arg in config.args:
        head, _, tail = arg.partition("::")
        if head == GROUP:
            selected.append(tail)
        else:
            kept.append(arg)
    if selected:
        config.args[:] = kept
        config.stash[_SELECTED] = selected


class MigrationTestItem(pytest.Item):
    def __init__(self, *, check: Callable[[MigrationTestItem], None], **kw: Any) -> None:
        super().__init__(**kw)
        self.check = check
        self._scratch: str | None = None

    def runtest(self) -> None:
        with _logging_kept():
            self.check(self)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"schemadiff: {self.name}"

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        from schemadiff.testing_checks import MigrationTestFailure

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
        cfg.attributes["configure_logger"] = False
        cfg.set_main_option("sqlalchemy.url", url or self.scratch_url())
        return cfg

    def scratch_url(self) -> str:
        """The given scratch URL, else a new SQLite file for this test."""
        url = self.config.getoption("--schemadiff-url") or self.config.getini("schemadiff_url")
        if url:
            return str(url)
        if self._scratch is None:
            factory = getattr(self.config, "_tmp_path_factory", None)
            if factory is None:  # pytest's tmp_path plugin switched off
                factory = pytest.TempPathFactory.from_config(self.config, _ispytest=True)
            folder = factory.mktemp(f"schemadiff-{self.name}")
            self._scratch = f"sqlite:///{folder / 'scratch.db'}"
        return self._scratch

    def uses_given_url(self) -> bool:
        return bool(
            self.config.getoption("--schemadiff-url") or self.config.getini("schemadiff_url")
        )


@contextmanager
def _logging_kept() -> Iterator[None]:
    """Let the migration log reach pytest's capture, and undo env.py's logging setup.

    An env.py that still calls ``fileConfig`` unconditionally replaces the
    root logger's handlers (pytest's capture among them) and levels for
    the rest of the session; every logger's state is put back afterwards.
    """
    manager = logging.Logger.manager
    loggers = [logging.getLogger()] + [
        logger for logger in list(manager.loggerDict.values()) if isinstance(logger, logging.Logger)
    ]
    saved = [
        (logger, logger.level, list(logger.handlers), logger.propagate, logger.disabled)
        for logger in loggers
    ]
    known = {id(logger) for logger in loggers}
    ours = logging.getLogger("schemadiff")
    if ours.getEffectiveLevel() > logging.INFO:
        ours.setLevel(logging.INFO)
    try:
        yield
    finally:
        for logger, level, handlers, propagate, disabled in saved:
            logger.setLevel(level)
            logger.handlers[:] = handlers
            logger.propagate = propagate
            logger.disabled = disabled
        for new in list(manager.loggerDict.values()):
            if isinstance(new, logging.Logger) and id(new) not in known:
                new.setLevel(logging.NOTSET)
                new.handlers.clear()
                new.propagate = True
                new.disabled = False


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Add the chosen tests before ``-k``, ``--deselect`` and ``--lf`` filter the items."""
    from schemadiff.testing_checks import CHECKS

    named = config.stash.get(_SELECTED, [])
    if not (named or config.getoption("--schemadiff") or config.getini("schemadiff_enabled")):
        return
    chosen = config.getini("schemadiff_tests") or list(TESTS)
    unknown = sorted(set(chosen) - set(CHECKS))
    if unknown:
        raise pytest.UsageError(
            f"schemadiff_tests: unknown test(s) {', '.join(unknown)}; choose from {', '.join(TESTS)}"
        )
    if named and "" not in named:
        unknown = sorted(set(named) - set(CHECKS))
        if unknown:
            raise pytest.UsageError(
                f"no schemadiff test named {', '.join(unknown)}; choose from {', '.join(TESTS)}"
            )
        chosen = named
    group = MigrationTests.from_parent(session, name=GROUP, nodeid=GROUP)
    for name in TESTS:
        if name in chosen:
            items.append(MigrationTestItem.from_parent(group, name=name, check=CHECKS[name]))


class MigrationTests(pytest.Collector):
    """The parent of the migration tests, so their ids read ``schemadiff::<test>``."""

    def collect(self) -> list[pytest.Item]:
        return []
