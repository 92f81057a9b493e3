"""``check --format junit``: JUnit XML, which every CI test reporter reads.

One test suite, ``schemadiff.check``; each difference is a failing test
case named after what drifted (``account.last_transaction_date``), so CI
lists each one and can track it across runs.  A database in sync gives one
passing case, so the report never looks empty.
"""

from __future__ import annotations

import re

from schemadiff.renderers.describe import describe_change, target_of
from schemadiff.renderers.report import Report
from schemadiff.renderers.report.hazard_text import hazard_text
from schemadiff.renderers.report.text_format import CLEAN, headline

SUITE = "schemadiff.check"


# XML 1.0 cannot carry these at all, escaped or not: the complement of
# #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF],
# spelled as what it holds (a class spelled up to U+10FFFF compiles slowly)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def render_junit(report: Report) -> str:
    # imported here: ElementTree would slow every check's start-up otherwise
    import xml.etree.ElementTree as ET

    count = len(report.changes)
    tests = max(count, 1)
    root = ET.Element(
        "testsuites", name="schemadiff check", tests=str(tests), failures=str(count), errors="0"
    )
    suite = ET.SubElement(
        root,
        "testsuite",
        name=SUITE,
        tests=str(tests),
        failures=str(count),
        errors="0",
        skipped="0",
    )
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="database", value=xml_safe(report.database))
    if not report.drift:
        ET.SubElement(suite, "testcase", classname=SUITE, name="database matches the models")
    for change in report.changes:
        target = target_of(change)
        name = f"{target}.{change.name}" if change.name and change.name != change.table else target
        case = ET.SubElement(
            suite,
            "testcase",
            classname=xml_safe(f"{SUITE}.{target}"),
            name=xml_safe(f"{change.kind}: {name}"),
        )
        if change.source is not None:
            case.set("file", xml_safe(change.source.path))
            if change.source.line:
                case.set("line", str(change.source.line))
        message = describe_change(change)
        failure = ET.SubElement(case, "failure", message=xml_safe(message), type=change.kind)
        body = [message, f"kind: {change.kind}"]
        if change.detail:
            body.append(f"detail: {change.detail}")
        if change.source is not None:
            body.append(f"model: {change.source}")
        body.extend(f"HAZARD {hazard_text(h)}" for h in change.hazards)
        failure.text = xml_safe("\n".join(body))
    summary = headline(report) if report.drift else CLEAN
    ET.SubElement(suite, "system-out").text = xml_safe(summary)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
