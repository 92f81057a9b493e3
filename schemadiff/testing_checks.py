"""The four migration tests of the pytest plugin (``schemadiff.testing``).

Each test starts from an empty scratch database of its own, and a failure
is one short message saying what is wrong (a step's error, the drift, the
schema differences), not the traceback of a cleanup that failed after it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from schemadiff.testing_diff import describe_differences, describe_object_differences

if TYPE_CHECKING:
    from schemadiff.testing import MigrationTestItem


class MigrationTestFailure(AssertionError):
    """A migration test failed; its text is the whole report."""


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


def _empty_database(item: MigrationTestItem) -> None:
    """Drop every table, sequence and PostgreSQL enum type of a scratch database given by URL.

    Not through ``downgrade base``: a broken downgrade is what the tests
    look for, and must not stop the tests after the one that finds it.
    The default scratch database is a new file per test and needs nothing.
    """
    if not item.uses_given_url():
        return
    import sqlalchemy as sa
    from sqlalchemy.dialects.postgresql.base import PGInspector

    engine = sa.create_engine(item.scratch_url())
    try:
        with engine.begin() as conn:
            metadata = sa.MetaData()
            metadata.reflect(conn)
            metadata.drop_all(conn)
            inspector = sa.inspect(conn)
            quote = conn.dialect.identifier_preparer.quote
            if conn.dialect.supports_sequences:
                for name in inspector.get_sequence_names():
                    conn.execute(sa.text(f"DROP SEQUENCE IF EXISTS {quote(name)}"))
            if isinstance(inspector, PGInspector):
                for enum in inspector.get_enums():
                    conn.execute(sa.text(f"DROP TYPE IF EXISTS {quote(enum['name'])}"))
    finally:
        engine.dispose()


def _step(what: str, action: Callable[[], object]) -> None:
    """Run one command; its error (which names the revision and script) is the report."""
    try:
        action()
    except Exception as exc:
        raise MigrationTestFailure(f"'{what}' failed: {exc}") from exc


def _upgrade(item: MigrationTestItem, rev: str) -> None:
    from schemadiff import command

    command.upgrade(item.config_for(), rev)


def _upgrade_downgrade(item: MigrationTestItem) -> None:
    from schemadiff import command

    _empty_database(item)
    revisions = _ordered_revisions(item)
    for rev in revisions:
        _step(f"upgrade {rev}", partial(_upgrade, item, rev))
    for _ in revisions:
        _step("downgrade -1", lambda: command.downgrade(item.config_for(), "-1"))


def _models_match_head(item: MigrationTestItem) -> None:
    from schemadiff import command

    _empty_database(item)
    _step("upgrade heads", lambda: command.upgrade(item.config_for(), "heads"))
    cfg = item.config_for()
    drifted: list[bool] = []
    _step("check", lambda: drifted.append(command.check(cfg)))
    if drifted[0]:
        raise MigrationTestFailure(
            "the models do not match the database at head; autogenerate a revision:\n"
            + cfg.stdout.getvalue()
        )


def _downgrade_reverses_upgrade(item: MigrationTestItem) -> None:
    import sqlalchemy as sa

    from schemadiff import command
    from schemadiff.snapshot import reflect_snapshot

    _empty_database(item)
    engine = sa.create_engine(item.scratch_url())

    def snapshot() -> Any:
        with engine.connect() as conn:
            return reflect_snapshot(conn, exclude_tables=[(None, "schemadiff_version")])

    try:
        for rev in _ordered_revisions(item):
            before = snapshot()
            _step(f"upgrade {rev}", partial(_upgrade, item, rev))
            _step("downgrade -1", lambda: command.downgrade(item.config_for(), "-1"))
            after = snapshot()
            differences = describe_differences(
                before.tables, after.tables
            ) + describe_object_differences(before, after)
            if differences:
                raise MigrationTestFailure(
                    f"downgrade of revision {rev} does not undo its upgrade; "
                    "after the downgrade, compared with before the upgrade:\n"
                    + "\n".join(f"  {line}" for line in differences)
                )
            _step(f"upgrade {rev}", partial(_upgrade, item, rev))
    finally:
        engine.dispose()


CHECKS: dict[str, Callable[[MigrationTestItem], None]] = {
    "single_head": _single_head,
    "upgrade_downgrade": _upgrade_downgrade,
    "models_match_head": _models_match_head,
    "downgrade_reverses_upgrade": _downgrade_reverses_upgrade,
}
