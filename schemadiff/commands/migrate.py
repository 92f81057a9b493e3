"""``upgrade``, ``downgrade`` and ``stamp``: moving the database along the graph."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from schemadiff.commands._env import run_env, split_range
from schemadiff.config import Config
from schemadiff.errors import CommandError
from schemadiff.scriptdir import ScriptDirectory

if TYPE_CHECKING:
    from schemadiff.runtime.migration import MigrationContext


def upgrade(config: Config, revision: str, sql: bool = False, tag: str | None = None) -> None:
    from schemadiff.revisions import plan_upgrade

    _move(config, revision, sql, tag, plan_upgrade, "upgrade")


def downgrade(config: Config, revision: str, sql: bool = False, tag: str | None = None) -> None:
    from schemadiff.revisions import plan_downgrade

    if sql and ":" not in revision:
        raise CommandError("downgrade with --sql requires <fromrev>:<torev>")
    _move(config, revision, sql, tag, plan_downgrade, "downgrade")


def _move(
    config: Config,
    revision: str,
    sql: bool,
    tag: str | None,
    plan: Callable[[Any, Sequence[str], str], list[Any]],
    purpose: str,
) -> None:
    """Run the steps ``plan`` finds from the current rows to ``revision``."""
    script = ScriptDirectory.from_config(config)
    graph = script.graph
    starting_rev, target = split_range(graph, revision, sql)

    def fn(mc: MigrationContext, kw: dict[str, Any]) -> None:
        from schemadiff.runtime.runner import Runner

        runner = Runner(mc)
        runner.preload(graph)
        with mc.run_lock():  # the version table is read under the lock
            steps = plan(graph, mc.get_current_heads(), target)
            runner.run_steps(steps, kw, replan=lambda rows: plan(graph, rows, target))

    run_env(
        config,
        script,
        fn,
        as_sql=sql,
        destination_rev=target,
        starting_rev=starting_rev,
        tag=tag,
        purpose=purpose,
    )


def stamp(
    config: Config,
    revision: str | Sequence[str],
    sql: bool = False,
    tag: str | None = None,
    purge: bool = False,
) -> None:
    """Set the version table to the given revisions without running any migration."""
    from schemadiff.revisions import plan_stamp

    script = ScriptDirectory.from_config(config)
    graph = script.graph
    targets = [revision] if isinstance(revision, str) else list(revision)
    starting_rev: str | None = None
    if sql and any(":" in t for t in targets):
        if len(targets) != 1:
            raise CommandError("stamp --sql takes one START:END range")
        starting_rev, end = split_range(graph, targets[0], sql)
        targets = [end]
    elif any(":" in t for t in targets):
        raise CommandError("Range revision not allowed")

    def fn(mc: MigrationContext, kw: dict[str, Any]) -> None:
        from schemadiff.runtime.runner import Runner

        runner = Runner(mc)
        runner.preload(graph)
        # Planned from the rows read under the run lock (and again inside the
        # writing transaction), so a concurrent upgrade cannot move the rows
        # between reading and writing them.
        runner.stamp(lambda rows: plan_stamp(graph, rows, targets, purge))

    run_env(
        config,
        script,
        fn,
        as_sql=sql,
        destination_rev=",".join(targets),
        starting_rev=starting_rev,
        tag=tag,
        purpose="stamp",
    )


def ensure_version(config: Config, sql: bool = False) -> None:
    """Create the version table if it is missing, running no migration.

    With ``sql``, print its ``CREATE TABLE`` instead (offline mode).
    """
    script = ScriptDirectory.from_config(config)

    def fn(mc: MigrationContext, kw: dict[str, Any]) -> None:
        with mc.run_lock():
            mc.ensure_version()

    run_env(config, script, fn, as_sql=sql, purpose="ensure_version")
