"""``lint``: the hazards of the directives in revision scripts, without running them.

Each script in the range is imported and its ``upgrade()`` called against
a recording ``op`` (``schemadiff.hazards.recording``): directives are
collected, never executed, and classified by the same backend rules as
``check``, offline (no row estimates, so every existing table may hold
rows).  The default range is what the database has not applied yet, found
by reading the version table only; ``-r START:END`` names the range
instead, and needs no database unless it says ``current``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from schemadiff.commands._env import run_env
from schemadiff.commands.drift import _source_root
from schemadiff.config import Config
from schemadiff.errors import CommandError
from schemadiff.runtime.safe import config_options
from schemadiff.scriptdir import ScriptDirectory

log = logging.getLogger("schemadiff.lint")

FORMATS = ("text", "json", "github", "sarif")


def lint(config: Config, rev_range: str | None = None, format: str = "text") -> bool:
    """Report the hazards of the scripts in ``rev_range``; True when any was found."""
    from schemadiff.hazards import context_for, op_hazards
    from schemadiff.hazards.recording import record_upgrade
    from schemadiff.renderers.report.lint_formats import Finding, LintReport, render_lint
    from schemadiff.revisions import load_module

    if format not in FORMATS:
        raise CommandError(f"Unknown lint format {format!r}; expected one of {', '.join(FORMATS)}")
    script = ScriptDirectory.from_config(config)
    graph = script.graph
    dialect, ids = _selection(config, script, graph, rev_range)
    # the config key (lint runs no env.py, where configure() may also set it)
    safe = bool(config_options(config, {}).get("safe_migrations"))
    root = _source_root()
    findings: list[Finding] = []
    for rev_id in ids:
        revision = graph.get(rev_id)
        if revision.path is None:
            continue
        path = _shown(revision.path, root)
        recording = record_upgrade(load_module(revision), revision.path, dialect)
        ops = [r.op for r in recording.directives]
        ctx = context_for(dialect.name, ops, safe_migrations=safe)
        for recorded in recording.directives:
            hazards = op_hazards(recorded.op, ctx)
            if hazards:
                findings.append(Finding(rev_id, path, recorded.line, recorded.op, tuple(hazards)))
        if recording.stopped:
            findings.append(Finding.stopped(rev_id, path, recording.stopped))
    report = LintReport(dialect.name, tuple(ids), tuple(findings), str(root))
    config.print_stdout(render_lint(report, format))
    return report.hazardous


def _selection(
    config: Config, script: ScriptDirectory, graph: Any, rev_range: str | None
) -> tuple[Any, list[str]]:
    """The backend's dialect and the revisions to read, oldest first."""
    from schemadiff.revisions import history_revisions

    if rev_range is not None and "current" not in rev_range:
        ids = history_revisions(graph, rev_range, ())
        return _configured_dialect(config), graph.upgrade_order(ids)
    found: list[tuple[Any, tuple[str, ...]]] = []

    def fn(mc: Any, kw: dict[str, Any]) -> None:
        found.append((mc.dialect, mc.get_current_heads()))

    run_env(config, script, fn, purpose="inspect")
    if not found:
        raise CommandError("env.py did not call context.run_migrations(); nothing was read")
    dialect, heads = found[0]
    if rev_range is not None:
        return dialect, graph.upgrade_order(history_revisions(graph, rev_range, heads))
    applied = graph.ancestors(heads) if heads else set()
    return dialect, graph.upgrade_order(set(graph.ids) - applied)


def _configured_dialect(config: Config) -> Any:
    """The dialect of ``sqlalchemy.url``, without connecting."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise CommandError(
            "lint -r needs sqlalchemy.url in the configuration to know the backend's rules"
        )
    try:
        return make_url(url).get_dialect()()
    except (ArgumentError, NoSuchModuleError) as exc:
        raise CommandError(f"lint cannot read sqlalchemy.url: {exc}") from None


def _shown(path: str, root: Path) -> str:
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(root).as_posix()
    except ValueError:
        return str(resolved)
