"""Running env.py for a command, and the helpers every command shares."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from schemadiff import gc_policy
from schemadiff.config import Config
from schemadiff.errors import CommandError
from schemadiff.scriptdir import ScriptDirectory

if TYPE_CHECKING:
    from schemadiff.runtime.environment import EnvironmentContext


def current_env(config: Config) -> EnvironmentContext:
    from schemadiff.runtime.environment import current_environment

    return current_environment()


def run_env(
    config: Config,
    script: ScriptDirectory,
    fn: Any,
    *,
    as_sql: bool = False,
    destination_rev: str | None = None,
    starting_rev: str | None = None,
    tag: str | None = None,
    purpose: str = "migrate",
    compares: bool = False,
) -> EnvironmentContext:
    """``compares``: env.py builds the model for a comparison, which stays alive
    to the end, so full collections wait (``gc_policy.young_only``)."""
    # Imported here: commands that never run env.py (heads, history, ...)
    # then never pay for importing SQLAlchemy.
    from schemadiff.runtime.environment import EnvironmentContext, activate

    env = EnvironmentContext(
        config,
        fn=fn,
        as_sql=as_sql,
        destination_rev=destination_rev,
        starting_rev=starting_rev,
        tag=tag,
        purpose=purpose,
    )
    policy = gc_policy.young_only() if compares else contextlib.nullcontext()
    with activate(env), policy:
        try:
            script.run_env()
        except SystemExit as exc:
            # env.py (or a script it ran) ended the process: never silently
            raise CommandError(
                f"{script.env_py} called sys.exit({exc.code!r}); the command stopped there"
            ) from exc
    return env


# -- upgrade / downgrade -------------------------------------------------------
def split_range(graph: Any, revision: str, sql: bool) -> tuple[str | None, str]:
    """``START:END`` (offline only): START becomes the assumed version-table rows."""
    if ":" not in revision:
        return None, revision
    if not sql:
        raise CommandError("Range revision not allowed")
    from schemadiff.revisions import resolve

    start, _, end = revision.partition(":")
    start_ids = resolve(graph, start) if start else ()
    return ",".join(start_ids) or None, end
