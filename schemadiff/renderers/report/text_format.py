"""``check`` as plain text, grouped by table; a rich table on a terminal.

The plain form is what pipes, logs and tests read::

    Schema drift detected: 2 differences between the database (sqlite:///app.db) and the models
      account
        add_column: added column 'account.last_transaction_date' (models.py:12)
        remove_column: removed column 'account.legacy' (models.py:8)
          HAZARD deletes_data: drops column 'account.legacy' and the values it holds (~1200 rows)
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from schemadiff.ops.base import Change
from schemadiff.renderers.describe import describe_change, target_of
from schemadiff.renderers.report import Report
from schemadiff.renderers.report.hazard_text import hazard_text
from schemadiff.safe_text import visible

CLEAN = "No new upgrade operations detected."

__all__ = ["CLEAN", "describe_change", "headline", "render_rich", "render_text"]


def headline(report: Report) -> str:
    count = len(report.changes)
    return (
        f"Schema drift detected: {count} difference{'s' if count != 1 else ''} "
        f"between the database ({visible(report.database)}) and {visible(report.target)}"
    )


def grouped(report: Report) -> list[tuple[str, list[Change]]]:
    """Changes by ``schema.table``, tables in name order, changes in diff order."""
    groups: dict[str, list[Change]] = defaultdict(list)
    for change in report.changes:
        groups[target_of(change)].append(change)
    return sorted(groups.items())


def render_text(report: Report) -> str:
    if not report.drift:
        return CLEAN
    lines = [headline(report)]
    for table, changes in grouped(report):
        lines.append(f"  {table}")
        for change in changes:
            where = f" ({change.source})" if change.source else ""
            lines.append(f"    {change.kind}: {describe_change(change)}{where}")
            lines.extend(f"      HAZARD {hazard_text(h)}" for h in change.hazards)
    return "\n".join(lines)


def render_rich(report: Report, console: Any) -> None:
    """The same report for a person at a terminal: one table row per change."""
    from rich.markup import escape
    from rich.table import Table

    if not report.drift:
        console.print(f"[green]{escape(CLEAN)}[/green]")
        return
    table = Table(title=escape(headline(report)), title_justify="left", show_lines=False)
    table.add_column("Table", style="bold")
    table.add_column("Change", style="red")
    table.add_column("Details")
    table.add_column("Hazards", style="yellow")
    table.add_column("Model source", style="dim")
    for name, changes in grouped(report):
        for index, change in enumerate(changes):
            table.add_row(
                escape(name) if index == 0 else "",
                escape(change.kind),
                escape(describe_change(change)),
                escape("\n".join(hazard_text(h) for h in change.hazards)),
                escape(str(change.source or "")),
            )
    console.print(table)
