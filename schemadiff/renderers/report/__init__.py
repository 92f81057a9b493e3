"""Drift reports: one ``Report`` in, one text out, per format.

Formats are a registry slot (``registries.report_formats``) so a plugin can add one; each takes the
same ``Report`` built from ``Change`` records.  Built in: ``text`` (plain,
grouped by table; ``render_rich`` for a terminal), ``json`` (SPEC's
object), ``markdown`` (a pull-request comment), ``junit`` (CI test
reporters), ``github`` (Actions annotations) and ``sarif`` (code scanning).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schemadiff.ops.base import Change
from schemadiff.slots import Formatter


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


class UnknownFormat(ValueError):
    pass


def formatter_for(fmt: str) -> Formatter:
    """The writer registered for ``fmt`` (``registries.report_formats``)."""
    from schemadiff.plugins import default_registries

    formats = default_registries().report_formats
    found = formats.get(fmt)
    if found is None:
        raise UnknownFormat(
            f"Unknown report format {fmt!r}; expected one of {', '.join(formats.names())}"
        )
    return found


def render_report(report: Report, fmt: str) -> str:
    return formatter_for(fmt)(report)


__all__ = [
    "Report",
    "UnknownFormat",
    "formatter_for",
    "render_report",
]
