"""What an index is besides its name and keys: key modifiers and dialect options.

The model and the database describe the same index in different shapes.
SQLAlchemy's model puts order and collation on each key element
(``t.c.at.desc()``, ``t.c.a.collate("C")``) and operator classes in a
mapping keyed by element key; reflection reports keys as plain text with a
separate ``column_sorting`` mapping, an operator-class mapping keyed by the
key's text, and no collation at all (our PostgreSQL reader adds it).  Both
sides are brought here into one shape the snapshot stores:

- ``expressions``: each key's bare text (column name or SQL expression);
- ``modifiers``: per key, ``COLLATE "c" DESC NULLS FIRST`` with what is
  the backend's default left out (``()`` when no key has any);
- ``dialect_options``: sorted ``(key, value)`` pairs whose values are
  hashable (lists become tuples, mappings sorted pairs), empty values
  dropped, operator classes keyed by the key's text.

The same module turns that shape back into SQLAlchemy (:func:`index_elements`,
:func:`index_kwargs`), so every index rebuilt from a snapshot carries what
was read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import Column, Table, literal_column, text
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import (
    BinaryExpression,
    CollationClause,
    TextClause,
    UnaryExpression,
)

OptionItems = tuple[tuple[str, Any], ...]

#: Trailing ``COLLATE x``, ``ASC|DESC``, ``NULLS FIRST|LAST`` of a key's text.
_TAIL = re.compile(
    r"^(?P<base>.*?)"
    r"(?:\s+COLLATE\s+(?P<collation>\"(?:[^\"]|\"\")+\"|[\w$]+))?"
    r"(?:\s+(?P<direction>ASC|DESC))?"
    r"(?:\s+NULLS\s+(?P<nulls>FIRST|LAST))?\s*$",
    re.IGNORECASE | re.DOTALL,
)


def key_suffix(collation: str | None, descending: bool, nulls: str | None, dialect: str) -> str:
    """The canonical modifier text of one key; '' when it has none.

    PostgreSQL sorts NULLs as larger than any value, so ``ASC`` implies
    ``NULLS LAST`` and ``DESC`` ``NULLS FIRST`` (CREATE INDEX docs); a
    stated default is dropped there so that both spellings compare equal.
    """
    parts: list[str] = []
    if collation:
        parts.append(f'COLLATE "{collation}"')
    if descending:
        parts.append("DESC")
    if nulls is not None:
        nulls = nulls.upper()
        implied = ("FIRST" if descending else "LAST") if dialect == "postgresql" else None
        if nulls != implied:
            parts.append(f"NULLS {nulls}")
    return " ".join(parts)


def sorting_suffix(flags: Iterable[str], collation: str | None, dialect: str) -> str:
    """A reflected key's ``column_sorting`` flags (``desc``, ``nulls_last``) as a suffix."""
    found = tuple(flags)
    nulls = "FIRST" if "nulls_first" in found else "LAST" if "nulls_last" in found else None
    return key_suffix(collation, "desc" in found, nulls, dialect)


def split_element(
    expr: Any, dialect: str, render: Callable[[Any], str]
) -> tuple[str, str, str | None]:
    """A model index element as (bare text, modifier suffix, element key).

    ``render`` turns a SQL expression into text; the key is what
    SQLAlchemy looks ``postgresql_ops`` up by.
    """
    descending = False
    nulls: str | None = None
    collation: str | None = None
    # SQLAlchemy looks operator classes up by the outer element's key: a
    # ``.desc()`` element has none, and gets none.
    key = expr if isinstance(expr, str) else getattr(expr, "key", None)
    while True:
        if isinstance(expr, UnaryExpression) and expr.modifier is not None:
            modifier = expr.modifier
            if modifier is operators.desc_op:
                descending = True
            elif modifier is operators.nulls_first_op:
                nulls = "FIRST"
            elif modifier is operators.nulls_last_op:
                nulls = "LAST"
            elif modifier is not operators.asc_op:
                break
            expr = expr.element
            continue
        if (
            isinstance(expr, BinaryExpression)
            and expr.operator is operators.collate
            and isinstance(expr.right, CollationClause)
        ):
            collation = _unquote(str(expr.right.collation))
            expr = expr.left
            continue
        break
    if isinstance(expr, Column):
        base = expr.name
    elif isinstance(expr, str):
        base = expr
    else:
        base = expr.text if isinstance(expr, TextClause) else render(expr)
    match = _TAIL.match(base) if not isinstance(expr, Column) else None
    if match is not None and (match["collation"] or match["direction"] or match["nulls"]):
        base = match["base"].strip()
        collation = collation or (_unquote(match["collation"]) if match["collation"] else None)
        descending = descending or (match["direction"] or "").upper() == "DESC"
        nulls = nulls or (match["nulls"].upper() if match["nulls"] else None)
    return base, key_suffix(collation, descending, nulls, dialect), key


