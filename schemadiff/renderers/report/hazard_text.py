"""Hazards as report text, and the severity every format derives from them.

A change that deletes data or may fail is an error; one that rewrites a
table or blocks writes a warning; a change with no hazard a note (still
drift, but harmless to apply).  Messages hold names from the models and
the database, so they pass through ``visible`` like every other sentence.
"""

from __future__ import annotations

from schemadiff.ops.base import Change, Hazard
from schemadiff.safe_text import visible

ERROR_KINDS = frozenset({"deletes_data", "may_fail"})


def hazard_text(hazard: Hazard) -> str:
    """``deletes_data: drops column 'a.b' ... (~1200 rows)``."""
    rows = f" (~{hazard.rows} rows)" if hazard.rows is not None else ""
    return visible(f"{hazard.kind}: {hazard.message}{rows}")


def severity(change: Change) -> str:
    """``error``, ``warning`` or ``note`` (SARIF's words)."""
    kinds = {h.kind for h in change.hazards}
    if kinds & ERROR_KINDS:
        return "error"
    return "warning" if kinds else "note"
