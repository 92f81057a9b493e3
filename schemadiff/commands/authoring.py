"""``revision`` and ``merge``: writing new revision files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schemadiff.commands._env import current_env, run_env
from schemadiff.config import Config
from schemadiff.errors import CommandError
from schemadiff.scriptdir import ScriptDirectory, as_bool, new_rev_id

if TYPE_CHECKING:
    from schemadiff.runtime.migration import MigrationContext


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
    needs_env = autogenerate or as_bool(config.get_main_option("revision_environment"))

    # upgrade token -> (configure() options, dialect) of the run that made it;
    # a multidb env.py runs once per engine, each with its own tokens.
    rendering: dict[str, tuple[dict[str, Any], Any]] = {}

    def fn(mc: MigrationContext, kw: dict[str, Any]) -> None:
        env = current_env(config)
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
            from schemadiff.hazards import estimates_for

            hazard_rows = config.attributes.setdefault("_hazard_rows", {})
            hazard_rows[up_token] = estimates_for(mc.connection, upgrade.ops)
            # configure() or the config key: the DDL the script will run with
            safe = config.attributes.setdefault("_safe_migrations", {})
            safe[up_token] = mc.opts.safe_migrations
        rendering[up_token] = (env.options, mc.dialect)
        hook = env.options.get("process_revision_directives") or process_revision_directives
        if hook is not None:
            hook(mc, (rev_id, down_revision), directives)
        config.attributes["_autogen_options"] = env.options
        config.attributes["_autogen_dialect"] = mc.dialect

    if needs_env:
        run_env(config, script, fn, as_sql=sql, compares=autogenerate)
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
            opts={
                "hazard_rows": config.attributes.get("_hazard_rows", {}).get(token),
                "safe_migrations": bool(config.attributes.get("_safe_migrations", {}).get(token)),
            },
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
    config.print_status(f"  Generating {path} ... done")
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


def merge(
    config: Config,
    revisions: str | Sequence[str],
    message: str | None = None,
    branch_label: str | Sequence[str] | None = None,
    rev_id: str | None = None,
    splice: bool = False,
) -> Path:
    """Write a revision whose parents are the given revisions (or all ``heads``).

    The parents must be heads unless ``splice``: merging a revision that
    already has children starts a new branch, which should be asked for.
    """
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
    for rev in parents:
        if not splice and not graph.is_head(rev):
            raise CommandError(
                f"Revision {rev} is not a head revision; please specify --splice to "
                "create a new branch from this revision"
            )
    if as_bool(config.get_main_option("revision_environment")):
        run_env(config, script, None)
    from schemadiff.ops import MigrationScript

    directive = MigrationScript(
        rev_id=rev_id or new_rev_id(), message=message, branch_label=_labels(branch_label)
    )
    return _write_script(config, script, graph, directive, tuple(parents), None)
