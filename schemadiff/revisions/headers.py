"""Tiers 2 and 3 of reading a revision script's header (see ``revisions.scripts``):
a strict scan for the shape generated scripts have, then ``ast``.

The scan hands anything it is not sure about to ``ast``, so it can be slow
but never wrong; a header value that is not a literal raises
``NeedsImport``, and the caller imports the module after all.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from ..errors import ScriptError

__all__ = ["HEADER_NAMES", "NeedsImport", "parse_header"]

HEADER_NAMES = ("revision", "down_revision", "branch_labels", "depends_on")
_BODY_START = re.compile(rb"^(?:def|async[ \t]+def|class|@)\b|^@", re.MULTILINE)
_HEADER_AGAIN = re.compile(rb"^(?:revision|down_revision|branch_labels|depends_on)\b", re.MULTILINE)


class NeedsImport(Exception):
    """A header value is computed, so only executing the script reveals it."""


_LEAD = rb"\A(?:[ \t]*(?:#[^\n]*)?\r?\n)*"
_FAST_DOC = re.compile(
    _LEAD + rb'[ \t]*(?:"""(.*?)"""|\'\'\'(.*?)\'\'\')[ \t]*(?:#[^\n]*)?(?=\r?\n|\Z)', re.S
)
_LEADING_STRING = re.compile(_LEAD + rb"[ \t]*[rRbBuUfF]*[\"']")
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.M)
# Anchored on a literal newline rather than ^ with MULTILINE: the regex
# engine can then skip ahead with a fast search (figures: benchmarks/README.md).
_FAST_ASSIGN = re.compile(rb"\n(revision|down_revision|branch_labels|depends_on)\b([^\n]*)")
_STR = rb"(?:\"[^\"\\\n]*\"|'[^'\\\n]*')"
_FAST_VALUE = re.compile(
    rb"[ \t]*(?::[^=\n]*)?=[ \t]*(None|" + _STR + rb"|\((?:[^()\\\n]*)\)|\[(?:[^\[\]\\\n]*)\])"
    rb"[ \t]*(?:#[^\n]*)?\r?\Z"
)
_FAST_SEQUENCE = re.compile(
    rb"\A[ \t]*(?:" + _STR + rb"[ \t]*,[ \t]*)*(?:" + _STR + rb"[ \t]*,?[ \t]*)?\Z"
)
_FAST_STRINGS = re.compile(rb"\"([^\"\\\n]*)\"|'([^'\\\n]*)'")


def _fast_value(raw: bytes) -> object:
    if raw == b"None":
        return None
    if raw[:1] in (b"(", b"["):
        inner = raw[1:-1]
        if not _FAST_SEQUENCE.match(inner):
            raise _NotSimple()
        items = [(a or b).decode("utf-8") for a, b in _FAST_STRINGS.findall(inner)]
        # "(\"x\")" is a string, not a tuple; only a comma makes a tuple.
        if raw[:1] == b"(" and len(items) == 1 and b"," not in inner:
            return items[0]
        return items
    return raw[1:-1].decode("utf-8")


class _NotSimple(Exception):
    """The fast scan is unsure; let ``ast`` decide."""


def _fast_header(source: bytes) -> dict[str, object]:
    """The header of a script shaped like a generated one, or ``_NotSimple``."""
    if source.startswith(b"\xef\xbb\xbf"):
        source = source[3:]
    source = b"\n" + source  # every line, even the first, follows a newline
    head = source[:200]
    for match in _CODING.finditer(head):
        if match.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
            raise _NotSimple()
    found: dict[str, object] = {}
    body_start = 0
    doc = _FAST_DOC.match(source)
    if doc is not None:
        raw = doc.group(1) if doc.group(1) is not None else doc.group(2)
        if b"\\" in raw:
            raise _NotSimple()
        found["__doc__"] = raw.decode("utf-8").replace("\r\n", "\n")
        body_start = doc.end()
    elif _LEADING_STRING.match(source):
        raise _NotSimple()
    if b'"""' in source[body_start:] or b"'''" in source[body_start:]:
        raise _NotSimple()
    if b"\\\n" in source or b"\\\r" in source:
        raise _NotSimple()
    for match in _FAST_ASSIGN.finditer(source, body_start):
        value = _FAST_VALUE.match(match.group(2))
        if value is None:
            raise _NotSimple()
        before = source[body_start : match.start()]
        if (
            before.count(b"(") != before.count(b")")
            or before.count(b"[") != before.count(b"]")
            or before.count(b"{") != before.count(b"}")
        ):
            raise _NotSimple()
        found[match.group(1).decode("ascii")] = _fast_value(value.group(1))
    if "revision" not in found:
        raise _NotSimple()
    return found


def _literal(node: ast.expr) -> object:
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise NeedsImport() from None


def _header_from_tree(tree: ast.Module) -> dict[str, object]:
    found: dict[str, object] = {}
    body = tree.body
    if body and isinstance(body[0], ast.Expr):
        value = body[0].value
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            found["__doc__"] = value.value
    for stmt in body:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    if target.id in HEADER_NAMES:
                        found[target.id] = _literal(stmt.value)
                elif any(
                    isinstance(n, ast.Name) and n.id in HEADER_NAMES for n in ast.walk(target)
                ):
                    raise NeedsImport()
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            if stmt.target.id in HEADER_NAMES and stmt.value is not None:
                found[stmt.target.id] = _literal(stmt.value)
    return found


def parse_header(path: Path, source: bytes) -> dict[str, object]:
    try:
        return _fast_header(source)
    except (_NotSimple, UnicodeDecodeError):
        pass
    cut = _BODY_START.search(source)
    if cut is not None and not _HEADER_AGAIN.search(source, cut.start()):
        try:
            found = _header_from_tree(ast.parse(source[: cut.start()], str(path)))
        except SyntaxError:
            found = {}  # the cut fell inside a string; read the whole file
        if "revision" in found:
            return found
    try:
        tree = ast.parse(source, str(path))
    except (SyntaxError, ValueError) as exc:
        where = f" (line {exc.lineno})" if isinstance(exc, SyntaxError) and exc.lineno else ""
        raise ScriptError(f"Could not parse revision script {path}{where}: {exc}") from exc
    return _header_from_tree(tree)
