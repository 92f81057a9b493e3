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
import functools
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
from .headers import HEADER_NAMES, NeedsImport, parse_header
from .model import Revision, first_line, normalize_names

__all__ = ["CACHE_FILE_NAME", "load_module", "load_revisions"]

CACHE_FILE_NAME = "schemadiff-revisions.json"
_CACHE_FORMAT = 1
_RACY_NS = 2_000_000_000


@dataclass(frozen=True)
class _Header:
    """A script's header values, as found; ``None`` when not assigned."""

    revision: object
    down_revision: object
    branch_labels: object
    depends_on: object
    longdoc: str


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
    found = {name: getattr(module, name) for name in HEADER_NAMES if hasattr(module, name)}
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
            found = parse_header(Path(path), source)
        except NeedsImport:
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


@functools.lru_cache(maxsize=64)
def _real_dir(directory: str) -> str:
    """A versions folder resolved once, not once per script: resolving walks
    every component of the path (5,000 scripts: about 0.15 s of an upgrade)."""
    return os.path.realpath(directory)


def _module_name(path: Path) -> str:
    # absolute first, so that a cached entry never depends on the working directory
    real = os.path.join(_real_dir(str(path.parent.absolute())), path.name)
    digest = hashlib.sha1(real.encode("utf-8")).hexdigest()[:12]
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
