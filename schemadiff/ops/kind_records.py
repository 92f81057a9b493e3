"""The built-in change kinds: every kind SPEC's JSON report lists, and ours.

The same words appear in the autogenerate log (``Detected added table
'account'``), in every report format and in the comment a script carries
for an operation it cannot reverse, so a user meets one vocabulary.
Tables and their parts are named ``schema.table`` (``schema.table.column``);
enums, sequences, views and functions are named by themselves.
"""

from __future__ import annotations

from typing import Any

from schemadiff.ops.base import Change
from schemadiff.ops.kinds import ChangeKind, KindRegistry, Sentence, generic_sentence, target_of

FROM_TO = ("from", "to")


def _column(change: Change) -> str:
    return f"'{target_of(change)}.{change.name}'"


def _object(change: Change) -> str:
    """An object outside any table, e.g. ``public.mood``: schema-qualified when given."""
    name = change.name or change.table or ""
    return f"{change.schema}.{name}" if change.schema else name


def _table_kind(verb: str) -> Sentence:
    return lambda change: f"{verb} table '{target_of(change)}'"


def _column_kind(verb: str) -> Sentence:
    return lambda change: f"{verb} column {_column(change)}"


def _added_column(change: Change) -> str:
    """An added column; with a likely rename, the sentence says how to confirm it."""
    old = change.detail.get("possible_rename_of")
    if not old:
        return f"added column {_column(change)}"
    return (
        f"added column {_column(change)}, possibly renamed from '{old}' (removed); if so, "
        f"confirm with info={{'renamed_from': {old!r}}} on the column to keep its data"
    )


def _rename_table(change: Change) -> str:
    return f"renamed table '{target_of(change)}' to '{change.detail.get('to')}'"


def _rename_column(change: Change) -> str:
    d = change.detail
    old = d.get("from") or change.name
    return f"renamed column '{target_of(change)}.{old}' to '{d.get('to')}'"


def _nullable(change: Change) -> str:
    return f"{'NULL' if change.detail.get('to') else 'NOT NULL'} on column {_column(change)}"


def _type(change: Change) -> str:
    d = change.detail
    return f"type change from {d.get('from')} to {d.get('to')} on {_column(change)}"


def _default(change: Change) -> str:
    d = change.detail
    return (
        f"server default change from {d.get('from')!r} to {d.get('to')!r} "
        f"on column {_column(change)}"
    )


def _identity(change: Change) -> str:
    d = change.detail
    before, after = d.get("from") or "no identity", d.get("to") or "no identity"
    return f"identity change from {before} to {after} on column {_column(change)}"


def _comment(change: Change) -> str:
    d = change.detail
    return f"column comment change from {d.get('from')!r} to {d.get('to')!r} on {_column(change)}"


def _add_table_comment(change: Change) -> str:
    d = change.detail
    if d.get("from") is not None:
        return f"table comment change from {d.get('from')!r} to {d.get('to')!r} on '{target_of(change)}'"
    return f"added table comment on '{target_of(change)}'"


def _remove_table_comment(change: Change) -> str:
    return f"removed table comment on '{target_of(change)}'"


def _constraint_kind(verb: str, noun: str) -> Sentence:
    """Indexes and constraints: named, on a table, with their columns and target."""

    def sentence(change: Change) -> str:
        d: dict[str, Any] = change.detail
        text = f"{verb} {noun}"
        if change.name:
            text += f" '{change.name}'"
        text += f" on '{target_of(change)}'"
        if d.get("columns"):
            text += f" ({', '.join(str(c) for c in d['columns'])})"
        if d.get("referred"):
            text += f" referencing {', '.join(str(r) for r in d['referred'])}"
        if d.get("sqltext"):
            text += f": {d['sqltext']}"
        return text

    return sentence


def _object_kind(verb: str, noun: str) -> Sentence:
    def sentence(change: Change) -> str:
        text = f"{verb} {noun} '{_object(change)}'"
        if change.detail.get("values"):
            text += f" ({', '.join(str(v) for v in change.detail['values'])})"
        return text

    return sentence


def _schema_kind(verb: str) -> Sentence:
    return lambda change: f"{verb} schema '{change.name}'"


def _modify_enum(change: Change) -> str:
    d = change.detail
    return f"enum '{_object(change)}' values change from {d.get('from')} to {d.get('to')}"


def _modify_sequence(change: Change) -> str:
    d = change.detail
    return f"sequence '{_object(change)}' options change from {d.get('from')} to {d.get('to')}"


