"""Every report format, read back by a real parser.

json by ``json``, junit by an XML parser, SARIF against the SARIF 2.1.0
schema (fixtures/sarif-schema-2.1.0.json), markdown by markdown-it's table
parser, github by the workflow-command grammar.  The changes include names
built to break each format: pipes, backticks, markup, newlines, ``::``,
quotes and control characters.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from markdown_it import MarkdownIt
from rich.console import Console

from schemadiff.ops.base import Change, Hazard, SourceLocation
from schemadiff.plugins import default_registries
from schemadiff.renderers.describe import describe_change
from schemadiff.renderers.report import Report, render_report
from schemadiff.renderers.report.sarif_format import RULES
from schemadiff.renderers.report.text_format import render_rich

SARIF_SCHEMA = Path(__file__).parents[2] / "fixtures" / "sarif-schema-2.1.0.json"
HOSTILE_TABLE = "we|rd`t::ble <b>*x*</b>\n::error::pwned"
DATABASE = "postgresql+psycopg://scott:***@db.example/app"


def _changes() -> tuple[Change, ...]:
    src = SourceLocation("app/models.py", 12)
    return (
        Change("add_table", None, "account", "account", source=SourceLocation("app/models.py", 4)),
        Change(
            "remove_table",
            None,
            "legacy",
            "legacy",
            hazards=(Hazard("deletes_data", "drops table 'legacy' and every row in it", 1200),),
        ),
        Change(
            "add_column",
            None,
            "account",
            "email",
            {"type": "VARCHAR(120)", "nullable": True},
            source=src,
        ),
        Change("remove_column", "sales", "order", "total"),
        Change("modify_nullable", None, "account", "name", {"from": True, "to": False}, source=src),
        Change("modify_type", None, "account", "name", {"from": "VARCHAR(50)", "to": "TEXT"}),
        Change("modify_default", None, "account", "note", {"from": None, "to": "'); import os"}),
        Change("modify_comment", None, "account", "note", {"from": None, "to": "a\nb"}),
        Change(
            "add_index",
            None,
            "account",
            "ix_account_name",
            {"columns": ["name"]},
            hazards=(Hazard("blocks_writes", "CREATE INDEX blocks writes |`*x*`\n::error::x"),),
        ),
        Change("remove_index", None, "account", "ix_old"),
        Change("add_unique", None, "account", "uq_account_email", {"columns": ["email"]}),
        Change("remove_unique", None, "account", "uq_old"),
        Change(
            "add_fk",
            None,
            "order",
            "fk_order_account",
            {"columns": ["account_id"], "referred": ["account.id"]},
        ),
        Change("remove_fk", None, "order", "fk_old"),
        Change("add_check", None, "order", "ck_qty", {"sqltext": "quantity > 0"}),
        Change("remove_check", None, "order", "ck_old"),
        Change("add_table_comment", None, "account", None, {"from": None, "to": "Accounts"}),
        Change("remove_table_comment", None, "account", None, {"from": "x", "to": None}),
        Change(
            "add_column",
            None,
            HOSTILE_TABLE,
            "c\x01l|`x`",
            source=SourceLocation("we ird/mo,dels.py", 3),
        ),
        Change("plugin_kind", None, "account", "thing"),
    )


def _report(drift: bool = True) -> Report:
    return Report(DATABASE, _changes() if drift else (), source_root="/work/app")


def test_every_format_is_registered():
    assert {"text", "json", "markdown", "junit", "github", "sarif"} <= set(
        default_registries().report_formats.names()
    )


# -- json ----------------------------------------------------------------------
@pytest.mark.parametrize("drift", [True, False])
def test_json_is_the_spec_object(drift):
    data = json.loads(render_report(_report(drift), "json"))
    assert set(data) == {"drift", "database", "changes"}
    assert data["drift"] is drift
    assert data["database"] == DATABASE
    for item, change in zip(data["changes"], _report(drift).changes, strict=True):
        located = {"location"} if change.source else set()
        assert set(item) == {"kind", "schema", "table", "name", "detail", "hazards"} | located
        assert item["hazards"] == [h.as_dict() for h in change.hazards]
        if change.source:
            assert item["location"] == {"file": change.source.path, "line": change.source.line}
        assert (item["kind"], item["table"], item["name"]) == (
            change.kind,
            change.table,
            change.name,
        )


# -- junit ---------------------------------------------------------------------
def test_junit_has_one_failing_case_per_change():
    report = _report()
    root = ET.fromstring(render_report(report, "junit"))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == len(report.changes)
    assert suite.get("tests") == suite.get("failures") == str(len(report.changes))
    for case, change in zip(cases, report.changes, strict=True):
        failure = case.find("failure")
        assert failure is not None and failure.get("type") == change.kind
        assert change.kind in case.get("name", "")
    located = cases[2]
    assert (located.get("file"), located.get("line")) == ("app/models.py", "12")
    hostile = cases[-2]
    assert "\\x01" in hostile.get("name", "")  # a character XML cannot hold, spelled out
    assert hostile.get("file") == "we ird/mo,dels.py"


def test_junit_in_sync_is_one_passing_case():
    root = ET.fromstring(render_report(_report(False), "junit"))
    (suite,) = root.findall("testsuite")
    (case,) = suite.findall("testcase")
    assert case.find("failure") is None
    assert suite.get("failures") == "0"


# -- sarif ---------------------------------------------------------------------
def _validate_sarif(text: str) -> dict:
    log = json.loads(text)
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker()).validate(log)
    return log


@pytest.mark.parametrize("drift", [True, False])
def test_sarif_validates_against_the_schema(drift):
    _validate_sarif(render_report(_report(drift), "sarif"))


def test_the_schema_rejects_what_sarif_forbids():
    # The shipped schema is real: it refuses a log without a version.
    log = json.loads(render_report(_report(), "sarif"))
    del log["version"]
    schema = json.loads(SARIF_SCHEMA.read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(log)


_LEVEL = {("deletes_data",): "error", ("blocks_writes",): "warning", (): "note"}


def test_sarif_results_point_at_rules_and_model_lines():
    report = _report()
    log = _validate_sarif(render_report(report, "sarif"))
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} >= set(RULES) | {"plugin_kind"}
    results = run["results"]
    assert len(results) == len(report.changes)
    for result, change in zip(results, report.changes, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == change.kind
        assert result["message"]["text"].startswith(describe_change(change))
        assert result["level"] == _LEVEL[tuple(h.kind for h in change.hazards)]
    physical = results[2]["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "app/models.py", "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": 12}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///work/app/"
    hostile = results[-2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert hostile == "we%20ird/mo%2Cdels.py"
    fingerprints = [r["partialFingerprints"]["schemadiffChange/v1"] for r in results]
    assert len(set(fingerprints)) == len(fingerprints)


# -- markdown ------------------------------------------------------------------
def _table_rows(markdown: str) -> list[list[str]]:
    """Each table row's cells, as a reader sees them (markup resolved)."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    rows: list[list[str]] = []
    in_table = False
    for token in tokens:
        if token.type in ("table_open", "table_close"):
            in_table = token.type == "table_open"
        elif in_table and token.type == "tr_open":
            rows.append([])
        elif in_table and token.type == "inline":
            children = token.children or []
            rows[-1].append("".join(child.content for child in children))
    return rows


