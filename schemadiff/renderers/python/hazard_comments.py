"""``# HAZARD <kind>: <message>`` comments above the directives of a generated script.

The reviewer of a generated migration reads the script, not a report: a
dropped column or a table rewrite is said right where it happens, inside
batch blocks too.  Row estimates come from the revision command (one
catalog query, ``AutogenContext.opts["hazard_rows"]``) when it had a
connection; without a dialect (a bare render) no comment is written.
"""

from __future__ import annotations

from typing import Any

from schemadiff.hazards import HazardContext, context_for, op_hazards
from schemadiff.ops import MigrateOperation, OpContainer
from schemadiff.renderers.python.context import AutogenContext
from schemadiff.renderers.report.hazard_text import hazard_text


def hazard_context(ctx: AutogenContext, container: OpContainer) -> HazardContext | None:
    dialect: Any = ctx.dialect
    if dialect is None:
        return None
    rows = ctx.opts.get("hazard_rows")
    default_schema = getattr(dialect, "default_schema_name", None)
    safe = bool(ctx.opts.get("safe_migrations"))
    return context_for(dialect.name, container.ops, rows, default_schema, safe_migrations=safe)


def hazard_comments(
    op: MigrateOperation, ctx: AutogenContext, said: set[str] | None = None
) -> list[str]:
    """The comment lines for ``op``; with ``said``, each line once per block."""
    hctx = ctx.opts.get("_hazards")
    if not isinstance(hctx, HazardContext):
        return []
    lines = [f"# HAZARD {hazard_text(h)}" for h in op_hazards(op, hctx)]
    if said is None:
        return lines
    fresh = [line for line in lines if line not in said]
    said.update(fresh)
    return fresh
