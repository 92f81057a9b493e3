"""``check --format github``: GitHub Actions workflow commands.

Each difference becomes an annotation whose level follows its hazards
(``::error`` for deletes_data/may_fail, ``::warning`` for the others,
``::notice`` for a harmless one); where the model's
source is known it carries ``file=`` and ``line=``, so the pull request
shows it on that line.  Values are escaped as the runner expects, so a
name holding ``::``, commas or newlines cannot end the command or start
another one.
"""

from __future__ import annotations

from schemadiff.renderers.describe import describe_change, target_of
from schemadiff.renderers.report import Report
from schemadiff.renderers.report.hazard_text import hazard_text, severity
from schemadiff.renderers.report.text_format import CLEAN, headline

#: SARIF's level to the workflow command of the same weight
_LEVELS = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: object) -> str:
    props = ",".join(
        f"{key}={escape_property(str(value))}"
        for key, value in properties.items()
        if value is not None
    )
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def render_github(report: Report) -> str:
    if not report.drift:
        return command("notice", CLEAN, title="schemadiff check")
    lines = [escape_data(headline(report))]
    for change in report.changes:
        source = change.source
        hazards = "; ".join(hazard_text(h) for h in change.hazards)
        lines.append(
            command(
                _LEVELS[severity(change)],
                f"{describe_change(change)} [{hazards}]" if hazards else describe_change(change),
                file=source.path if source else None,
                line=source.line if source else None,
                title=f"Schema drift: {change.kind} on {target_of(change)}",
            )
        )
    return "\n".join(lines)
