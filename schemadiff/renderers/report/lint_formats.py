"""``lint``'s report: text, json, github and sarif.

One finding per hazardous directive, at the script line that calls it;
a script that could not be followed to its end without a database is a
finding of its own (``unchecked``).  Levels follow ``hazard_text.severity``:
``error`` for deletes_data and may_fail, ``warning`` for the rest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from schemadiff import __version__
from schemadiff.ops import Change, Hazard, MigrateOperation
from schemadiff.ops.base import SourceLocation
from schemadiff.ops.sql_ops import ExecuteSQLOp
from schemadiff.renderers.describe import describe_change
from schemadiff.renderers.report.github_format import command, escape_data
from schemadiff.renderers.report.hazard_text import hazard_text, severity
from schemadiff.renderers.report.sarif_format import SCHEMA_URI, SRCROOT, _physical
from schemadiff.safe_text import visible

#: what each hazard kind means, for SARIF's rules
HAZARD_RULES = {
    "deletes_data": "The directive deletes data (a table, a column, enum values, a narrower type)",
    "may_fail": "The directive can fail on the rows a table already holds",
    "rewrites_table": "The backend copies the whole table to apply the directive",
    "blocks_writes": "Writes to the table wait while the directive runs",
    "unchecked": "Raw SQL or code the linter cannot analyse",
}


@dataclass(frozen=True)
class Finding:
    revision: str
    path: str
    line: int | None
    op: MigrateOperation | None
    hazards: tuple[Hazard, ...]

    @classmethod
    def stopped(cls, revision: str, path: str, why: str) -> Finding:
        return cls(revision, path, None, None, (Hazard("unchecked", why),))

    @property
    def change(self) -> Change | None:
        changes = self.op.to_changes() if self.op is not None else []
        return changes[0] if changes else None

    def describe(self) -> str:
        if self.op is None:
            return "the rest of upgrade()"
        if isinstance(self.op, ExecuteSQLOp):
            return visible(self.op.describe())
        change = self.change
        # an op without a change record (a plugin's): its kind word says what it is
        return describe_change(change) if change is not None else visible(self.op.kind)

    @property
    def level(self) -> str:
        change = Change("lint", None, None, hazards=self.hazards)
        return severity(change)


@dataclass(frozen=True)
class LintReport:
    backend: str
    revisions: tuple[str, ...]
    findings: tuple[Finding, ...]
    source_root: str | None = None

    @property
    def hazardous(self) -> bool:
        return bool(self.findings)


def render_lint(report: LintReport, fmt: str) -> str:
    return _RENDERERS[fmt](report)


def _summary(report: LintReport) -> str:
    count = len(report.revisions)
    scripts = f"{count} revision script{'s' if count != 1 else ''}"
    if not report.hazardous:
        return f"No hazards in {scripts} (rules: {report.backend})"
    found = len(report.findings)
    return f"{found} hazardous directive{'s' if found != 1 else ''} in {scripts} (rules: {report.backend})"


def render_text(report: LintReport) -> str:
    if not report.revisions:
        return "No revision scripts to lint."
    lines = [_summary(report)]
    current = None
    for finding in report.findings:
        if finding.revision != current:
            current = finding.revision
            lines.append(f"  {finding.revision} ({visible(finding.path)})")
        where = f"line {finding.line}: " if finding.line else ""
        lines.append(f"    {where}{finding.describe()}")
        lines.extend(f"      HAZARD {hazard_text(h)}" for h in finding.hazards)
    return "\n".join(lines)


def _finding_dict(finding: Finding) -> dict[str, Any]:
    change = finding.change
    out: dict[str, Any] = {
        "revision": finding.revision,
        "location": {"file": finding.path, "line": finding.line},
        "kind": change.kind if change else "execute" if finding.op else "script",
        "schema": change.schema if change else None,
        "table": change.table if change else None,
        "name": change.name if change else None,
        "detail": change.detail if change else {},
        "description": finding.describe(),
        "hazards": [h.as_dict() for h in finding.hazards],
    }
    return out


def render_json(report: LintReport) -> str:
    return json.dumps(
        {
            "hazards": report.hazardous,
            "backend": report.backend,
            "revisions": list(report.revisions),
            "findings": [_finding_dict(f) for f in report.findings],
        },
        indent=2,
        default=str,
    )


def render_github(report: LintReport) -> str:
    if not report.hazardous:
        return command("notice", render_text(report), title="schemadiff lint")
    lines = [escape_data(_summary(report))]
    names = {"error": "error", "warning": "warning", "note": "notice"}
    for finding in report.findings:
        hazards = "; ".join(hazard_text(h) for h in finding.hazards)
        lines.append(
            command(
                names[finding.level],
                f"{finding.describe()} [{hazards}]",
                file=finding.path,
                line=finding.line,
                title=f"Migration hazard: {', '.join(sorted({h.kind for h in finding.hazards}))}",
            )
        )
    return "\n".join(lines)


def _rule(kind: str) -> dict[str, Any]:
    text = HAZARD_RULES.get(kind, kind)
    level = "error" if kind in ("deletes_data", "may_fail") else "warning"
    return {
        "id": kind,
        "name": "".join(part.capitalize() for part in kind.split("_")),
        "shortDescription": {"text": text},
        "fullDescription": {"text": f"{text}."},
        "help": {"text": "Review the directive before the migration reaches production."},
        "defaultConfiguration": {"level": level},
    }


def render_sarif(report: LintReport) -> str:
    kinds = list(HAZARD_RULES)
    index = {kind: i for i, kind in enumerate(kinds)}
    results: list[dict[str, Any]] = []
    for finding in report.findings:
        for hazard in finding.hazards:
            level = "error" if hazard.kind in ("deletes_data", "may_fail") else "warning"
            results.append(
                {
                    "ruleId": hazard.kind,
                    "ruleIndex": index.get(hazard.kind, index["unchecked"]),
                    "level": level,
                    "message": {"text": f"{finding.describe()}: {hazard_text(hazard)}"},
                    "locations": [_physical(SourceLocation(finding.path, finding.line))],
                    "properties": {"revision": finding.revision},
                }
            )
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "schemadiff-lint",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule(kind) for kind in kinds],
            }
        },
        "invocations": [
            {"executionSuccessful": True, "exitCode": 1 if report.hazardous else 0},
        ],
        "results": results,
        "properties": {"backend": report.backend, "revisions": list(report.revisions)},
    }
    if report.source_root and any(not PurePath(f.path).is_absolute() for f in report.findings):
        run["originalUriBaseIds"] = {SRCROOT: {"uri": Path(report.source_root).as_uri() + "/"}}
    return json.dumps({"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}, indent=2)


_RENDERERS = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "sarif": render_sarif,
}
