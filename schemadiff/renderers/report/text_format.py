"""``check`` as plain text, grouped by table."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from schemadiff.ops.base import Change
from schemadiff.renderers.report import Report, register_format

CLEAN = "No new upgrade operations detected."


def describe_change(change: Change) -> str:
    """One readable line per change."""
    target = change.table or ""
    if change.schema:
        target = f"{change.schema}.{target}"
    d: dict[str, Any] = change.detail
    kind = change.kind
    if kind == "add_table":
        return f"added table '{target}'"
    if kind == "remove_table":
        return f"removed table '{target}'"
    if kind == "add_column":
        extra = f" ({d.get('type')}{'' if d.get('nullable', True) else ', NOT NULL'})" if d else ""
        return f"added column '{target}.{change.name}'{extra}"
    if kind == "remove_column":
        return f"removed column '{target}.{change.name}'"
    if kind == "modify_nullable":
        state = "NULL" if d.get("to") else "NOT NULL"
        return f"{state} on column '{target}.{change.name}'"
    if kind == "modify_type":
        return f"type change on column '{target}.{change.name}': {d.get('from')} -> {d.get('to')}"
    if kind == "modify_default":
        return (
            f"server default change on column '{target}.{change.name}': "
            f"{d.get('from')!r} -> {d.get('to')!r}"
        )
    if kind == "modify_comment":
        return f"comment change on column '{target}.{change.name}': {d.get('from')!r} -> {d.get('to')!r}"
    label = kind.replace("_", " ")
    name = f" '{change.name}'" if change.name else ""
    return f"{label}{name} on table '{target}'"


@register_format("text")
def render_text(report: Report) -> str:
    if not report.drift:
        return CLEAN
    groups: dict[str, list[Change]] = defaultdict(list)
    for change in report.changes:
        key = f"{change.schema}.{change.table}" if change.schema else str(change.table)
        groups[key].append(change)
    count = len(report.changes)
    lines = [
        f"Schema drift detected: {count} difference{'s' if count != 1 else ''} "
        f"between the database ({report.database}) and the models"
    ]
    for table in sorted(groups):
        lines.append(f"  {table}")
        for change in groups[table]:
            lines.append(f"    {change.kind}: {describe_change(change)}")
    return "\n".join(lines)
