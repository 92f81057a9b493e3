"""Every command as a plain function: ``schemadiff.command.<verb>(config, ...)``.

Commands raise typed errors; only the command line prints ``FAILED:`` and
exits.  Output goes through ``config.print_stdout`` so it can be captured.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from schemadiff.config import Config
from schemadiff.errors import CommandError
from schemadiff.runtime.environment import EnvironmentContext, activate
from schemadiff.runtime.migration import MigrationContext
from schemadiff.scriptdir import ScriptDirectory, new_rev_id

TEMPLATES_DIR = Path(__file__).parent / "templates"


def _template_description(path: Path) -> str:
    readme = path / "README"
    if readme.exists():
        return readme.read_text(encoding="utf-8").strip().splitlines()[0]
    return ""


def list_templates(config: Config) -> None:
    config.print_stdout("Available templates:\n")
    for path in sorted(
        p for p in TEMPLATES_DIR.iterdir() if p.is_dir() and not p.name.startswith("_")
    ):
        config.print_stdout(f"{path.name} - {_template_description(path)}")
    config.print_stdout("\nTemplates are used via the 'init' command, e.g.:")
    config.print_stdout("\n  schemadiff init --template generic ./scripts")


def init(config: Config, directory: str, template: str = "generic", package: bool = False) -> None:
    template_dir = TEMPLATES_DIR / template
    if not template_dir.is_dir():
        raise CommandError(f"No such template {template!r}; see 'schemadiff list_templates'")
    target = Path(directory)
    if target.exists() and any(target.iterdir()):
        raise CommandError(f"Directory {target.resolve()} already exists and is not empty")
    abs_target = target.resolve()
    for d in (abs_target, abs_target / "versions"):
        if not d.exists():
            d.mkdir(parents=True)
            config.print_stdout(f"Creating directory {d}...done")
    config_file = Path(config.config_file_name or "schemadiff.ini").resolve()
    files = sorted(p for p in template_dir.iterdir() if p.is_file())
    for src in files:
        if src.name.endswith(".ini.mako") or src.name == "pyproject.toml.mako":
            if src.name == "pyproject.toml.mako":
                dest = config_file.parent / "pyproject.toml"
            else:
                dest = config_file
            from mako.template import Template

            text = Template(filename=str(src)).render_unicode(script_location=directory)
            if dest.name == "pyproject.toml" and dest.exists():
                existing = dest.read_text(encoding="utf-8")
                if "[tool.schemadiff]" in existing:
                    config.print_stdout(f"File {dest} already has [tool.schemadiff], skipping")
                    continue
                dest.write_text(existing.rstrip("\n") + "\n\n" + text, encoding="utf-8")
                config.print_stdout(f"Appending to {dest}...done")
                continue
            if dest.exists():
                config.print_stdout(f"File {dest} already exists, skipping")
                continue
            dest.write_text(text, encoding="utf-8")
            config.print_stdout(f"Generating {dest}...done")

    for src in files:
        if src.name.endswith(".ini.mako") or src.name == "pyproject.toml.mako":
            continue
        dest = abs_target / src.name
        shutil.copyfile(src, dest)
        config.print_stdout(f"Generating {dest}...done")
    if package:
        for d in (abs_target, abs_target / "versions"):
            (d / "__init__.py").write_text("", encoding="utf-8")
    config.print_stdout(
        f"Please edit configuration/connection/logging settings in\n'{config_file}' before proceeding."
    )


# -- revision ------------------------------------------------------------------
def revision(
    config: Config,
    message: str | None = None,
    autogenerate: bool = False,
    sql: bool = False,
    head: str = "head",
    splice: bool = False,
    branch_label: str | Sequence[str] | None = None,
    version_path: str | None = None,
    rev_id: str | None = None,
    depends_on: str | Sequence[str] | None = None,
    process_revision_directives: Any = None,
) -> list[Path]:
    from schemadiff.ops import MigrationScript
    from schemadiff.revision_glue import check_up_to_date, resolve_depends_on, resolve_parent

    script = ScriptDirectory.from_config(config)
    if autogenerate and sql:
        raise CommandError("Using --sql with --autogenerate does not make any sense")
    graph = script.graph
    down_revision = resolve_parent(graph, head, splice)
    rev_id = rev_id or new_rev_id()
    labels = _labels(branch_label)
    deps = resolve_depends_on(graph, depends_on)
    directives = [
        MigrationScript(
            rev_id=rev_id,
            message=message,
            head=head,
            splice=splice,
            branch_label=labels,
            version_path=version_path,
            depends_on=deps,
        )
    ]
    # --sql only says how env.py runs when it runs; on its own it runs nothing.
    run_env = autogenerate or _bool(config.get_main_option("revision_environment"))

    # upgrade token -> (configure() options, dialect) of the run that made it;
    # a multidb env.py runs once per engine, each with its own tokens.
    rendering: dict[str, tuple[dict[str, Any], Any]] = {}

    def fn(mc: MigrationContext, kw: dict[str, Any]) -> None:
        env = _env_of(config)
        up_token = env.options.get("upgrade_token") or "upgrades"
        if autogenerate and directives:
            from schemadiff.autogenerate import produce_upgrade_ops

            check_up_to_date(graph, mc.get_current_heads(), down_revision)
            upgrade = produce_upgrade_ops(mc, env.options.get("target_metadata"), env.options)
            upgrade.upgrade_token = up_token
            downgrade = upgrade.reverse()
            downgrade.upgrade_token = env.options.get("downgrade_token") or "downgrades"
            if rendering:  # a later engine: its ops go beside the first one's
                directives[0].upgrade_ops_list.append(upgrade)
                directives[0].downgrade_ops_list.append(downgrade)
            else:
                directives[0].upgrade_ops = upgrade
                directives[0].downgrade_ops = downgrade
            _log_detected(upgrade)
        rendering[up_token] = (env.options, mc.dialect)
        hook = env.options.get("process_revision_directives") or process_revision_directives
        if hook is not None:
            hook(mc, (rev_id, down_revision), directives)
        config.attributes["_autogen_options"] = env.options
        config.attributes["_autogen_dialect"] = mc.dialect

    if run_env:
        _run_env(config, script, fn, as_sql=sql)
    elif process_revision_directives is not None:
        process_revision_directives(None, (rev_id, down_revision), directives)
    paths: list[Path] = []
    for directive in directives:
        paths.append(
            _write_script(config, script, graph, directive, down_revision, version_path, rendering)
        )
    return paths


def _write_script(
    config: Config,
    script: ScriptDirectory,
    graph: Any,
    directive: Any,
    down_revision: Any,
    version_path: str | None,
    rendering: dict[str, tuple[dict[str, Any], Any]] | None = None,
) -> Path:
    from schemadiff.plugins import default_registries
    from schemadiff.renderers.python import AutogenContext, template_args
    from schemadiff.revision_glue import version_path_for

    rendering = rendering or {}
    fallback = (
        config.attributes.get("_autogen_options", {}),
        config.attributes.get("_autogen_dialect"),
    )

    def make_context(token: str, imports: set[str]) -> AutogenContext:
        options, dialect = rendering.get(token, fallback)
        return AutogenContext(
            dialect=dialect,
            metadata=options.get("target_metadata"),
            imports=imports,
            render_item=options.get("render_item"),
            sqlalchemy_module_prefix=options.get("sqlalchemy_module_prefix") or "sa.",
            user_module_prefix=options.get("user_module_prefix"),
            op_prefix=options.get("alembic_module_prefix") or "op.",
            render_as_batch=bool(options.get("render_as_batch", False)),
        )

    args = template_args(directive, make_context, default_registries().renderers)
    target_dir = version_path_for(
        script, graph, down_revision, directive.version_path or version_path
    )
    labels = directive.branch_label or None
    path = script.write_revision(
        directive.rev_id or new_rev_id(),
        directive.message,
        down_revision=down_revision,
        branch_labels=labels,
        depends_on=directive.depends_on or None,
        version_path=target_dir,
        config=config,
        **args,
    )
    config.print_stdout(f"  Generating {path} ... done")
    if labels:
        _check_labels_written(path, directive.rev_id or path.name.split("_")[0], labels)
    return path


def _check_labels_written(path: Path, rev_id: str, labels: Sequence[str]) -> None:
    """An old script.py.mako may not render ``branch_labels``; say so, as the seeds do."""
    import ast

    written: Any = None
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except SyntaxError as exc:
        raise CommandError(
            f"The generated revision file {path} is not valid Python: {exc}"
        ) from exc
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "branch_labels" for t in node.targets
        ):
            try:
                written = ast.literal_eval(node.value)
            except ValueError:
                written = None
    have = {written} if isinstance(written, str) else set(written or ())
    if not set(labels) <= have:
        raise CommandError(
            f"Version {rev_id} specified branch_labels {', '.join(labels)}, however the "
            f"migration file {path} does not have them; have you upgraded your "
            "script.py.mako to include the 'branch_labels' section?"
        )


def _labels(branch_label: str | Sequence[str] | None) -> tuple[str, ...] | None:
    if branch_label is None:
        return None
    if isinstance(branch_label, str):
        return (branch_label,)
    return tuple(branch_label)


def _log_detected(upgrade: Any) -> None:
    import logging

    log = logging.getLogger("schemadiff.autogenerate.compare")
    from schemadiff.renderers.describe import describe_change

    for change in upgrade.to_changes():
        log.info("Detected %s", describe_change(change))


def _bool(value: str | None) -> bool:
    return (value or "").strip().lower() in ("true", "1", "yes", "on")


def _env_of(config: Config) -> EnvironmentContext:
    from schemadiff.runtime.environment import current_environment

    return current_environment()


def _run_env(
    config: Config,
    script: ScriptDirectory,
    fn: Any,
    *,
    as_sql: bool = False,
    destination_rev: str | None = None,
    starting_rev: str | None = None,
    tag: str | None = None,
    purpose: str = "migrate",
) -> EnvironmentContext:
    env = EnvironmentContext(
        config,
        fn=fn,
        as_sql=as_sql,
        destination_rev=destination_rev,
        starting_rev=starting_rev,
        tag=tag,
        purpose=purpose,
    )
    with activate(env):
        script.run_env()
    return env


# -- upgrade / downgrade -------------------------------------------------------
def _split_range(graph: Any, revision: str, sql: bool) -> tuple[str | None, str]:
    """``START:END`` (offline only): START becomes the assumed version-table rows."""
    if ":" not in revision:
        return None, revision
    if not sql:
        raise CommandError("Range revision not allowed")
    from schemadiff.revisions import resolve

    start, _, end = revision.partition(":")
    start_ids = resolve(graph, start) if start else ()
    return ",".join(start_ids) or None, end


def upgrade(config: Config, revision: str, sql: bool = False, tag: str | None = None) -> None:
    from schemadiff.revisions import plan_upgrade

    script = ScriptDirectory.from_config(config)
    graph = script.graph
    starting_rev, target = _split_range(graph, revision, sql)

    def fn(mc: MigrationContext, kw: dict[str, Any]) -> None:
        with mc.run_lock():  # the version table is read under the lock
            heads = mc.get_current_heads()
            steps = plan_upgrade(graph, heads, target)
            mc.run_steps(steps, kw, replan=lambda rows: plan_upgrade(graph, rows, target))

    _run_env(
        config,
        script,
        fn,
        as_sql=sql,
        destination_rev=target,
        starting_rev=starting_rev,
        tag=tag,
        purpose="upgrade",
    )


def downgrade(config: Config, revision: str, sql: bool = False, tag: str | None = None) -> None:
    from schemadiff.revisions import plan_downgrade

    script = ScriptDirectory.from_config(config)
    graph = script.graph
    if sql and ":" not in revision:
        raise CommandError("downgrade with --sql requires <fromrev>:<torev>")
    starting_rev, target = _split_range(graph, revision, sql)

    def fn(mc: MigrationContext, kw: dict[str, Any]) -> None:
        with mc.run_lock():  # the version table is read under the lock
            heads = mc.get_current_heads()
            steps = plan_downgrade(graph, heads, target)
            mc.run_steps(steps, kw, replan=lambda rows: plan_downgrade(graph, rows, target))

    _run_env(
        config,
        script,
        fn,
        as_sql=sql,
        destination_rev=target,
        starting_rev=starting_rev,
        tag=tag,
        purpose="downgrade",
    )


def merge(
    config: Config,
    revisions: str | Sequence[str],
    message: str | None = None,
    branch_label: str | Sequence[str] | None = None,
    rev_id: str | None = None,
) -> Path:
    """Write a revision whose parents are the given revisions (or all ``heads``)."""
    from schemadiff.revisions import resolve

    script = ScriptDirectory.from_config(config)
    graph = script.graph
    wanted = [revisions] if isinstance(revisions, str) else list(revisions)
    parents: list[str] = []
    for ident in wanted:
        for rev in resolve(graph, ident):
            if rev not in parents:
                parents.append(rev)
    if len(parents) < 2:
        raise CommandError(
            f"merge needs at least two revisions to join; {', '.join(wanted)} gave "
            f"{', '.join(parents) or 'none'}"
        )
    if _bool(config.get_main_option("revision_environment")):
        _run_env(config, script, None)
    from schemadiff.ops import MigrationScript

    directive = MigrationScript(
        rev_id=rev_id or new_rev_id(), message=message, branch_label=_labels(branch_label)
    )
    return _write_script(config, script, graph, directive, tuple(parents), None)


def stamp(
    config: Config,
    revision: str | Sequence[str],
    sql: bool = False,
    tag: str | None = None,
    purge: bool = False,
) -> None:
    """Set the version table to the given revisions without running any migration."""
    import logging

    from schemadiff.revisions import plan_stamp

    script = ScriptDirectory.from_config(config)
    graph = script.graph
    targets = [revision] if isinstance(revision, str) else list(revision)
    starting_rev: str | None = None
    if sql and any(":" in t for t in targets):
        if len(targets) != 1:
            raise CommandError("stamp --sql takes one START:END range")
        starting_rev, end = _split_range(graph, targets[0], sql)
        targets = [end]
    elif any(":" in t for t in targets):
        raise CommandError("Range revision not allowed")
    log = logging.getLogger("schemadiff.runtime.migration")

    def fn(mc: MigrationContext, kw: dict[str, Any]) -> None:
        # Plan under the run lock, so a concurrent upgrade cannot move the
        # rows between reading and writing them.
        with mc.run_lock():
            changes = plan_stamp(graph, mc.get_current_heads(), targets, purge)
            for change in changes:
                log.info(
                    "Running stamp_revision %s -> %s", change.from_rev or "", change.to_rev or ""
                )
            mc.stamp(changes)

    _run_env(
        config,
        script,
        fn,
        as_sql=sql,
        destination_rev=",".join(targets),
        starting_rev=starting_rev,
        tag=tag,
        purpose="stamp",
    )


# -- inspection ----------------------------------------------------------------


def current(config: Config, verbose: bool = False) -> None:
    from schemadiff.revisions import current_lines

    script = ScriptDirectory.from_config(config)
    graph = script.graph

    def fn(mc: MigrationContext, kw: dict[str, Any]) -> None:
        heads = mc.get_current_heads()
        if verbose:
            url = (
                mc.connection.engine.url.render_as_string(hide_password=True)
                if mc.connection
                else ""
            )
            config.print_stdout(f"Current revision(s) for {url}:")
        for line in current_lines(graph, heads, verbose=verbose):
            config.print_stdout(line)

    _run_env(config, script, fn)


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
        for line in lines:
            config.print_stdout(line)

    if indicate_current or (rev_range is not None and "current" in rev_range):
        _run_env(config, script, lambda mc, kw: emit(mc.get_current_heads()))
    else:
        emit(())


def heads(config: Config, verbose: bool = False, resolve_dependencies: bool = False) -> None:
    from schemadiff.revisions import heads_lines

    script = ScriptDirectory.from_config(config)
    for line in heads_lines(
        script.graph, verbose=verbose, resolve_dependencies=resolve_dependencies
    ):
        config.print_stdout(line)


def branches(config: Config, verbose: bool = False) -> None:
    from schemadiff.revisions import branches_lines

    script = ScriptDirectory.from_config(config)
    for line in branches_lines(script.graph, verbose=verbose):
        config.print_stdout(line)


def show(config: Config, rev: str) -> None:
    from schemadiff.revisions import resolve, show_lines

    script = ScriptDirectory.from_config(config)
    for line in show_lines(script.graph, resolve(script.graph, rev)):
        config.print_stdout(line)


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
        env = _env_of(config)
        metadata = env.options.get("target_metadata")
        upgrade = produce_upgrade_ops(mc, metadata, env.options)
        url = mc.connection.engine.url.render_as_string(hide_password=True) if mc.connection else ""
        databases.append(url)
        changes.extend(
            locate_changes(upgrade.to_changes(), metadata, root=root, env_py=script.env_py)
        )

    _run_env(config, script, fn)
    if not databases:
        raise CommandError("env.py did not call context.run_migrations(); nothing was compared")
    report = Report(", ".join(databases), tuple(changes), source_root=str(root))
    if output:
        Path(output).write_text(formatter(report) + "\n", encoding="utf-8")
        logging.getLogger("schemadiff.check").info(
            "%s; %s report written to %s",
            f"{len(report.changes)} difference(s) found" if report.drift else "No drift",
            format,
            output,
        )
    elif format == "text" and _is_terminal(config.stdout):
        from rich.console import Console

        from schemadiff.renderers.report.text_format import render_rich

        render_rich(report, Console(file=config.stdout))
    else:
        config.print_stdout(formatter(report))
    return report.drift


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


def _is_terminal(stream: Any) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except (ValueError, OSError):  # a closed or detached stream
        return False


def edit(config: Config, rev: str) -> None:
    from schemadiff.revision_glue import resolve_revision

    script = ScriptDirectory.from_config(config)
    revision_obj = resolve_revision(script.graph, rev)
    editor = os.environ.get("EDITOR") or os.environ.get("VISUAL")
    if not editor:
        raise CommandError("No editor set; set $EDITOR to edit revision files")
    import shlex

    proc = subprocess.run([*shlex.split(editor), str(revision_obj.path)])
    if proc.returncode != 0:
        raise CommandError(f"Editor {editor!r} exited with status {proc.returncode}")
