"""``current``, ``history``, ``heads``, ``branches``, ``show``, ``edit``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from schemadiff.commands._env import run_env
from schemadiff.config import Config
from schemadiff.errors import CommandError
from schemadiff.redact import mask_url
from schemadiff.scriptdir import ScriptDirectory

if TYPE_CHECKING:
    from schemadiff.runtime.migration import MigrationContext

# -- inspection ----------------------------------------------------------------


def current(config: Config, verbose: bool = False, check_heads: bool = False) -> None:
    """The version table's rows; with ``check_heads``, an error unless they are the heads."""
    from schemadiff.revisions import current_lines, resolve

    script = ScriptDirectory.from_config(config)
    graph = script.graph

    def fn(mc: MigrationContext, kw: dict[str, Any]) -> None:
        from schemadiff.revisions.identifiers import check_current

        heads = mc.get_current_heads()
        check_current(graph, heads)  # a row no script defines: say so, and how to clear it
        if check_heads and set(heads) != set(resolve(graph, "heads")):
            raise CommandError("Database is not on all head revisions")
        if verbose:
            url = mask_url(mc.connection.engine.url) if mc.connection else ""
            config.print_stdout(f"Current revision(s) for {url}:")
        _emit(config, current_lines(graph, heads, verbose=verbose), graph)

    run_env(config, script, fn)


def history(
    config: Config,
    rev_range: str | None = None,
    verbose: bool = False,
    indicate_current: bool = False,
    graph_drawing: bool = False,
) -> None:
    from schemadiff.revisions import history_lines, history_revisions
    from schemadiff.revisions.drawing import draw_history

    script = ScriptDirectory.from_config(config)
    graph = script.graph
    if graph_drawing and verbose:
        raise CommandError("history --graph draws one line per revision; drop --verbose")

    def emit(current: Sequence[str]) -> None:
        ids = history_revisions(graph, rev_range, current)
        lines = history_lines(
            graph, ids, verbose=verbose, current=current if indicate_current else ()
        )
        if graph_drawing:
            lines = draw_history(graph, ids, lines)
        _emit(config, lines, graph)

    if indicate_current or (rev_range is not None and "current" in rev_range):
        run_env(config, script, lambda mc, kw: emit(mc.get_current_heads()))
    else:
        emit(())


def heads(config: Config, verbose: bool = False, resolve_dependencies: bool = False) -> None:
    from schemadiff.revisions import heads_lines

    script = ScriptDirectory.from_config(config)
    _emit(
        config,
        heads_lines(script.graph, verbose=verbose, resolve_dependencies=resolve_dependencies),
        script.graph,
    )


def branches(config: Config, verbose: bool = False) -> None:
    from schemadiff.revisions import branches_lines

    script = ScriptDirectory.from_config(config)
    _emit(config, branches_lines(script.graph, verbose=verbose), script.graph)


def show(config: Config, rev: str) -> None:
    from schemadiff.revisions import resolve, show_lines

    script = ScriptDirectory.from_config(config)
    _emit(config, show_lines(script.graph, resolve(script.graph, rev)), script.graph)


def edit(config: Config, rev: str) -> None:
    from schemadiff.revision_glue import resolve_revision

    script = ScriptDirectory.from_config(config)
    revision_obj = resolve_revision(script.graph, rev)
    editor = os.environ.get("EDITOR") or os.environ.get("VISUAL")
    if not editor:
        raise CommandError("No editor set; set $EDITOR to edit revision files")
    import shlex
    import subprocess  # here: the listing commands in this module never start one

    proc = subprocess.run([*shlex.split(editor), str(revision_obj.path)])
    if proc.returncode != 0:
        raise CommandError(f"Editor {editor!r} exited with status {proc.returncode}")


def _emit(config: Config, lines: Sequence[str], graph: Any = None) -> None:
    from schemadiff.console import print_lines

    ids = graph.ids if graph is not None else ()
    print_lines(config.stdout, lines, config.print_stdout, revision_ids=ids)
