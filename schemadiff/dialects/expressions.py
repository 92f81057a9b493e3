"""SQL expressions compared by meaning, not by spelling.

Server defaults, CHECK bodies, index expressions and partial-index
predicates come back from the database rewritten: PostgreSQL adds casts
(``'x'::character varying``) and parentheses and turns ``IN`` into
``= ANY (ARRAY[...])``; MariaDB quotes literals and spells ``now()`` as
``current_timestamp()``; everyone has their own identifier quoting.  Rather
than a growing pile of regexes, both sides are parsed with sqlglot into a
syntax tree, the tree is put into a canonical form (rules below), and the
canonical texts are compared.  Text sqlglot cannot parse falls back to a
whitespace- and case-folded comparison.

Canonical form:
- parentheses dropped (the tree already encodes precedence);
- casts of literals, columns and arrays dropped (the column's type implies
  them); casts of other expressions kept;
- ``x = ANY (ARRAY[a, b])`` becomes ``x IN (a, b)``, ``x <> ALL (ARRAY[...])``
  ``NOT x IN (...)``;
- ``x BETWEEN a AND b`` becomes ``x >= a AND x <= b`` (as PostgreSQL stores
  it), ``NOT BETWEEN`` ``x < a OR x > b``, and ``NOT`` over a comparison the
  negated comparison (as MariaDB stores it);
- ``NOT`` over ``AND`` / ``OR`` is pushed inward (De Morgan), ``NOT NOT x``
  is ``x``; ``x IN (a)`` is ``x = a``; ``ROW(a, b)`` is ``(a, b)``;
- casts to TEXT / VARCHAR are dropped (PostgreSQL adds them around VARCHAR
  expressions); ``'1 day'::interval`` is ``INTERVAL '1 day'``;
- MySQL's byte-counting ``LENGTH()`` is ``OCTET_LENGTH()`` (MariaDB's spelling);
- identifiers unquoted and lower-cased;
- string literals that spell a number become that number, booleans 1/0;
- ``now()``, ``CURRENT_TIMESTAMP``, ``current_timestamp()`` are one thing
  (sqlglot already parses them to the same node).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import cast

import sqlglot
from sqlglot import exp

_SQLGLOT_DIALECTS = {
    "postgresql": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_WS = re.compile(r"\s+")


# Spellings of "the current timestamp" sqlglot does not fold for every dialect.
_NOW_SYNONYMS = frozenset({"now", "current_timestamp", "localtimestamp", "localtime"})


def _number_text(text: str) -> str:
    """0.00, 0 and 0.0 are one number: compare the value, not the digits."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def _fold(text: str) -> str:

    return _WS.sub(" ", text.strip()).lower()


def _strip(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Paren):
        return cast(exp.Expression, node.this)
    if isinstance(node, (exp.Cast, exp.TryCast)):
        inner = node.this
        while isinstance(inner, exp.Paren):
            inner = inner.this
        target = node.args.get("to")
        if (
            isinstance(inner, exp.Literal)
            and inner.is_string
            and isinstance(target, exp.DataType)
            and target.this == exp.DataType.Type.INTERVAL
        ):
            # PostgreSQL stores INTERVAL '1 day' as '1 day'::interval
            return _interval(str(inner.this), node)
        if isinstance(inner, (exp.Literal, exp.Column, exp.Array, exp.Null, exp.Boolean, exp.Neg)):
            return inner
        if isinstance(target, exp.DataType) and target.this in _TEXT_TYPES:
            # PostgreSQL compares VARCHAR expressions as TEXT and says so
            return cast(exp.Expression, inner)
        return node
    if isinstance(node, exp.In) and len(node.expressions) == 1 and not node.args.get("query"):
        # MariaDB stores x IN (1) as x = 1
        return exp.EQ(this=node.this.copy(), expression=node.expressions[0].copy())
    if isinstance(node, exp.Anonymous) and str(node.this).upper() == "ROW":
        # PostgreSQL stores (a, b) as ROW(a, b)
        return exp.Tuple(expressions=[e.copy() for e in node.expressions])
    if isinstance(node, exp.EQ) and isinstance(node.expression, exp.Any):
        target = node.expression.this
        while isinstance(target, (exp.Paren, exp.Cast)):
            target = target.this
        if isinstance(target, exp.Array):
            return exp.In(this=node.this, expressions=[e.copy() for e in target.expressions])
    if isinstance(node, exp.NEQ) and _is_all(node.expression):
        # PostgreSQL stores NOT IN as ``x <> ALL (ARRAY[...])``
        target = node.expression.this
        if isinstance(node.expression, exp.Anonymous):
            target = node.expression.expressions[0]
        while isinstance(target, (exp.Paren, exp.Cast)):
            target = target.this
        if isinstance(target, exp.Array):
            values = [e.copy() for e in target.expressions]
            return exp.Not(this=exp.In(this=node.this.copy(), expressions=values))
    if isinstance(node, exp.Between):
        # PostgreSQL stores BETWEEN as ``x >= low AND x <= high``
        return exp.And(
            this=exp.GTE(this=node.this.copy(), expression=node.args["low"].copy()),
            expression=exp.LTE(this=node.this.copy(), expression=node.args["high"].copy()),
        )
    if isinstance(node, exp.Not):
        negated = _negated(node.this)
        if negated is not None:
            return negated
    if isinstance(node, exp.Length) and node.args.get("binary"):
        # MySQL/MariaDB: LENGTH() counts bytes; MariaDB stores it as octet_length()
        return exp.Anonymous(this="octet_length", expressions=[node.this.copy()])
    if isinstance(node, exp.JSONPath):
        # 'key' and 'key'::text after ->> parse differently; one key is one key.
        parts = node.expressions
        if (
            len(parts) == 2
            and isinstance(parts[0], exp.JSONPathRoot)
            and isinstance(parts[1], exp.JSONPathKey)
        ):
            return exp.Literal.string(str(parts[1].this))
    if isinstance(node, exp.Identifier):
        return exp.Identifier(this=str(node.this).lower(), quoted=False)
    if isinstance(node, exp.Literal) and _NUMBER.match(str(node.this)):
        return exp.Literal.number(_number_text(str(node.this)))
    if (
        isinstance(node, exp.Anonymous)
        and str(node.this).lower() in _NOW_SYNONYMS
        and not node.expressions
    ):
        return exp.CurrentTimestamp()

    if isinstance(node, exp.Boolean):
        return exp.Literal.number(1 if node.this else 0)
    return node


