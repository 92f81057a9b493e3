"""A ``MigrationScript`` to the arguments ``script.py.mako`` is rendered with.

The generic template reads ``${upgrades}``/``${downgrades}``; the multidb
template reads one pair per engine (``${engine1_upgrades}``...), named by
the ``upgrade_token``/``downgrade_token`` each engine's ``configure()``
gave.  Imports collected while rendering any of them land in ``${imports}``.
"""

from __future__ import annotations

from collections.abc import Callable

from schemadiff.ops import MigrationScript, OpContainer
from schemadiff.renderers.python.context import AutogenContext
from schemadiff.renderers.python.ops import render_body
from schemadiff.renderers.python.registry import RendererRegistry

ContextFactory = Callable[[str, set[str]], AutogenContext]
"""Builds the context for one token, sharing the script's import set."""


def token_of(container: OpContainer) -> str:
    return str(getattr(container, "downgrade_token", None) or container.upgrade_token)


def template_args(
    script: MigrationScript, make_context: ContextFactory, registry: RendererRegistry
) -> dict[str, str]:
    imports: set[str] = set(script.imports)
    args: dict[str, str] = {}
    pairs = list(zip(script.upgrade_ops_list, script.downgrade_ops_list, strict=False))
    for upgrade, downgrade in pairs:
        up_token = token_of(upgrade)
        # The downgrade is rendered with its upgrade's options (render_item,
        # prefixes), whatever token it carries.
        ctx = make_context(up_token, imports)
        args[up_token] = render_body(upgrade, ctx, registry)
        args[token_of(downgrade)] = render_body(downgrade, ctx, registry)
    for extra in script.upgrade_ops_list[len(pairs) :] + script.downgrade_ops_list[len(pairs) :]:
        ctx = make_context(token_of(extra), imports)
        args[token_of(extra)] = render_body(extra, ctx, registry)
    args["imports"] = "\n".join(sorted(imports))
    return args
