"""Reading revision scripts without importing them.

``heads`` and ``history`` need only each script's header: ``revision``,
``down_revision``, ``branch_labels``, ``depends_on`` and the docstring.
Importing thousands of scripts to get them (each pulling in SQLAlchemy and
the application) is what makes large projects slow, so the header is read
with ``ast`` instead, in three tiers from cheapest:

1. a per-location cache (``__pycache__/schemadiff-revisions.json``) keyed by
   each file's relative path, ``mtime_ns``, ``size`` and ``ctime_ns``: a warm
   load is one ``stat`` per file.  Files modified within the last two
   seconds are not cached, so an edit landing in the same timestamp tick as
   the cached version is still seen (git's "racy" rule).
2. a strict scan for the shape generated scripts have: a plain triple-quoted
   docstring, then ``name = <literal>`` lines at column 0 with plain string,
   ``None`` or tuple/list-of-string values.  Anything it is not sure about
   (other string forms, brackets left open, a second triple-quoted string
   that could hide a line) hands the file to the next tier, so it can be
   slow but never wrong.
3. ``ast`` on the text before the first top-level ``def``/``class``/
   decorator, when the rest of the file assigns no header name again; else
   on the whole file; and, for a header value that is not a literal
   (``down_revision = compute()``), importing the module after all.

A file read afresh (not from the cache) is also parsed in full, without
running it (a small cost, see benchmarks/README.md), so a syntax error anywhere
in a script (inside ``upgrade()`` too) fails every command that reads the
scripts, naming the file and line, before anything runs; the cache only
ever holds files that parsed.

``load_module`` is the one place that executes a script, for the runner.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import importlib.machinery
import importlib.util
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import ScriptError
from .model import Revision, first_line, normalize_names

__all__ = ["CACHE_FILE_NAME", "load_module", "load_revisions"]

CACHE_FILE_NAME = "schemadiff-revisions.json"
_CACHE_FORMAT = 1
_RACY_NS = 2_000_000_000
_HEADER_NAMES = ("revision", "down_revision", "branch_labels", "depends_on")
_BODY_START = re.compile(rb"^(?:def|async[ \t]+def|class|@)\b|^@", re.MULTILINE)
_HEADER_AGAIN = re.compile(rb"^(?:revision|down_revision|branch_labels|depends_on)\b", re.MULTILINE)


@dataclass(frozen=True)
class _Header:
    """A script's header values, as found; ``None`` when not assigned."""

    revision: object
    down_revision: object
    branch_labels: object
    depends_on: object
    longdoc: str


class _NeedsImport(Exception):
    """A header value is computed, so only executing the script reveals it."""


# ---------------------------------------------------------------- listing


def _list_scripts(
    root: str, prefix: str, sourceless: bool, recursive: bool
) -> Iterator[tuple[str, str]]:
    """``(path, key)`` of each script under ``root``: sorted by name, files first.

    The order is the graph's file order, the tie-breaker of every listing,
    so it must not depend on the filesystem's directory order.  ``key`` is
    the path relative to the version location, the cache's key.
    """
    try:
        with os.scandir(root) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except (FileNotFoundError, NotADirectoryError):
        return
    files = [e for e in entries if e.is_file()]
    names = {e.name for e in files}
    for entry in files:
        name = entry.name
        if name.startswith((".#", "__init__.")):
            continue
        if name.endswith(".py") or (
            sourceless and name.endswith(".pyc") and name[:-1] not in names
        ):
            yield entry.path, prefix + name
    if sourceless:
        cache_dir = os.path.join(root, "__pycache__")
        tag = f".{sys.implementation.cache_tag}.pyc"
        if os.path.isdir(cache_dir):
            for pyc in sorted(os.listdir(cache_dir)):
                stem = pyc[: -len(tag)] if pyc.endswith(tag) else None
                if stem and stem != "__init__" and f"{stem}.py" not in names:
                    yield os.path.join(cache_dir, pyc), f"{prefix}__pycache__/{pyc}"
    if recursive:
        for entry in entries:
            if entry.is_dir() and entry.name != "__pycache__":
                yield from _list_scripts(entry.path, f"{prefix}{entry.name}/", sourceless, True)


