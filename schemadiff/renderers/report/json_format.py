"""``check --format json``: the one JSON object SPEC fixes."""

from __future__ import annotations

import json

from schemadiff.renderers.report import Report


def render_json(report: Report) -> str:
    return json.dumps(
        {
            "drift": report.drift,
            "database": report.database,
            "changes": [c.as_dict() for c in report.changes],
        },
        indent=2,
        default=str,
    )
