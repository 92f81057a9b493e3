"""``check`` as plain text, grouped by table."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from schemadiff.ops.base import Change
from schemadiff.renderers.report import Report, register_format

CLEAN = "No new upgrade operations detected."


def describe_change(change: Change) -> str:
    """One readable line per change, worded as the autogenerate log words it."""
    target = change.table or ""
    if change.schema:
        target = f"{change.schema}.{target}"
    d: dict[str, Any] = change.detail
    column = f"'{target}.{change.name}'"
    kind = change.kind
    if kind == "add_table":
        return f"added table '{target}'"
    if kind == "remove_table":
        return f"removed table '{target}'"
    if kind == "add_column":
        return f"added column {column}"
    if kind == "remove_column":
        return f"removed column {column}"
    if kind == "modify_nullable":
        return f"{'NULL' if d.get('to') else 'NOT NULL'} on column {column}"
    if kind == "modify_type":
        return f"type change from {d.get('from')} to {d.get('to')} on {column}"
    if kind == "modify_default":
        return f"server default change from {d.get('from')!r} to {d.get('to')!r} on column {column}"
    if kind == "modify_comment":
        return f"column comment change from {d.get('from')!r} to {d.get('to')!r} on {column}"
    if kind in ("add_table_comment", "remove_table_comment"):
        verb = "added" if kind.startswith("add") else "removed"
        return f"{verb} table comment on '{target}'"
    verb, _, what = kind.partition("_")
    noun = {
        "index": "index",
        "unique": "unique constraint",
        "fk": "foreign key",
        "check": "check constraint",
        "primary_key": "primary key",
    }.get(what, what)
    verb = {"add": "added", "remove": "removed"}.get(verb, verb)
    name = f" '{change.name}'" if change.name else ""
    cols = d.get("columns")
    on = f" on {cols!r}" if cols else ""
    return f"{verb} {noun}{name} on table '{target}'{on}"


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