# ---------------------------------------------------------------- parsing

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
        raise _NeedsImport() from None


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
                    if target.id in _HEADER_NAMES:
                        found[target.id] = _literal(stmt.value)
                elif any(
                    isinstance(n, ast.Name) and n.id in _HEADER_NAMES for n in ast.walk(target)
                ):
                    raise _NeedsImport()
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            if stmt.target.id in _HEADER_NAMES and stmt.value is not None:
                found[stmt.target.id] = _literal(stmt.value)
    return found


def _parse(path: Path, source: bytes) -> dict[str, object]:
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


def _check_parses(path: str, source: bytes) -> None:
    """A script that Python cannot parse is an error now, not when the runner gets to it.

    Otherwise ``history`` would list it as if it were fine, and ``upgrade``
    would apply the revisions before it and stop half-way.  Only files read
    afresh pay for this (a parse, no code generation): the cache holds files that parsed.
    """
    try:
        compile(source, path, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        where = f" (line {exc.lineno})" if isinstance(exc, SyntaxError) and exc.lineno else ""
        message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
        raise ScriptError(f"Could not parse revision script {path}{where}: {message}") from exc


def _header_from_module(module: ModuleType) -> dict[str, object]:
    found = {name: getattr(module, name) for name in _HEADER_NAMES if hasattr(module, name)}
    if isinstance(module.__doc__, str):
        found["__doc__"] = module.__doc__
    return found


def _read_header(path: str) -> _Header:
    if path.endswith(".pyc"):
        found = _header_from_module(_exec_module(Path(path)))
    else:
        try:
            with open(path, "rb") as handle:
                source = handle.read()
        except OSError as exc:
            raise ScriptError(f"Could not read revision script {path}: {exc}") from exc
        try:
            found = _parse(Path(path), source)
        except _NeedsImport:
            found = _header_from_module(_exec_module(Path(path)))
        _check_parses(path, source)
    if "revision" not in found:
        raise ScriptError(f"Revision script {path} does not assign 'revision'")
    doc = found.get("__doc__")
    return _Header(
        revision=found["revision"],
        down_revision=found.get("down_revision"),
        branch_labels=found.get("branch_labels"),
        depends_on=found.get("depends_on"),
        longdoc=doc.strip() if isinstance(doc, str) else "",
    )


def _names(path: str, attr: str, value: object) -> tuple[str, ...]:
    if value is None or isinstance(value, str):
        return normalize_names(value)
    if isinstance(value, (tuple, list, set, frozenset)) and all(isinstance(v, str) for v in value):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return normalize_names(items)
    raise ScriptError(
        f"Revision script {path}: {attr} must be None, a string or a tuple of strings, "
        f"not {value!r}"
    )


def _to_revision(path: str, header: _Header) -> Revision:
    if not isinstance(header.revision, str) or not header.revision:
        raise ScriptError(
            f"Revision script {path}: revision must be a non-empty string, not {header.revision!r}"
        )
    return Revision.create(
        header.revision,
        _names(path, "down_revision", header.down_revision),
        _names(path, "branch_labels", header.branch_labels),
        _names(path, "depends_on", header.depends_on),
        longdoc=header.longdoc,
        path=path,
    )


# ------------------------------------------------------------------ cache

_Entry = list[Any]  # [mtime_ns, size, ctime_ns, revision, down, labels, deps, longdoc]


def _cache_path(location: Path) -> Path:
    return location / "__pycache__" / CACHE_FILE_NAME


def _read_cache(location: Path) -> dict[str, _Entry]:
    try:
        data = json.loads(_cache_path(location).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != _CACHE_FORMAT:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def _write_cache(location: Path, entries: dict[str, _Entry]) -> None:
    """Replace the cache atomically; a read-only tree just goes uncached."""
    target = _cache_path(location)
    payload = json.dumps({"format": _CACHE_FORMAT, "entries": entries}, separators=(",", ":"))
    try:
        target.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".schemadiff-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(payload)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError:
        pass


def _from_entry(path: str, entry: _Entry) -> Revision | None:
    """The cached revision, or None when the entry is not what we wrote."""
    try:
        _, _, _, rev, down, labels, deps, longdoc = entry
        if type(rev) is not str or type(longdoc) is not str:
            return None
        order = tuple(labels)
        return Revision(
            revision=rev,
            down_revision=tuple(down),
            branch_labels=frozenset(order),
            depends_on=tuple(deps),
            doc=first_line(longdoc),
            longdoc=longdoc,
            path=path,
            branch_label_order=order,
        )
    except (TypeError, ValueError):
        return None


def _to_entry(stat: os.stat_result, rev: Revision) -> _Entry:
    return [
        stat.st_mtime_ns,
        stat.st_size,
        stat.st_ctime_ns,
        rev.revision,
        list(rev.down_revision),
        list(rev.branch_label_order),
        list(rev.depends_on),
        rev.longdoc,
    ]


def _load_location(location: Path, sourceless: bool, recursive: bool) -> list[Revision]:
    cached = _read_cache(location)
    fresh: dict[str, _Entry] = {}
    changed = False
    racy_after = time.time_ns() - _RACY_NS
    out: list[Revision] = []
    for path, key in _list_scripts(str(location), "", sourceless, recursive):
        try:
            stat = os.stat(path)
        except OSError as exc:
            raise ScriptError(f"Could not read revision script {path}: {exc}") from exc
        entry = cached.get(key)
        rev = None
        if (
            type(entry) is list
            and len(entry) == 8
            and entry[0] == stat.st_mtime_ns
            and entry[1] == stat.st_size
            and entry[2] == stat.st_ctime_ns
        ):
            rev = _from_entry(path, entry)
        if rev is None:
            rev = _to_revision(path, _read_header(path))
            changed = True
        out.append(rev)
        if path.endswith(".py") and stat.st_mtime_ns < racy_after:
            fresh[key] = _to_entry(stat, rev)
        elif key in cached:
            changed = True
    if changed or fresh.keys() != cached.keys():
        _write_cache(location, fresh)
    return out


def load_revisions(
    version_locations: Sequence[Path | str], *, sourceless: bool = False, recursive: bool = False
) -> list[Revision]:
    """Every revision under ``version_locations``, in file order.

    Locations are read in the order given, files sorted by name inside
    each (subdirectories after files when ``recursive``).  A location that
    does not exist yet holds no revisions.  ``__init__.py`` and non-Python
    files are skipped; with ``sourceless`` a ``.pyc`` with no ``.py`` beside
    it counts too.  A script that cannot be parsed, or that assigns no
    ``revision``, raises ``ScriptError`` naming the file.
    """
    out: list[Revision] = []
    for location in version_locations:
        root = Path(location)
        if root.is_dir():
            out.extend(_load_location(root, sourceless, recursive))
    return out


# ---------------------------------------------------------------- importing


def _module_name(path: Path) -> str:
    digest = hashlib.sha1(str(path.resolve()).encode("utf-8")).hexdigest()[:12]
    stem = re.sub(r"\W", "_", path.name.split(".")[0])
    return f"schemadiff_revision_{stem}_{digest}"


def _exec_module(path: Path) -> ModuleType:
    name = _module_name(path)
    loader: importlib.machinery.SourceFileLoader | importlib.machinery.SourcelessFileLoader
    if path.suffix == ".pyc":
        loader = importlib.machinery.SourcelessFileLoader(name, str(path))
    else:
        loader = importlib.machinery.SourceFileLoader(name, str(path))
    spec = importlib.util.spec_from_file_location(name, str(path), loader=loader)
    if spec is None:  # pragma: no cover - only for paths importlib cannot name
        raise ScriptError(f"Could not import revision script {path}")
    module = importlib.util.module_from_spec(spec)
    # Registered while it runs, as a normal import would be: dataclasses,
    # pickling and typing helpers in a script look themselves up there.
    sys.modules[name] = module
    try:
        loader.exec_module(module)
    except Exception as exc:
        raise ScriptError(f"Could not import revision script {path}: {exc}") from exc
    finally:
        sys.modules.pop(name, None)
    return module


def load_module(revision: Revision) -> ModuleType:
    """Import the script behind ``revision`` so its ``upgrade()``/``downgrade()`` can run.

    Each script gets a module name derived from its path, so two projects
    (or two scripts with the same file name in different locations) never
    share a module.
    """
    if revision.path is None:
        raise ScriptError(f"Revision {revision.revision} has no script file to import")
    module = _exec_module(Path(revision.path))
    found = getattr(module, "revision", None)
    if found != revision.revision:
        raise ScriptError(
            f"Revision script {revision.path} now declares revision {found!r}, "
            f"not {revision.revision!r}; it changed since it was read"
        )
    return module
