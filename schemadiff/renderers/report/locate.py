"""Find where the models define what a change is about: a file and a line.

SQLAlchemy keeps no record of where a ``Table`` or ``Column`` was written,
so this reads the source of the modules that hold the target metadata:

- a declarative class is found through its ``__table__`` and ``inspect``,
  a column through its attribute (``name: Mapped[str] = mapped_column()``),
  searched up the class's bases for mixins;
- a Core table through its ``Table("name", ...`` call, a column through its
  ``Column("name", ...`` inside that call, or anywhere in the module (for
  ``append_column``);
- an index or constraint through its quoted name, else its table.

An index or constraint declared on a column (``index=True``,
``unique=True``, ``ForeignKey``), whose name is in no source, points at
that column.  What the models no longer define (a removed table) points at
the module that defines the metadata, without a line, and failing
everything at env.py's ``target_metadata`` line.  Locations are a courtesy: a miss leaves
``source`` empty, it never fails a check.
"""

from __future__ import annotations

import inspect
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table

from schemadiff.ops.base import Change, SourceLocation

_LIBRARIES = {"builtins", "sqlalchemy", "typing", "abc"}
# indexes and constraints, which may be declared on a column (index=True,
# unique=True, ForeignKey) rather than by a name written in the source
_COLUMN_BORNE = {"add_index", "add_unique", "add_fk", "add_primary_key"}
_COLUMN_KINDS = {
    "add_column",
    "remove_column",
    "modify_nullable",
    "modify_type",
    "modify_default",
    "modify_comment",
    "modify_identity",
}


@dataclass
class _Source:
    path: Path
    text: str
    offset: int = 0  # line number of text's first line, minus one

    def line_of(self, index: int) -> int:
        return self.offset + self.text.count("\n", 0, index) + 1


@dataclass
class _Span:
    """Where one table is written: a file and a slice of its text."""

    source: _Source
    start: int
    end: int

    def find(self, pattern: re.Pattern[str]) -> int | None:
        match = pattern.search(self.source.text, self.start, self.end)
        return self.source.line_of(match.start()) if match else None


def _quoted(name: str) -> str:
    return rf"""(?P<q>['"]){re.escape(name)}(?P=q)"""