def _view_kind(verb: str) -> Sentence:
    def sentence(change: Change) -> str:
        noun = "materialized view" if change.detail.get("materialized") else "view"
        if verb == "modify":
            return f"definition change on {noun} '{_object(change)}'"
        return f"{verb} {noun} '{_object(change)}'"

    return sentence


def _function_kind(verb: str) -> Sentence:
    def sentence(change: Change) -> str:
        if verb == "modify":
            return f"definition change on function '{_object(change)}'"
        return f"{verb} function '{_object(change)}'"

    return sentence


def _trigger_kind(verb: str) -> Sentence:
    """Triggers belong to a table: named by themselves, on their table."""

    def sentence(change: Change) -> str:
        on = f" on '{target_of(change)}'" if change.table else ""
        name = change.name or ""
        if verb == "modify":
            return f"definition change on trigger '{name}'{on}"
        return f"{verb} trigger '{name}'{on}"

    return sentence


_ADD, _REMOVE = "added", "removed"
_CONSTRAINT_NOUNS = {
    "index": ("index", ("columns", "unique")),
    "unique": ("unique constraint", ("columns",)),
    "fk": ("foreign key", ("columns", "referred")),
    "check": ("check constraint", ("sqltext",)),
    "primary_key": ("primary key", ("columns",)),
}
_SEQUENCE_FIELDS = ("start", "increment", "minvalue", "maxvalue", "cycle", "cache", "data_type")
_VIEW_FIELDS = ("materialized", "definition", "from", "to")
_DDL_FIELDS = ("ddl", "from", "to")


def _constraint_kinds() -> list[ChangeKind]:
    out = []
    for key, (noun, fields) in _CONSTRAINT_NOUNS.items():
        out.append(ChangeKind(f"add_{key}", fields, _constraint_kind(_ADD, noun)))
        out.append(ChangeKind(f"remove_{key}", (), _constraint_kind(_REMOVE, noun)))
    return out


BUILTIN_KINDS: tuple[ChangeKind, ...] = (
    ChangeKind("add_table", (), _table_kind(_ADD)),
    ChangeKind("remove_table", (), _table_kind(_REMOVE)),
    ChangeKind("rename_table", FROM_TO, _rename_table),
    ChangeKind("add_column", ("type", "nullable", "possible_rename_of"), _added_column),
    ChangeKind("remove_column", (), _column_kind(_REMOVE)),
    ChangeKind("rename_column", FROM_TO, _rename_column),
    ChangeKind("modify_nullable", FROM_TO, _nullable),
    ChangeKind("modify_type", (*FROM_TO, "from_values", "to_values"), _type),
    ChangeKind("modify_default", FROM_TO, _default),
    ChangeKind("modify_identity", FROM_TO, _identity),
    ChangeKind("modify_comment", FROM_TO, _comment),
    ChangeKind("add_table_comment", FROM_TO, _add_table_comment),
    ChangeKind("remove_table_comment", FROM_TO, _remove_table_comment),
    *_constraint_kinds(),
    ChangeKind("add_enum", ("values",), _object_kind(_ADD, "enum")),
    ChangeKind("remove_enum", ("values",), _object_kind(_REMOVE, "enum")),
    ChangeKind("modify_enum", FROM_TO, _modify_enum),
    ChangeKind("add_sequence", _SEQUENCE_FIELDS, _object_kind(_ADD, "sequence")),
    ChangeKind("remove_sequence", (), _object_kind(_REMOVE, "sequence")),
    ChangeKind("modify_sequence", FROM_TO, _modify_sequence),
    ChangeKind("add_schema", (), _schema_kind(_ADD)),
    ChangeKind("remove_schema", (), _schema_kind(_REMOVE)),
    # a constraint dropped by name whose type the script did not say
    ChangeKind("drop_constraint", (), generic_sentence),
    ChangeKind("add_view", _VIEW_FIELDS, _view_kind(_ADD)),
    ChangeKind("remove_view", _VIEW_FIELDS, _view_kind(_REMOVE)),
    ChangeKind("modify_view", _VIEW_FIELDS, _view_kind("modify")),
    ChangeKind("add_function", _DDL_FIELDS, _function_kind(_ADD)),
    ChangeKind("remove_function", _DDL_FIELDS, _function_kind(_REMOVE)),
    ChangeKind("modify_function", _DDL_FIELDS, _function_kind("modify")),
    ChangeKind("add_trigger", _DDL_FIELDS, _trigger_kind(_ADD)),
    ChangeKind("remove_trigger", _DDL_FIELDS, _trigger_kind(_REMOVE)),
    ChangeKind("modify_trigger", _DDL_FIELDS, _trigger_kind("modify")),
)


def setup(registry: KindRegistry) -> None:
    for kind in BUILTIN_KINDS:
        registry.register(kind)
