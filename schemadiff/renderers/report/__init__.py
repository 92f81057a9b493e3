"""Drift reports: one ``Report`` in, one text out, per format.

Formats are an explicit registry so a plugin can add one; each takes the
same ``Report`` built from ``Change`` records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from schemadiff.ops.base import Change


@dataclass(frozen=True)
class Report:
    database: str
    changes: tuple[Change, ...] = field(default_factory=tuple)

    @property
    def drift(self) -> bool:
        return bool(self.changes)


Formatter = Callable[[Report], str]
FORMATS: dict[str, Formatter] = {}


def register_format(name: str) -> Callable[[Formatter], Formatter]:
    def decorate(fn: Formatter) -> Formatter:
        FORMATS[name] = fn
        return fn

    return decorate


def render_report(report: Report, fmt: str) -> str:
    try:
        formatter = FORMATS[fmt]
    except KeyError:
        raise ValueError(
            f"unknown report format {fmt!r}; expected one of {', '.join(sorted(FORMATS))}"
        ) from None
    return formatter(report)


from schemadiff.renderers.report import json_format as _json  # noqa: E402,F401
from schemadiff.renderers.report import text_format as _text  # noqa: E402,F401

__all__ = ["FORMATS", "Report", "register_format", "render_report"]
