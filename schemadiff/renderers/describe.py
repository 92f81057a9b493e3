"""One readable sentence per ``Change``.

The same words appear in the autogenerate log (``Detected added table
'account'``), in every report format and in the comment a script carries
for an operation it cannot reverse, so a user meets one vocabulary.
"""

from __future__ import annotations

from typing import Any

from schemadiff.ops.base import Change
from schemadiff.safe_text import line_safe, visible

_NOUNS = {
    "index": "index",
    "unique": "unique constraint",
    "fk": "foreign key",
    "check": "check constraint",
    "primary_key": "primary key",
}
_VERBS = {"add": "added", "remove": "removed"}


def target_of(change: Change) -> str:
    """``schema.table`` or ``table``: what reports group changes by (a report line
    of its own in the text format, so made line-safe)."""
    table = change.table or ""
    return line_safe(f"{change.schema}.{table}" if change.schema else table)


def describe_change(change: Change) -> str:
    """The sentence, with any control character in a name or value spelled out:
    it lands in reports, logs and script comments, where a newline would start
    a line of someone else's choosing."""
    return visible(_sentence(change))


def _sentence(change: Change) -> str:
    target = target_of(change)
    d: dict[str, Any] = change.detail
    column = f"'{target}.{change.name}'"
    kind = change.kind
    if kind == "add_table":
        return f"added table '{target}'"
    if kind == "remove_table":
        return f"removed table '{target}'"
    if kind == "rename_table":
        return f"renamed table '{target}' to '{d.get('to')}'"
    if kind == "add_column" and d.get("possible_rename_of"):
        old = d["possible_rename_of"]
        return (
            f"added column {column}, possibly renamed from '{old}' (removed); if so, "
            f"confirm with info={{'renamed_from': {old!r}}} on the column to keep its data"
        )
    if kind == "add_column":
        return f"added column {column}"
    if kind == "rename_column":
        return f"renamed column {column} to '{d.get('to')}'"
    if kind == "remove_column":
        return f"removed column {column}"
    if kind == "modify_nullable":
        return f"{'NULL' if d.get('to') else 'NOT NULL'} on column {column}"
    if kind == "modify_type":
        return f"type change from {d.get('from')} to {d.get('to')} on {column}"
    if kind == "modify_default":
        return f"server default change from {d.get('from')!r} to {d.get('to')!r} on column {column}"
    if kind == "modify_identity":
        before, after = d.get("from") or "no identity", d.get("to") or "no identity"
        return f"identity change from {before} to {after} on column {column}"
    if kind == "modify_comment":
        return f"column comment change from {d.get('from')!r} to {d.get('to')!r} on {column}"
    if kind == "add_table_comment" and d.get("from") is not None:
        return f"table comment change from {d.get('from')!r} to {d.get('to')!r} on '{target}'"
    if kind in ("add_table_comment", "remove_table_comment"):
        verb = "added" if kind.startswith("add") else "removed"
        return f"{verb} table comment on '{target}'"
    if kind in _OBJECT_KINDS:
        return _describe_object(change)
    verb, _, what = kind.partition("_")
    if verb not in _VERBS or what not in _NOUNS:
        name = f" '{change.name}'" if change.name else ""
        return f"{kind}{name} on '{target}'"
    text = f"{_VERBS[verb]} {_NOUNS[what]}"
    if change.name:
        text += f" '{change.name}'"
    text += f" on '{target}'"
    cols = d.get("columns")
    if cols:
        text += f" ({', '.join(str(c) for c in cols)})"
    referred = d.get("referred")
    if referred:
        text += f" referencing {', '.join(str(r) for r in referred)}"
    if d.get("sqltext"):
        text += f": {d['sqltext']}"
    return text


_OBJECT_KINDS = {
    f"{verb}_{noun}"
    for verb in ("add", "remove", "modify")
    for noun in ("enum", "sequence", "schema")
}


def _describe_object(change: Change) -> str:
    """Enums, sequences and schemas: named by themselves, not by a table."""
    verb, _, noun = change.kind.partition("_")
    name = f"{change.schema}.{change.name}" if change.schema and noun != "schema" else change.name
    d: dict[str, Any] = change.detail
    if change.kind == "modify_enum":
        return f"enum '{name}' values change from {d.get('from')} to {d.get('to')}"
    if change.kind == "modify_sequence":
        return f"sequence '{name}' options change from {d.get('from')} to {d.get('to')}"
    text = f"{_VERBS.get(verb, verb)} {noun} '{name}'"
    if d.get("values"):
        text += f" ({', '.join(str(v) for v in d['values'])})"
    return text