def _unquote(name: str) -> str:
    if len(name) >= 2 and name[0] == name[-1] == '"':
        return name[1:-1].replace('""', '"')
    return name


def option_items(options: Mapping[str, Any]) -> OptionItems:
    """Dialect options as sorted, hashable pairs; empty values left out.

    Reflection reports ``postgresql_include=[]`` for every index and a
    model states nothing; both mean "no option", so neither is kept.
    """
    out = [
        (key, _hashable(value))
        for key, value in options.items()
        if value is not None and value != [] and value != {} and value != ()
    ]
    return tuple(sorted(out, key=lambda item: item[0]))


def _hashable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _hashable(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Column):  # postgresql_include=[t.c.a]
        return value.name
    if isinstance(value, TextClause):
        return value.text
    return str(value)


def index_elements(
    table: Table,
    expressions: Iterable[str],
    modifiers: Iterable[str],
    ops: Mapping[str, str],
) -> tuple[list[Any], dict[str, str]]:
    """SQLAlchemy index elements for stored keys, and the ``postgresql_ops`` they need.

    A column key stays the table's column and an expression a
    ``literal_column`` (its key is its text, which ``postgresql_ops`` is
    keyed by).  SQLAlchemy prints an operator class after the whole
    element, so a key with both an operator class and an order or
    collation is written out as one piece of SQL in PostgreSQL's order
    (``key COLLATE c opclass DESC NULLS LAST``).
    """
    elements: list[Any] = []
    kept_ops: dict[str, str] = {}
    mods = list(modifiers)
    for i, expr in enumerate(expressions):
        suffix = mods[i] if i < len(mods) else ""
        opclass = ops.get(expr)
        is_column = expr in table.c
        if opclass and suffix:
            head = _quoted(expr) if is_column else expr
            elements.append(literal_column(_with_opclass(head, opclass, suffix)))
            continue
        element: Any = table.c[expr] if is_column else literal_column(expr)
        if opclass:
            kept_ops[expr] = opclass
        if suffix:
            element = _apply_suffix(element, suffix)
        elements.append(element)
    return elements, kept_ops


def _quoted(name: str) -> str:
    if re.fullmatch(r"[a-z_][a-z0-9_$]*", name):
        return name
    return '"' + name.replace('"', '""') + '"'


def _parts(suffix: str) -> tuple[str | None, bool, str | None]:
    match = _TAIL.match("x " + suffix)
    assert match is not None  # the pattern matches any text
    collation = _unquote(match["collation"]) if match["collation"] else None
    nulls = match["nulls"].upper() if match["nulls"] else None
    return collation, (match["direction"] or "").upper() == "DESC", nulls


def _with_opclass(head: str, opclass: str, suffix: str) -> str:
    collation, descending, nulls = _parts(suffix)
    parts = [head]
    if collation:
        parts.append(f"COLLATE {_quoted(collation)}")
    parts.append(opclass)
    if descending:
        parts.append("DESC")
    if nulls:
        parts.append(f"NULLS {nulls}")
    return " ".join(parts)


def _apply_suffix(element: Any, suffix: str) -> Any:
    collation, descending, nulls = _parts(suffix)
    if collation:
        element = element.collate(collation)
    if descending:
        element = element.desc()
    if nulls == "FIRST":
        element = element.nulls_first()
    elif nulls == "LAST":
        element = element.nulls_last()
    return element


def index_kwargs(options: OptionItems, where: str | None) -> dict[str, Any]:
    """Keyword arguments for ``Index()`` from stored options, lists and mappings restored.

    ``postgresql_ops`` is left to :func:`index_elements`, the predicate is
    ``where`` (as ``text()``), and flags SQLAlchemy reports but cannot
    create with (``postgresql_invalid``) are dropped.
    """
    kwargs: dict[str, Any] = {}
    where_key = "postgresql_where"
    for key, value in options:
        if key.endswith("_where"):
            where_key = key
        elif key in ("postgresql_ops", "postgresql_invalid"):
            continue
        elif isinstance(value, tuple) and _is_pairs(value):
            kwargs[key] = dict(value)
        elif isinstance(value, tuple):
            kwargs[key] = list(value)
        else:
            kwargs[key] = value
    if where is not None:
        kwargs[where_key] = text(where)
    return kwargs


def _is_pairs(value: tuple[Any, ...]) -> bool:
    return bool(value) and all(isinstance(v, tuple) and len(v) == 2 for v in value)
