"""``check --format markdown``: a drift report to paste into a pull request.

A heading, a one-line summary and a GitHub-flavoured table, one row per
change.  Every cell is escaped, so a name holding ``|``, backticks or
markup cannot break the table or inject formatting.
"""

from __future__ import annotations

import re

from schemadiff.renderers.describe import describe_change
from schemadiff.renderers.report import Report
from schemadiff.renderers.report.hazard_text import hazard_text
from schemadiff.renderers.report.text_format import CLEAN, grouped

# Inside a cell (never at a line start) these are the characters that can
# start markup, a link, an HTML tag, an entity, math, an emoji, an issue
# reference or a mention, or end the cell.  An underscore between two
# letters or digits cannot open or close emphasis, so names such as
# last_transaction_date stay as they are, searchable in the raw report.
_SPECIAL = re.compile(r"([\\`*\[\]<>|~&:$#@]|(?<![^\W_])_|_(?![^\W_]))")


def escape_cell(text: str) -> str:
    """Markdown-inert text for one table cell (on one line)."""
    one_line = " ".join(text.split())
    return _SPECIAL.sub(r"\\\1", one_line)


def code_cell(text: str) -> str:
    """An identifier as a code span: literal whatever it holds.

    The fence is one backtick longer than any run inside; ``|`` still needs
    its backslash, which GFM's table parser removes before the span is read.
    """
    if not text:
        return ""
    one_line = " ".join(text.split())
    longest = max((len(run) for run in re.findall(r"`+", one_line)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if one_line.startswith("`") or one_line.endswith("`") else ""
    body = one_line.replace("|", "\\|")
    return f"{fence}{pad}{body}{pad}{fence}"


def render_markdown(report: Report) -> str:
    database = code_cell(report.database)
    if not report.drift:
        return "\n".join(
            [
                "## :white_check_mark: No schema drift",
                "",
                f"The database ({database}) matches {report.target}. {escape_cell(CLEAN)}",
            ]
        )
    count = len(report.changes)
    lines = [
        "## :warning: Schema drift detected",
        "",
        f"**{count}** difference{'s' if count != 1 else ''} between the database "
        f"({database}) and {report.target}.",
        "",
        "| Table | Kind | Change | Hazards | Model source |",
        "| --- | --- | --- | --- | --- |",
    ]
    for table, changes in grouped(report):
        for change in changes:
            cells = [
                code_cell(table),
                code_cell(change.kind),
                escape_cell(describe_change(change)),
                "<br>".join(escape_cell(hazard_text(h)) for h in change.hazards),
                code_cell(str(change.source)) if change.source else "",
            ]
            lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        'Run `schemadiff revision --autogenerate -m "..."` to write a migration for '
        "these changes, or update the models.",
    ]
    return "\n".join(lines)
