"""``check --format sarif``: SARIF 2.1.0, for code-scanning upload.

Each kind of difference is a rule (``add_column``, ``remove_index``...);
each difference a result at the model's source line where it is known,
its level from its hazards: ``error`` for deletes_data and may_fail,
``warning`` for the others, ``note`` for a change without hazards.
A stable ``partialFingerprints`` entry (kind, schema, table, name) lets
code scanning recognise the same drift across runs instead of opening a
new alert each time.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from schemadiff import __version__
from schemadiff.ops.base import Change, SourceLocation
from schemadiff.renderers.describe import describe_change, target_of
from schemadiff.renderers.report import Report
from schemadiff.renderers.report.hazard_text import hazard_text, severity

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"

#: rule id -> what the rule says, in the words of a model that drifted
RULES: dict[str, str] = {
    "add_table": "A table of the models is missing from the database",
    "remove_table": "The database has a table the models do not define",
    "rename_table": "A table has a different name in the database",
    "add_column": "A column of the models is missing from the database",
    "remove_column": "The database has a column the models do not define",
    "modify_nullable": "A column's nullability differs between database and models",
    "modify_type": "A column's type differs between database and models",
    "modify_default": "A column's server default differs between database and models",
    "modify_comment": "A column's comment differs between database and models",
    "modify_identity": "A column's identity (GENERATED AS IDENTITY) differs between database and models",
    "add_index": "An index of the models is missing from the database",
    "remove_index": "The database has an index the models do not define",
    "add_unique": "A unique constraint of the models is missing from the database",
    "remove_unique": "The database has a unique constraint the models do not define",
    "add_fk": "A foreign key of the models is missing from the database",
    "remove_fk": "The database has a foreign key the models do not define",
    "add_check": "A check constraint of the models is missing from the database",
    "remove_check": "The database has a check constraint the models do not define",
    "add_primary_key": "A primary key of the models is missing from the database",
    "remove_primary_key": "The database has a primary key the models do not define",
    "add_table_comment": "A table's comment differs between database and models",
    "remove_table_comment": "The database has a table comment the models do not define",
    "add_enum": "An enum type of the models is missing from the database",
    "remove_enum": "The database has an enum type no column of the models uses",
    "modify_enum": "An enum type's values differ between database and models",
    "add_sequence": "A sequence of the models is missing from the database",
    "remove_sequence": "The database has a sequence the models do not define",
    "modify_sequence": "A sequence's options differ between database and models",
    "add_schema": "A schema the models use is missing from the database",
}
HELP = (
    "The database schema has drifted from the SQLAlchemy models. Write a migration with "
    "'schemadiff revision --autogenerate' and apply it, or change the models to match."
)


def fingerprint(change: Change) -> str:
    key = "\x1f".join(str(v or "") for v in (change.kind, change.schema, change.table, change.name))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _rule(kind: str) -> dict[str, Any]:
    text = RULES.get(kind, f"The database and the models differ ({kind})")
    return {
        "id": kind,
        "name": "".join(part.capitalize() for part in kind.split("_")),
        "shortDescription": {"text": text},
        "fullDescription": {"text": f"{text}."},
        "help": {"text": HELP},
        "defaultConfiguration": {"level": "error"},
    }


def _physical(source: SourceLocation) -> dict[str, Any]:
    path = PurePath(source.path)
    if path.is_absolute():
        artifact = {"uri": Path(path).as_uri()}
    else:
        artifact = {"uri": quote(path.as_posix()), "uriBaseId": SRCROOT}
    location: dict[str, Any] = {"artifactLocation": artifact}
    if source.line:
        location["region"] = {"startLine": source.line}
    return {"physicalLocation": location}


def _message(change: Change) -> str:
    hazards = "; ".join(hazard_text(h) for h in change.hazards)
    return f"{describe_change(change)} [{hazards}]" if hazards else describe_change(change)


def _result(change: Change, rule_index: int) -> dict[str, Any]:
    logical_name = ".".join(p for p in (change.schema, change.table, change.name) if p)
    result: dict[str, Any] = {
        "ruleId": change.kind,
        "ruleIndex": rule_index,
        "level": severity(change),
        "message": {"text": _message(change)},
        "partialFingerprints": {"schemadiffChange/v1": fingerprint(change)},
        "properties": json.loads(json.dumps(change.as_dict(), default=str)),
    }
    location: dict[str, Any] = {}
    if change.source is not None:
        location.update(_physical(change.source))
    if logical_name:
        location["logicalLocations"] = [
            {"name": change.name or target_of(change), "fullyQualifiedName": logical_name}
        ]
    if location:
        result["locations"] = [location]
    return result


def render_sarif(report: Report) -> str:
    kinds = list(RULES)
    kinds += sorted({c.kind for c in report.changes} - set(kinds))
    index = {kind: i for i, kind in enumerate(kinds)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "schemadiff",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule(kind) for kind in kinds],
            }
        },
        "invocations": [
            {"executionSuccessful": True, "exitCode": 1 if report.drift else 0},
        ],
        "results": [_result(c, index[c.kind]) for c in report.changes],
        "properties": {"database": report.database},
    }
    if report.source_root and any(
        c.source and not PurePath(c.source.path).is_absolute() for c in report.changes
    ):
        run["originalUriBaseIds"] = {SRCROOT: {"uri": Path(report.source_root).as_uri() + "/"}}
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2)