def test_markdown_table_has_a_row_per_change_and_survives_hostile_names():
    report = _report()
    text = render_report(report, "markdown")
    rows = _table_rows(text)
    assert rows[0] == ["Table", "Kind", "Change", "Hazards", "Model source"]
    body = rows[1:]
    assert len(body) == len(report.changes)
    assert all(len(row) == 5 for row in body)
    assert any(row[3].startswith("deletes_data: drops table 'legacy'") for row in body)
    hostile_row = next(row for row in body if row[0].startswith("we|rd"))
    assert hostile_row[0] == HOSTILE_TABLE.replace("\n", "\\n")  # literal, on one line
    assert hostile_row[4] == "we ird/mo,dels.py:3"
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "<b>" not in html and "<em>" not in html  # no markup got through
    assert "models.py:12" in text


def test_markdown_lists_each_difference_in_plain_words():
    """Names keep their underscores, so the raw report reads (and greps) as the text one."""
    changes = (
        Change("add_column", None, "account", "last_transaction_date", {"type": "DATETIME"}),
        Change("add_index", None, "order_item", "ix_order_item_sku", {"columns": ["sku"]}),
        Change("add_table", None, "_private_", "_private_"),
    )
    text = render_report(Report(DATABASE, changes, source_root="/work/app"), "markdown")
    for change in changes[:2]:
        assert describe_change(change) in text
    rows = _table_rows(text)[1:]
    assert sorted(row[2] for row in rows) == sorted(describe_change(c) for c in changes)
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "<em>" not in html  # (the count above the table is bold on purpose)


