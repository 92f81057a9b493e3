"""``schemadiff import-alembic``: move an existing Alembic project over in one step.

Nothing in the database changes.  The project's files are translated:

* ``alembic.ini`` -> ``schemadiff.ini`` beside it, every line kept; the
  ``[alembic]`` section is renamed ``[schemadiff]`` and the ``alembic``
  logger becomes the ``schemadiff`` one (so ``Running upgrade ...`` lines
  still show).  With ``[tool.alembic]`` in ``pyproject.toml``, a
  ``[tool.schemadiff]`` table with the same keys is added there.
* ``version_table = alembic_version`` goes into the new configuration, so
  the runner keeps reading and writing the table Alembic left (an explicit
  ``context.configure(version_table=...)`` in env.py still wins).
* ``from alembic... import ...`` in ``env.py``, ``script.py.mako`` and
  every revision script of the version locations is pointed at
  schemadiff's module of the same names.  An import whose names schemadiff
  does not have (a plugin's, ``alembic.autogenerate.comparators``, ...) is
  reported and left as it is.

The translation is computed completely before anything is written, so a
bad project fails without a half-done move, and ``--dry-run`` shows it as
a diff.  Run twice, the second run finds nothing to change.
"""

from __future__ import annotations

import ast
import configparser
import difflib
import importlib
import importlib.util
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemadiff.config import Config
from schemadiff.errors import CommandError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["FileChange", "ImportPlan", "import_alembic", "plan_import"]

#: Alembic's module -> schemadiff's module offering the same names
MODULES = {
    "alembic": "schemadiff",
    "alembic.op": "schemadiff.op",
    "alembic.context": "schemadiff.context",
    "alembic.command": "schemadiff.command",
    "alembic.config": "schemadiff.config",
    "alembic.operations": "schemadiff.operations",
    "alembic.operations.ops": "schemadiff.ops",
    "alembic.runtime.migration": "schemadiff.runtime.migration",
    "alembic.runtime.environment": "schemadiff.runtime.environment",
    "alembic.script": "schemadiff.scriptdir",
    "alembic.autogenerate": "schemadiff.autogenerate",
}
#: third-party Alembic plugins are packages named ``alembic_<something>``
PLUGIN_PREFIX = "alembic_"

_VERSION_TABLE_LINES = (
    "# import-alembic: keep using the version table Alembic wrote",
    "version_table = alembic_version",
)
_SECTION = re.compile(r"^\s*\[([^\]]+)\]\s*$")
_TOML_HEADER = re.compile(r"^\s*(\[\[?)\s*tool\.(alembic|schemadiff)((?:\.[^\]]*)?)\s*(\]\]?)")
_ANY_TOML_HEADER = re.compile(r"^\s*\[")