class SourceIndex:
    """The model's modules, read once per ``check``."""

    def __init__(self, metadatas: Sequence[MetaData], root: Path, env_py: Path | None) -> None:
        self.metadatas = metadatas
        self.root = root
        self.env_py = env_py
        self._texts: dict[Path, _Source] = {}
        self._modules: list[Any] = []
        self._classes: dict[int, type] = {}  # id(table) -> mapped class
        self._holders: list[tuple[Any, str, Any]] = []  # (module, global name, value)
        self._scan()

    # -- discovery ---------------------------------------------------------
    def _scan(self) -> None:
        md_ids = {id(md) for md in self.metadatas}
        table_ids = {id(t) for md in self.metadatas for t in md.tables.values()}
        for name in sorted(sys.modules):
            module = sys.modules.get(name)
            try:  # lazy or proxy modules may raise on any attribute access
                path = getattr(module, "__file__", None)
                namespace = dict(vars(module))
            except Exception:
                continue
            if not isinstance(path, str) or not path.endswith(".py"):
                continue
            relevant = False
            for key, value in namespace.items():
                if id(value) in md_ids or id(value) in table_ids:
                    relevant = True
                    if id(value) in md_ids:
                        self._holders.append((module, key, value))
                elif isinstance(value, type):
                    own = value.__dict__
                    table = own.get("__table__")
                    if id(table) in table_ids:
                        relevant = True
                        self._classes.setdefault(id(table), value)
                    if id(own.get("metadata")) in md_ids:
                        relevant = True
                        self._holders.append((module, key, value))
            if relevant:
                self._modules.append(module)

    def _source(self, path: str | Path) -> _Source | None:
        resolved = Path(path).resolve()
        if resolved not in self._texts:
            try:
                text = resolved.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                return None
            self._texts[resolved] = _Source(resolved, text)
        return self._texts[resolved]

    def location(self, path: Path, line: int | None) -> SourceLocation:
        try:
            shown = path.relative_to(self.root)
        except ValueError:
            shown = path
        return SourceLocation(shown.as_posix() if not shown.is_absolute() else str(shown), line)

    # -- tables ------------------------------------------------------------
    def table_span(self, table: Table) -> tuple[_Span, type | None] | None:
        cls = self._classes.get(id(table))
        if cls is not None:
            span = self._class_span(cls)
            if span is not None:
                return span, cls
        call = re.compile(r"\bTable\(\s*" + _quoted(table.name))
        tablename = re.compile(r"__tablename__\s*(?::[^=\n]*)?=\s*" + _quoted(table.name))
        for module in self._modules:
            source = self._source(module.__file__)
            if source is None:
                continue
            for pattern in (call, tablename):
                match = pattern.search(source.text)
                if match:
                    after = re.compile(r"\bTable\(|^class\s", re.M).search(source.text, match.end())
                    end = after.start() if after else len(source.text)
                    return _Span(source, match.start(), end), None
        return None

    def _class_span(self, cls: type) -> _Span | None:
        try:
            path = inspect.getsourcefile(cls)
            lines, first = inspect.getsourcelines(cls)
        except (OSError, TypeError):
            return None
        if path is None:
            return None
        text = "".join(lines)
        return _Span(_Source(Path(path).resolve(), text, first - 1), 0, len(text))

    # -- lookups -----------------------------------------------------------
    def find_table(self, schema: str | None, name: str | None) -> Table | None:
        for md in self.metadatas:
            for table in md.tables.values():
                if table.name == name and (schema is None or table.schema in (schema, None)):
                    return table
        return None

    def locate(self, change: Change) -> SourceLocation | None:
        if change.table is None and change.name and not change.kind.startswith("remove_"):
            found_object = self._object_location(change.name)  # an enum, sequence, schema
            if found_object is not None:
                return found_object
        renamed_to = (change.detail or {}).get("to")  # a rename: the model has the new name
        table_name = renamed_to if change.kind == "rename_table" else change.table
        table = self.find_table(change.schema, table_name)
        found = self.table_span(table) if table is not None else None
        if found is None:
            return self.metadata_location()
        span, cls = found
        line: int | None = None
        path = span.source.path
        column = renamed_to if change.kind == "rename_column" and renamed_to else change.name
        if column and change.kind in _COLUMN_KINDS | {"rename_column"}:
            place = self._column_place(span, cls, table, str(column))
            if place is not None:
                path, line = place
        elif change.name and change.name != change.table:
            line = self._named_line(span, change.name)
        if line is None and change.kind in _COLUMN_BORNE:
            line = self._column_borne_line(span, cls, table, change)
        if line is None:
            line = span.source.line_of(span.start)
        return self.location(path, line)

    def _column_line(self, span: _Span, cls: type | None, table: Any, name: str) -> int | None:
        place = self._column_place(span, cls, table, name)
        return place[1] if place is not None else None

    def _column_place(
        self, span: _Span, cls: type | None, table: Any, name: str
    ) -> tuple[Path, int] | None:
        """File and line of a column's definition: a mixin's own module where
        the class inherits it, not the mapped class's file."""
        line: int | None
        if cls is not None:
            keys = [name, *_attribute_keys(cls, table, name)]
            for klass in cls.__mro__:
                if klass is not cls and klass.__module__.split(".")[0] in _LIBRARIES:
                    continue
                klass_span = span if klass is cls else self._class_span(klass)
                if klass_span is None:
                    continue
                for key in dict.fromkeys(keys):
                    attr = re.compile(rf"^\s*{re.escape(key)}\s*[:=]", re.M)
                    line = klass_span.find(attr)
                    if line is not None:
                        return klass_span.source.path, line
            line = span.find(re.compile(_quoted(name)))
            return (span.source.path, line) if line is not None else None
        column = re.compile(r"\b(?:Column|mapped_column)\(\s*" + _quoted(name))
        line = span.find(column)
        if line is None:
            line = _Span(span.source, 0, len(span.source.text)).find(column)
        return (span.source.path, line) if line is not None else None

    def _column_borne_line(
        self, span: _Span, cls: type | None, table: Any, change: Change
    ) -> int | None:
        """An index or constraint whose name is in no source (``index=True``,
        ``unique=True``, ``ForeignKey(...)``, a naming convention): the line
        of its ``Index(``/``UniqueConstraint(``/... call naming its first
        column, else, for one column, that column's line."""
        columns = [str(c) for c in (change.detail or {}).get("columns") or ()]
        if not columns:
            return None
        call = re.compile(
            r"\b(?:Index\(\s*(?:None|['\"][^'\"]*['\"])\s*,|"
            r"(?:UniqueConstraint|ForeignKeyConstraint|PrimaryKeyConstraint)\()"
            r"\s*\[?\s*" + _quoted(columns[0])
        )
        line = span.find(call)
        if line is None and len(columns) == 1:
            line = self._column_line(span, cls, table, columns[0])
        return line

    def _object_location(self, name: str) -> SourceLocation | None:
        """The first place a model module spells the object's name, quoted."""
        pattern = re.compile(_quoted(name))
        for module in self._modules:
            source = self._source(module.__file__)
            match = pattern.search(source.text) if source is not None else None
            if source is not None and match is not None:
                return self.location(source.path, source.line_of(match.start()))
        return None

    def _named_line(self, span: _Span, name: str) -> int | None:
        pattern = re.compile(_quoted(name))
        line = span.find(pattern)
        if line is None:
            line = _Span(span.source, 0, len(span.source.text)).find(pattern)
        return line

    def metadata_location(self) -> SourceLocation | None:
        """The models' own module, without a line, for what they no longer define.

        No line of that module is about a removed table: the metadata's or
        the base class's line would send the reader to the wrong place.
        """
        # Prefer the module that assigns the metadata (or defines the base
        # class) over one that merely imports it.
        for module, key, value in self._holders:
            if isinstance(value, type):
                span = self._class_span(value)
                if span is not None and span.source.path == Path(module.__file__).resolve():
                    return self.location(span.source.path, None)
                continue
            source = self._source(module.__file__)
            if source is None:
                continue
            match = re.compile(rf"^{re.escape(key)}\s*[:=]", re.M).search(source.text)
            if match:
                return self.location(source.path, None)
        return self.env_location()

    def env_location(self) -> SourceLocation | None:
        if self.env_py is None:
            return None
        source = self._source(self.env_py)
        if source is None:
            return None
        match = re.compile(r"^target_metadata\s*=", re.M).search(source.text)
        return self.location(source.path, source.line_of(match.start()) if match else None)


