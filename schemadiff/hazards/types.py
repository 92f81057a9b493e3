"""How a column type change moves values: kept, widened, narrowed or converted.

Backend-neutral: it reads SQLAlchemy type objects only, so the same verdict
serves every backend's rules, which then decide what the backend does with
it (a rewrite or not).
"""

from __future__ import annotations

from enum import Enum as PyEnum
from typing import Any

from sqlalchemy import types as sat


class Shift(PyEnum):
    SAME = "same"
    WIDEN = "widen"
    NARROW = "narrow"
    CONVERT = "convert"


#: integer types by storage width (``__visit_name__``, lower case)
_INT_RANK = {
    "tinyint": 1,
    "small_integer": 2,
    "smallint": 2,
    "mediumint": 3,
    "integer": 4,
    "int": 4,
    "big_integer": 8,
    "bigint": 8,
}


def int_rank(type_: Any) -> int | None:
    if not isinstance(type_, sat.Integer):
        return None
    return _INT_RANK.get(str(type_.__visit_name__).lower(), 4)


def is_textual(type_: Any) -> bool:
    """A character type that is not an enum (SQLAlchemy's Enum is a String)."""
    return isinstance(type_, sat.String) and not isinstance(type_, sat.Enum)


def is_fixed_char(type_: Any) -> bool:
    return (
        is_textual(type_)
        and "char" in str(type_.__visit_name__).lower()
        and ("var" not in str(type_.__visit_name__).lower())
    )


def text_length(type_: Any) -> int | None:
    """The declared length; None is unbounded (TEXT, VARCHAR without length)."""
    length = getattr(type_, "length", None)
    return int(length) if isinstance(length, int) else None


def _bounded_shift(old: int | None, new: int | None) -> Shift:
    if old == new:
        return Shift.SAME
    if new is None:
        return Shift.WIDEN
    if old is None or new < old:
        return Shift.NARROW
    return Shift.WIDEN


def type_shift(old: Any, new: Any) -> Shift:
    """What the change does to the values a column holds.

    NARROW: some values that fit before may not fit after (shorter strings,
    a smaller integer, fewer digits or decimals, fewer enum values, a
    timestamp becoming a date).  CONVERT: a cast between kinds of type that
    may reject values.  An unknown old type (a hand-written script without
    ``existing_type``) is a CONVERT: nothing is known to fit.
    """
    if old is None:
        return Shift.CONVERT
    if isinstance(old, sat.Enum) and isinstance(new, sat.Enum):
        lost = set(old.enums) - set(new.enums)
        if lost:
            return Shift.NARROW
        return Shift.SAME if list(old.enums) == list(new.enums) else Shift.WIDEN
    if isinstance(new, sat.Enum):
        return Shift.NARROW  # any value outside the enum is refused
    if is_textual(old) and is_textual(new):
        return _bounded_shift(text_length(old), text_length(new))
    if is_textual(new):
        return Shift.CONVERT if text_length(new) is not None else Shift.WIDEN
    old_rank, new_rank = int_rank(old), int_rank(new)
    if old_rank is not None and new_rank is not None:
        if old_rank == new_rank:
            return Shift.SAME
        return Shift.WIDEN if new_rank > old_rank else Shift.NARROW
    if _is_exact_numeric(old) and _is_exact_numeric(new):
        return _numeric_shift(old, new)
    if _is_exact_numeric(old) and new_rank is not None:
        return Shift.NARROW  # the decimals go
    if isinstance(old, sat.DateTime) and isinstance(new, sat.Date):
        return Shift.NARROW  # the time of day goes
    if type(old) is type(new) and repr(old) == repr(new):
        return Shift.SAME
    if isinstance(old, sat.Date) and isinstance(new, sat.DateTime):
        return Shift.WIDEN
    if isinstance(old, sat.Float) and isinstance(new, sat.Float):
        return Shift.SAME
    if old_rank is not None and isinstance(new, (sat.Numeric, sat.Float)):
        return Shift.WIDEN if not _is_exact_numeric(new) else _numeric_shift_int(old_rank, new)
    return Shift.CONVERT


def _is_exact_numeric(type_: Any) -> bool:
    return isinstance(type_, sat.Numeric) and not isinstance(type_, sat.Float)


def numeric_digits(type_: Any) -> tuple[int | None, int]:
    precision = getattr(type_, "precision", None)
    scale = getattr(type_, "scale", None)
    return (
        precision if isinstance(precision, int) else None,
        scale if isinstance(scale, int) else 0,
    )


def _numeric_shift(old: Any, new: Any) -> Shift:
    (op, os_), (np_, ns) = numeric_digits(old), numeric_digits(new)
    if (op, os_) == (np_, ns):
        return Shift.SAME
    if ns < os_:
        return Shift.NARROW
    if np_ is None:
        return Shift.WIDEN
    if op is None or np_ - ns < op - os_:
        return Shift.NARROW
    return Shift.WIDEN


def _numeric_shift_int(rank: int, new: Any) -> Shift:
    digits = {1: 3, 2: 5, 3: 8, 4: 10, 8: 19}[rank]
    precision, scale = numeric_digits(new)
    if precision is None or precision - scale >= digits:
        return Shift.WIDEN
    return Shift.NARROW


def type_text(type_: Any) -> str:
    """A type as the user knows it, for messages."""
    if type_ is None:
        return "its current type"
    if isinstance(type_, sat.Enum):
        return "ENUM(" + ", ".join(repr(v) for v in type_.enums) + ")"
    try:
        return str(type_.compile())
    except Exception:  # a dialect-only type may not compile generically
        return repr(type_)
