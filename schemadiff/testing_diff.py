"""What differs between two reflected schemas, in words, for the pytest plugin.

``downgrade_reverses_upgrade`` compares the schema before a revision's
upgrade with the schema after its downgrade; naming only the tables would
leave the user to find the column, type or index by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from schemadiff.snapshot.model import ColumnSnapshot, SchemaSnapshot, TableKey, TableSnapshot

_COLUMN_FIELDS = ("nullable", "server_default", "comment", "computed", "identity")


def describe_differences(
    before: Mapping[TableKey, TableSnapshot], after: Mapping[TableKey, TableSnapshot]
) -> list[str]:
    """One line per difference; empty when the two schemas are alike."""
    lines: list[str] = []
    for key in sorted(set(before) | set(after), key=lambda k: (k[0] or "", k[1])):
        old, new = before.get(key), after.get(key)
        if old is None and new is not None:
            lines.append(f"table {new.fullname}: left behind (not there before the upgrade)")
        elif new is None and old is not None:
            lines.append(f"table {old.fullname}: missing (was there before the upgrade)")
        elif old is not None and new is not None:
            lines += [f"table {old.fullname}: {text}" for text in _table(old, new)]
    return lines


def describe_object_differences(before: SchemaSnapshot, after: SchemaSnapshot) -> list[str]:
    """Enum types and sequences a downgrade left behind or lost (default schema only)."""
    lines: list[str] = []
    for kind, old_items, new_items in (
        ("enum type", before.enums, after.enums),
        ("sequence", before.sequences, after.sequences),
    ):
        old = {key[1]: item for key, item in old_items.items() if key[0] is None}
        new = {key[1]: item for key, item in new_items.items() if key[0] is None}
        lines += _keyed(kind, old, new, _whole)
    return lines


def _table(old: TableSnapshot, new: TableSnapshot) -> list[str]:
    lines = _keyed("column", _by_name(old.columns), _by_name(new.columns), _column)
    if old.primary_key != new.primary_key:
        lines.append(
            f"primary key {_pk(old)} before, {_pk(new)} after"
            if old.primary_key and new.primary_key
            else f"primary key {_pk(new) if new.primary_key else _pk(old)} "
            + ("left behind" if new.primary_key else "missing")
        )
    for kind, old_items, new_items in (
        ("index", old.indexes, new.indexes),
        ("unique constraint", old.uniques, new.uniques),
        ("foreign key", old.foreign_keys, new.foreign_keys),
        ("check constraint", old.checks, new.checks),
    ):
        lines += _keyed(kind, _by_label(old_items), _by_label(new_items), _whole)
    if old.comment != new.comment:
        lines.append(f"comment {old.comment!r} before, {new.comment!r} after")
    return lines


def _keyed(kind: str, old: Mapping[str, Any], new: Mapping[str, Any], compare: Any) -> list[str]:
    lines: list[str] = []
    for label in list(old) + [label for label in new if label not in old]:
        if label not in new:
            lines.append(f"{kind} {label} missing")
        elif label not in old:
            lines.append(f"{kind} {label} left behind")
        else:
            lines += [f"{kind} {label}: {text}" for text in compare(old[label], new[label])]
    return lines


def _column(old: ColumnSnapshot, new: ColumnSnapshot) -> list[str]:
    lines = []
    if str(old.type) != str(new.type):
        lines.append(f"type {old.type} before, {new.type} after")
    for name in _COLUMN_FIELDS:
        was, now = getattr(old, name), getattr(new, name)
        if was != now:
            lines.append(f"{name.replace('_', ' ')} {was!r} before, {now!r} after")
    return lines


def _whole(old: Any, new: Any) -> list[str]:
    return [] if old == new else [f"{_what(old)} before, {_what(new)} after"]


def _by_name(columns: Iterable[ColumnSnapshot]) -> dict[str, ColumnSnapshot]:
    return {repr(col.name): col for col in columns}


def _by_label(items: Iterable[Any]) -> dict[str, Any]:
    """Named items by name; unnamed ones by what they cover."""
    return {repr(item.name) if item.name else f"on {_what(item)}": item for item in items}


def _what(item: Any) -> str:
    for attr in ("expressions", "columns"):
        if hasattr(item, attr):
            text = f"({', '.join(getattr(item, attr))})"
            if getattr(item, "referred_table", None):
                text += f" -> {item.referred_table}({', '.join(item.referred_columns)})"
            if getattr(item, "unique", False):
                text += " unique"
            return text
    return f"({item.sqltext})"


def _pk(table: TableSnapshot) -> str:
    assert table.primary_key is not None
    return f"({', '.join(table.primary_key.columns)})"