def test_markdown_in_sync_says_so():
    text = render_report(_report(False), "markdown")
    assert "No schema drift" in text and "|" not in text


# -- github --------------------------------------------------------------------
_COMMAND = re.compile(r"^::(?P<name>[a-z]+)(?: (?P<props>[^:]*))?::(?P<data>.*)$")


def _unescape(text: str) -> str:
    return (
        text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


def _commands(text: str) -> list[tuple[str, dict[str, str], str]]:
    out = []
    for line in text.splitlines():
        match = _COMMAND.match(line)
        if match is None:
            assert not line.startswith("::"), line
            continue
        props = {}
        for pair in (match.group("props") or "").split(","):
            if pair:
                key, _, value = pair.partition("=")
                props[key] = _unescape(value)
        out.append((match.group("name"), props, _unescape(match.group("data"))))
    return out


def test_github_annotations_one_per_change_with_file_and_line():
    report = _report()
    text = render_report(report, "github")
    commands = _commands(text)
    assert len(commands) == len(report.changes)
    assert len(text.splitlines()) == len(report.changes) + 1  # no newline escaped its command
    levels = {"error": "error", "warning": "warning", "note": "notice"}
    for (name, props, data), change in zip(commands, report.changes, strict=True):
        assert name == levels[_LEVEL[tuple(h.kind for h in change.hazards)]]
        assert data.startswith(describe_change(change))
        assert change.kind in props["title"]
    assert commands[2][1]["file"] == "app/models.py" and commands[2][1]["line"] == "12"
    assert "file" not in commands[1][1]
    assert commands[-2][1]["file"] == "we ird/mo,dels.py"


def test_github_in_sync_is_a_notice():
    ((name, _props, data),) = _commands(render_report(_report(False), "github"))
    assert (name, data) == ("notice", "No new upgrade operations detected.")


# -- text ----------------------------------------------------------------------
def test_text_groups_by_table_and_names_the_model_line():
    text = render_report(_report(), "text")
    lines = text.splitlines()
    assert lines[0] == (
        f"Schema drift detected: {len(_changes())} differences between the database "
        f"({DATABASE}) and the models"
    )
    assert "  account" in lines
    assert "    add_column: added column 'account.email' (app/models.py:12)" in lines
    assert "    modify_nullable: NOT NULL on column 'account.name' (app/models.py:12)" in lines
    assert render_report(_report(False), "text") == "No new upgrade operations detected."


def test_rich_table_for_a_terminal():
    out = io.StringIO()
    render_rich(_report(), Console(file=out, force_terminal=True, width=200))
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())
    assert "Schema drift detected" in text
    assert "added column 'account.email'" in text and "app/models.py:12" in text
    out = io.StringIO()
    render_rich(_report(False), Console(file=out, force_terminal=True))
    assert "No new upgrade operations detected." in out.getvalue()