def _attribute_keys(cls: type, table: Any, name: str) -> list[str]:
    """The mapped attribute names of a column (``_name = mapped_column("name")``)."""
    try:
        from sqlalchemy import inspect as sa_inspect

        mapper: Any = sa_inspect(cls)
        column = table.c[name]
        return [prop.key for prop in mapper.column_attrs if column in prop.columns]
    except Exception:  # an unmapped or half-configured class: fall back to the name
        return []


def locate_changes(
    changes: Iterable[Change],
    metadata: MetaData | Sequence[MetaData] | None,
    *,
    root: str | os.PathLike[str] | None = None,
    env_py: str | os.PathLike[str] | None = None,
) -> tuple[Change, ...]:
    """The changes with ``source`` filled in wherever it can be found."""
    changes = tuple(changes)
    if not changes:
        return changes
    metadatas: list[MetaData] = []
    if isinstance(metadata, MetaData):
        metadatas = [metadata]
    elif metadata is not None:
        metadatas = [m for m in metadata if isinstance(m, MetaData)]
    try:
        index = SourceIndex(
            metadatas,
            Path(root or Path.cwd()).resolve(),
            Path(env_py).resolve() if env_py else None,
        )
    except Exception:  # a courtesy, never a failure: see the module docstring
        return changes
    out = []
    for change in changes:
        if change.source is not None:
            out.append(change)
            continue
        try:
            source = index.locate(change)
        except Exception:
            source = None
        out.append(replace(change, source=source))
    return tuple(out)