#: ``NOT (a op b)`` is ``a op' b`` (also under NULL: both are unknown);
#: MariaDB stores the negated comparison.
_NEGATED: dict[type[exp.Expression], type[exp.Expression]] = {
    exp.GT: exp.LTE,
    exp.GTE: exp.LT,
    exp.LT: exp.GTE,
    exp.LTE: exp.GT,
    exp.EQ: exp.NEQ,
    exp.NEQ: exp.EQ,
    exp.NullSafeEQ: exp.NullSafeNEQ,
    exp.NullSafeNEQ: exp.NullSafeEQ,
}


#: text types whose casts PostgreSQL adds around VARCHAR expressions
_TEXT_TYPES = frozenset({exp.DataType.Type.TEXT, exp.DataType.Type.VARCHAR})


def _interval(text: str, original: exp.Expression) -> exp.Expression:
    """``'1 day'`` as the node sqlglot makes of ``INTERVAL '1 day'``."""
    try:
        parsed = sqlglot.parse_one(f"INTERVAL '{text}'", read="postgres")
    except Exception:  # not an interval sqlglot knows: keep the literal
        return cast(exp.Expression, original.this.copy())
    return cast(exp.Expression, parsed) if parsed is not None else original


def _is_all(node: exp.Expression) -> bool:
    """``ALL (...)``, which sqlglot reads as a function call after ``<>``."""
    if isinstance(node, exp.All):
        return True
    return (
        isinstance(node, exp.Anonymous)
        and str(node.this).upper() == "ALL"
        and len(node.expressions) == 1
    )


def _negated(inner: exp.Expression) -> exp.Expression | None:
    """``NOT`` pushed into a comparison or a BETWEEN; None where it stays."""
    while isinstance(inner, exp.Paren):
        inner = inner.this
    if isinstance(inner, exp.Between):
        # PostgreSQL stores NOT BETWEEN as ``x < low OR x > high``
        return exp.Or(
            this=exp.LT(this=inner.this.copy(), expression=inner.args["low"].copy()),
            expression=exp.GT(this=inner.this.copy(), expression=inner.args["high"].copy()),
        )
    if isinstance(inner, (exp.And, exp.Or)):
        # De Morgan (sound under NULL too): PostgreSQL stores NOT (x BETWEEN a AND b)
        # as NOT ((x >= a) AND (x <= b)), and x NOT BETWEEN a AND b as x < a OR x > b
        left, right = inner.this, inner.expression
        flipped_left = _negated(left) or exp.Not(this=left.copy())
        flipped_right = _negated(right) or exp.Not(this=right.copy())
        joined = exp.Or if isinstance(inner, exp.And) else exp.And
        return joined(this=flipped_left, expression=flipped_right)
    if isinstance(inner, exp.Not):
        stripped = inner.this
        while isinstance(stripped, exp.Paren):
            stripped = stripped.this
        return cast(exp.Expression, stripped.copy())
    flipped = _NEGATED.get(type(inner))
    if (
        flipped is None
        or isinstance(inner.expression, (exp.Any, exp.All))
        or _is_all(inner.expression)
    ):
        return None
    return flipped(this=inner.this.copy(), expression=inner.expression.copy())


@lru_cache(maxsize=8192)
def canonical_sql(text: str, dialect_name: str) -> str:
    """The canonical spelling of an expression, for equality tests only."""
    read = _SQLGLOT_DIALECTS.get(dialect_name)
    try:
        tree = sqlglot.parse_one(text, read=read)
    except Exception:  # sqlglot raises several error types; any means "cannot parse"
        return _fold(text)
    if tree is None:
        return _fold(text)
    # Several passes: removing a cast can expose a paren and vice versa.
    for _ in range(4):
        before = tree.sql()
        tree = tree.transform(_strip)
        if tree.sql() == before:
            break
    return tree.sql(dialect=None, normalize=True)


def same_expression(left: str | None, right: str | None, dialect_name: str) -> bool:
    if left is None or right is None:
        return left is right
    if _fold(left) == _fold(right):
        return True
    return canonical_sql(left, dialect_name) == canonical_sql(right, dialect_name)