@dataclass(frozen=True)
class FileChange:
    """One file the import writes: its text before (None: a new file) and after."""

    path: Path
    old: str | None
    new: str

    def diff(self, shown: str) -> str:
        before = [] if self.old is None else self.old.splitlines(keepends=True)
        after = self.new.splitlines(keepends=True)
        lines = difflib.unified_diff(
            before,
            after,
            fromfile="/dev/null" if self.old is None else f"a/{shown}",
            tofile=f"b/{shown}",
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


@dataclass
class ImportPlan:
    """Everything the import would write, and the imports it leaves alone."""

    changes: list[FileChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- finding the project


@dataclass(frozen=True)
class _Source:
    ini: Path | None
    toml: Path | None  # a pyproject.toml holding [tool.alembic]


def _has_tool_alembic(path: Path) -> bool:
    if not path.is_file():
        return False
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CommandError(f"{path} is malformed: {exc}") from exc
    return isinstance(data.get("tool", {}).get("alembic"), dict)


def _find_source(path: str | None) -> _Source:
    given = Path(path) if path else None
    if given is None or given.is_dir():
        folder = given or Path(".")
        ini = folder / "alembic.ini"
        toml = folder / "pyproject.toml"
        found = _Source(ini if ini.is_file() else None, toml if _has_tool_alembic(toml) else None)
        if found.ini is None and found.toml is None:
            raise CommandError(
                f"No Alembic project in {str(folder.resolve())!r}: no alembic.ini and no "
                "[tool.alembic] in pyproject.toml"
            )
        return found
    if not given.is_file():
        raise CommandError(f"No Alembic config file {str(given)!r} found")
    if given.suffix == ".toml":
        if not _has_tool_alembic(given):
            raise CommandError(f"{given} has no [tool.alembic] table: not an Alembic project")
        ini = given.parent / "alembic.ini"
        return _Source(ini if ini.is_file() else None, given)
    toml = given.parent / "pyproject.toml"
    return _Source(given, toml if _has_tool_alembic(toml) else None)


def _read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


def _eol(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


# ---------------------------------------------------------------- configuration


def _translate_ini(text: str, add_version_table: bool) -> str:
    """The ini file line by line: comments, order and every key survive."""
    eol = _eol(text)
    out: list[str] = []
    section: str | None = None
    if add_version_table and _names_version_table(text):
        add_version_table = False  # the project names its own table already
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        ending = line[len(body) :]
        match = _SECTION.match(body)
        if match:
            section = match.group(1).strip()
            if section == "alembic":
                out.append("[schemadiff]" + ending)
                if add_version_table:
                    out.extend(entry + eol for entry in _VERSION_TABLE_LINES)
                continue
            if section == "logger_alembic":
                out.append("[logger_schemadiff]" + ending)
                continue
        elif section == "loggers" and re.match(r"^keys\s*[=:]", body):
            key, sep, value = body.partition("=")
            value = re.sub(r"(?<![\w.])alembic(?![\w.])", "schemadiff", value)
            out.append(key + sep + value + ending)
            continue
        elif section and section.startswith("logger_") and re.match(r"^qualname\s*[=:]", body):
            body = re.sub(r"([=:]\s*)alembic(?=$|\.)", r"\1schemadiff", body)
            out.append(body + ending)
            continue
        out.append(line)
    return "".join(out)


def _names_version_table(text: str) -> bool:
    """Whether the ``[alembic]`` section already has a ``version_table`` key."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise CommandError(f"alembic.ini is malformed: {exc}") from exc
    return parser.has_option("alembic", "version_table")


def _toml_blocks(text: str, name: str) -> list[list[str]]:
    """The line blocks of ``[tool.<name>]`` and its sub-tables, each from its header."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    for line in text.splitlines(keepends=True):
        if _ANY_TOML_HEADER.match(line):
            match = _TOML_HEADER.match(line)
            current = [] if match and match.group(2) == name else None
            if current is not None:
                blocks.append(current)
        if current is not None:
            current.append(line)
    return blocks


def _schemadiff_header(match: re.Match[str]) -> str:
    return f"{match.group(1)}tool.schemadiff{match.group(3)}{match.group(4)}"


def _translate_toml(text: str) -> str | None:
    """pyproject.toml with a ``[tool.schemadiff]`` copy of ``[tool.alembic]`` (None: has it)."""
    if _toml_blocks(text, "schemadiff"):
        return None
    eol = _eol(text)
    added: list[str] = []
    for block in _toml_blocks(text, "alembic"):
        while block and not block[-1].strip():
            block = block[:-1]
        header, *rest = block
        match = _TOML_HEADER.match(header)
        assert match is not None  # the block starts at its header
        added.append(_TOML_HEADER.sub(_schemadiff_header, header, count=1))
        if match.group(1) == "[" and not match.group(3):  # the main table, not a sub-table
            has_key = any(re.match(r"^\s*version_table\s*=", line) for line in rest)
            if not has_key:
                added.append(f"{_VERSION_TABLE_LINES[0]}{eol}")
                added.append(f'version_table = "alembic_version"{eol}')
        added.extend(rest)
        if not added[-1].endswith(("\n", "\r")):
            added[-1] += eol
        added.append(eol)
    body = text if text.endswith(("\n", "\r")) or not text else text + eol
    return body + eol + "".join(added).rstrip("\r\n") + eol


def _expected_tool_table(toml_text: str) -> dict[str, Any]:
    data = tomllib.loads(toml_text)
    table = dict(data["tool"]["alembic"])
    table.setdefault("version_table", "alembic_version")
    return table


# ---------------------------------------------------------------- where the scripts are


def _location(value: str, here: Path) -> Path:
    value = value.replace("%(here)s", str(here))
    if ":" in value and not Path(value).exists() and not re.match(r"^[A-Za-z]:[\\/]", value):
        package, _, sub = value.partition(":")
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise CommandError(f"script_location {value!r}: package {package!r} not found")
        return Path(list(spec.submodule_search_locations)[0]) / sub
    return Path(value)


def _script_dirs(source: _Source) -> tuple[Path, list[Path], bool]:
    """(script_location, version locations, recursive) as Alembic reads them."""
    options: dict[str, Any] = {}
    here = (source.ini or source.toml or Path("x")).resolve().parent
    if source.toml is not None:
        options.update(tomllib.loads(_read(source.toml))["tool"]["alembic"])
    locations: list[str] | None = None
    if source.ini is not None:
        cfg = Config(source.ini, ini_section="alembic")
        try:
            for key in ("script_location", "recursive_version_locations"):
                value = cfg.get_main_option(key)
                if value is not None:
                    options[key] = value
            if cfg.get_main_option("version_locations"):
                locations = cfg.get_main_option_list("version_locations")
        except configparser.Error as exc:
            raise CommandError(f"{source.ini} is malformed: {exc}") from exc
    if locations is None and "version_locations" in options:
        raw = options["version_locations"]
        locations = list(raw) if isinstance(raw, list) else str(raw).replace(",", " ").split()
    script_location = options.get("script_location")
    if not script_location:
        where = source.ini or source.toml
        raise CommandError(f"No 'script_location' in {where}: not an Alembic project")
    script_dir = _location(str(script_location), here)
    if not script_dir.is_dir():
        raise CommandError(f"script_location {str(script_dir)!r} does not exist")
    versions = [_location(v, here) for v in locations] if locations else [script_dir / "versions"]
    recursive = str(options.get("recursive_version_locations", "")).lower() in ("true", "1", "yes")
    return script_dir, versions, recursive


# ---------------------------------------------------------------- Python imports


def _translatable(module: str, names: list[str]) -> str | None:
    """schemadiff's module for ``from <module> import <names>`` when it has every name."""
    target = MODULES.get(module)
    if target is None:
        return None
    found = importlib.import_module(target)
    if all(name == "*" or hasattr(found, name) for name in names):
        return target
    return None


def translate_source(text: str, shown: str, warnings: list[str]) -> str:
    """A Python file with its Alembic imports pointed at schemadiff (see module docstring)."""
    try:
        tree = ast.parse(text)
    except SyntaxError as exc:
        raise CommandError(f"{shown} is not valid Python (line {exc.lineno}): {exc.msg}") from exc
    lines = text.splitlines(keepends=True)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            top = node.module.split(".")[0]
            if top != "alembic" and not top.startswith(PLUGIN_PREFIX):
                continue
            target = (
                _translatable(node.module, [a.name for a in node.names])
                if top == "alembic"
                else None
            )
            if target is None:
                warnings.append(_warning(shown, node.lineno, lines))
                continue
            index = node.lineno - 1
            line = lines[index]
            head = line[: node.col_offset]
            tail = re.sub(
                r"^from\s+" + re.escape(node.module).replace(r"\.", r"\s*\.\s*") + r"(?=\s)",
                f"from {target}",
                line[node.col_offset :],
                count=1,
            )
            lines[index] = head + tail
        elif isinstance(node, ast.Import):
            names = [a for a in node.names if a.name.split(".")[0] == "alembic"]
            names += [a for a in node.names if a.name.startswith(PLUGIN_PREFIX)]
            if not names:
                continue
            if len(node.names) == 1 and node.names[0].name == "alembic":
                alias = node.names[0].asname or "alembic"
                index = node.lineno - 1
                line = lines[index]
                head, rest = line[: node.col_offset], line[node.col_offset :]
                rest = re.sub(
                    r"^import\s+alembic(\s+as\s+\w+)?",
                    f"import schemadiff as {alias}",
                    rest,
                    count=1,
                )
                lines[index] = head + rest
            else:
                warnings.append(_warning(shown, node.lineno, lines))
    return "".join(lines)


def _warning(shown: str, lineno: int, lines: list[str]) -> str:
    source = lines[lineno - 1].strip()
    return f"{shown}:{lineno}: {source!r} has no schemadiff equivalent; left as it is"


_MAKO_IMPORT = re.compile(r"^(\s*)from\s+(alembic(?:\.[\w.]+)?)\s+import\s+(.+?)\s*$")


def translate_template(text: str, shown: str, warnings: list[str]) -> str:
    """``script.py.mako`` is not Python: its plain ``from alembic... import`` lines only."""
    out = []
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        body = line.rstrip("\r\n")
        match = _MAKO_IMPORT.match(body)
        if match:
            names = [n.strip().split(" as ")[0] for n in match.group(3).strip("()").split(",")]
            target = _translatable(match.group(2), [n for n in names if n])
            if target is None:
                warnings.append(
                    f"{shown}:{number}: {body.strip()!r} has no schemadiff "
                    "equivalent; left as it is"
                )
            else:
                line = f"{match.group(1)}from {target} import {match.group(3)}" + line[len(body) :]
        out.append(line)
    return "".join(out)


# ---------------------------------------------------------------- the command


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)


def plan_import(path: str | None = None) -> ImportPlan:
    """What ``import-alembic`` would write, computed without writing anything."""
    source = _find_source(path)
    plan = ImportPlan()
    script_dir, versions, recursive = _script_dirs(source)
    files: list[Path] = [script_dir / "env.py"]
    for location in versions:
        if location.is_dir():
            pattern = "**/*.py" if recursive else "*.py"
            files.extend(sorted(p for p in location.glob(pattern) if "__pycache__" not in p.parts))
    seen: set[Path] = set()
    for file in files:
        if file in seen or not file.is_file():
            continue
        seen.add(file.resolve())
        old = _read(file)
        new = translate_source(old, _shown(file), plan.warnings)
        if new != old:
            plan.changes.append(FileChange(file, old, new))
    template = script_dir / "script.py.mako"
    if template.is_file():
        old = _read(template)
        new = translate_template(old, _shown(template), plan.warnings)
        if new != old:
            plan.changes.append(FileChange(template, old, new))
    if source.toml is not None:
        old = _read(source.toml)
        new_toml = _translate_toml(old)
        if new_toml is not None:
            plan.changes.append(FileChange(source.toml, old, new_toml))
        elif tomllib.loads(old)["tool"]["schemadiff"] != _expected_tool_table(old):
            raise CommandError(
                f"{source.toml} already has a [tool.schemadiff] table that is not a copy of "
                "[tool.alembic]; nothing was written"
            )
    if source.ini is not None:
        target = source.ini.parent / "schemadiff.ini"
        new = _translate_ini(_read(source.ini), add_version_table=source.toml is None)
        if target.exists():
            if _read(target) != new:
                raise CommandError(
                    f"{_shown(target)} already exists and is not the translation of "
                    f"{_shown(source.ini)}; nothing was written"
                )
        else:
            plan.changes.append(FileChange(target, None, new))
    return plan


def import_alembic(config: Config, path: str | None = None, dry_run: bool = False) -> ImportPlan:
    """Translate the Alembic project at ``path`` (see the module docstring)."""
    plan = plan_import(path)
    for warning in plan.warnings:
        sys.stderr.write(f"WARNING: {warning}\n")
    if not plan.changes:
        config.print_stdout("Nothing to change: the project is already set up for schemadiff")
        return plan
    for change in plan.changes:
        config.print_stdout(f"Writing {_shown(change.path)}")
    if dry_run:
        for change in plan.changes:
            config.stdout.write(change.diff(_shown(change.path)))
        return plan
    for change in plan.changes:
        with open(change.path, "w", encoding="utf-8", newline="") as fh:
            fh.write(change.new)
    return plan
