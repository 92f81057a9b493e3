"""Drift reports: one ``Report`` in, one text out, per format.

Formats are an explicit registry so a plugin can add one; each takes the
same ``Report`` built from ``Change`` records.  Built in: ``text`` (plain,
grouped by table; ``render_rich`` for a terminal), ``json`` (SPEC's
object), ``markdown`` (a pull-request comment), ``junit`` (CI test
reporters), ``github`` (Actions annotations) and ``sarif`` (code scanning).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from schemadiff.ops.base import Change


@dataclass(frozen=True)
class Report:
    database: str
    changes: tuple[Change, ...] = field(default_factory=tuple)
    #: the directory relative source paths start from (the working directory)
    source_root: str | None = None
    #: what the database was compared with (``schemadiff diff`` names its TARGET)
    target: str = "the models"

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


class UnknownFormat(ValueError):
    pass


def formatter_for(fmt: str) -> Formatter:
    try:
        return FORMATS[fmt]
    except KeyError:
        raise UnknownFormat(
            f"Unknown report format {fmt!r}; expected one of {', '.join(sorted(FORMATS))}"
        ) from None


def render_report(report: Report, fmt: str) -> str:
    return formatter_for(fmt)(report)


from schemadiff.renderers.report import github_format as _github  # noqa: E402,F401
from schemadiff.renderers.report import json_format as _json  # noqa: E402,F401
from schemadiff.renderers.report import junit_format as _junit  # noqa: E402,F401
from schemadiff.renderers.report import markdown_format as _markdown  # noqa: E402,F401
from schemadiff.renderers.report import sarif_format as _sarif  # noqa: E402,F401
from schemadiff.renderers.report import text_format as _text  # noqa: E402,F401

__all__ = [
    "FORMATS",
    "Report",
    "UnknownFormat",
    "formatter_for",
    "register_format",
    "render_report",
]
