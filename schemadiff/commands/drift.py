"""``check``: compare database and models, report drift."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schemadiff.commands._env import current_env, run_env
from schemadiff.config import Config
from schemadiff.console import is_terminal
from schemadiff.errors import CommandError
from schemadiff.redact import mask_url
from schemadiff.scriptdir import ScriptDirectory

if TYPE_CHECKING:
    from schemadiff.runtime.migration import MigrationContext


#: ``config.attributes`` key: what the report names as the compared database
#: (``check --dev-url`` says the schema came from replayed migrations)
DATABASE_LABEL = "check_database_label"


# -- check ---------------------------------------------------------------------
def check(config: Config, format: str = "text", output: str | None = None) -> bool:
    """Compare database and models; returns True when they drifted.

    The report names, where it can, the model source line behind each
    difference.  Text on a terminal is a rich table; ``output`` writes the
    report to a file instead of stdout.
    """
    import logging

    from schemadiff.autogenerate import produce_upgrade_ops
    from schemadiff.renderers.report import Report, UnknownFormat, formatter_for
    from schemadiff.renderers.report.locate import locate_changes

    try:
        formatter = formatter_for(format)
    except UnknownFormat as exc:
        raise CommandError(str(exc)) from None
    script = ScriptDirectory.from_config(config)
    databases: list[str] = []
    changes: list[Any] = []
    root = _source_root()

    def fn(mc: MigrationContext, kw: dict[str, Any]) -> None:
        # Called once per engine by a multidb env.py: one report for all.
        env = current_env(config)
        metadata = env.options.get("target_metadata")
        upgrade = produce_upgrade_ops(mc, metadata, env.options)
        url = mask_url(mc.connection.engine.url) if mc.connection else ""
        databases.append(url)
        changes.extend(
            locate_changes(
                assess_changes(mc, upgrade, estimates=DATABASE_LABEL not in config.attributes),
                metadata,
                root=root,
                env_py=script.env_py,
            )
        )

    run_env(config, script, fn, compares=True)
    if not databases:
        raise CommandError("env.py did not call context.run_migrations(); nothing was compared")
    label = config.attributes.get(DATABASE_LABEL) or ", ".join(databases)
    report = Report(label, tuple(changes), source_root=str(root))
    if output:
        Path(output).write_text(formatter(report) + "\n", encoding="utf-8")
        logging.getLogger("schemadiff.check").info(
            "%s; %s report written to %s",
            f"{len(report.changes)} difference(s) found" if report.drift else "No drift",
            format,
            output,
        )
    elif format == "text" and is_terminal(config.stdout):
        from rich.console import Console

        from schemadiff.renderers.report.text_format import render_rich

        render_rich(report, Console(file=config.stdout))
    else:
        config.print_stdout(formatter(report))
    return report.drift


def assess_changes(mc: MigrationContext, upgrade: Any, *, estimates: bool = True) -> list[Any]:
    """The changes of ``upgrade`` with their hazards, sized by the server's estimates.

    A scratch database (``check --dev-url``) has no rows worth estimating:
    its hazards are judged as offline, every table possibly full.
    """
    from schemadiff.autogenerate import changes_of

    connection = mc.connection if estimates else None
    return changes_of(mc.dialect, connection, upgrade.ops, safe_migrations=mc.opts.safe_migrations)


def _source_root() -> Path:
    """What report paths are relative to: the repository in GitHub Actions
    (annotations and code scanning want repository paths), else the working
    directory."""
    cwd = Path.cwd().resolve()
    workspace = os.environ.get("GITHUB_WORKSPACE")
    if workspace:
        root = Path(workspace).resolve()
        if cwd == root or root in cwd.parents:
            return root
    return cwd
