"""Write a revision file from the environment's ``script.py.mako``.

After writing, post-write hooks run (black by default), configured in the
``[post_write_hooks]`` section: ``hooks = name1, name2`` with
``name.type = black|ruff|console_scripts|exec|module`` and per-type options.
"""

from __future__ import annotations

import codecs
import logging
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mako.exceptions import MakoException, RichTraceback
from mako.template import Template

from schemadiff.errors import ScriptError

log = logging.getLogger(__name__)


_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.M)


def comma(value: Any) -> str:
    """Mako filter for docstring lines: ``Revises: a, b``."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def render_template(template_path: Path, dest: Path, *, encoding: str = "utf-8", **kw: Any) -> None:
    try:
        template = Template(filename=str(template_path))
    except MakoException as exc:
        # A syntax error: Mako knows the line, and says it in its message.
        line = getattr(exc, "lineno", None)
        where = f", line {line}" if line else ""
        reason = str(exc).split(" in file ")[0]
        raise ScriptError(f"Template {template_path}{where} is invalid: {reason}") from exc
    try:
        output = template.render_unicode(comma=comma, **kw)
    except Exception as exc:
        tb = RichTraceback()
        where = ""
        for filename, lineno, _fn, _line in reversed(tb.traceback):
            if filename == str(template_path) or filename.endswith(template_path.name):
                where = f", line {lineno}"
                break
        raise ScriptError(f"Template {template_path}{where} failed to render: {exc}") from exc
    dest.parent.mkdir(parents=True, exist_ok=True)
    if codecs.lookup(encoding).name != "utf-8" and not _CODING.search(
        "\n".join(output.splitlines()[:2])
    ):
        # Python reads source as UTF-8 unless the file says otherwise (PEP 263).
        output = f"# -*- coding: {encoding} -*-\n{output}"
    dest.write_text(output, encoding=encoding)


def run_post_write_hooks(
    path: Path, hooks_section: Mapping[str, str] | None, encoding: str = "utf-8"
) -> None:
    """Format a freshly written script; black runs when nothing is configured."""
    if hooks_section is None or "hooks" not in hooks_section:
        _black(path, {"_encoding": encoding})
        return

    names = [
        h.strip() for h in hooks_section.get("hooks", "").replace(",", " ").split() if h.strip()
    ]
    for name in names:
        opts = {k[len(name) + 1 :]: v for k, v in hooks_section.items() if k.startswith(name + ".")}
        kind = opts.get("type")
        if kind is None:
            raise ScriptError(f"post_write_hooks: hook {name!r} has no {name}.type setting")
        runner = _HOOKS.get(kind)
        if runner is None:
            raise ScriptError(
                f"post_write_hooks: hook {name!r} has unknown type {kind!r}; "
                f"expected one of {', '.join(sorted(_HOOKS))}"
            )
        log.info("Running post write hook %r", name)
        runner(path, {**opts, "_encoding": encoding})


def _black(path: Path, opts: Mapping[str, str]) -> None:
    import black

    from schemadiff.renderers.black_config import black_mode

    try:
        line_length = opts.get("line_length") or _black_line_length(opts.get("options", ""))
        mode = black_mode(path, line_length)

        source = path.read_text(encoding=opts.get("_encoding", "utf-8"))
        formatted = black.format_str(source, mode=mode)
    except Exception as exc:
        raise ScriptError(f"black could not format {path}: {exc}") from exc
    path.write_text(formatted, encoding=opts.get("_encoding", "utf-8"))


def _black_line_length(options: str) -> str | None:
    """``-l 79`` / ``--line-length=79`` from a hook's ``options``, as black's CLI takes them."""
    args = shlex.split(options)
    for i, arg in enumerate(args):
        if arg in ("-l", "--line-length") and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--line-length="):
            return arg.split("=", 1)[1]
        if arg.startswith("-l") and arg[2:].isdigit():
            return arg[2:]
    return None


def _options(opts: Mapping[str, str], path: Path) -> list[str]:

    raw = opts.get("options", "")
    return [a.replace("REVISION_SCRIPT_FILENAME", str(path)) for a in shlex.split(raw)] or [
        str(path)
    ]


def _run(cmd: Sequence[str], path: Path, cwd: str | None) -> None:
    try:
        proc = subprocess.run(list(cmd), cwd=cwd, capture_output=True, text=True)
    except OSError as exc:
        raise ScriptError(f"post write hook {cmd[0]!r} could not run: {exc}") from exc
    if proc.returncode != 0:
        raise ScriptError(
            f"post write hook {' '.join(cmd)} failed on {path} "
            f"(exit {proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}"
        )


def _console_scripts(path: Path, opts: Mapping[str, str]) -> None:
    entry = opts.get("entrypoint")
    if not entry:
        raise ScriptError("post_write_hooks: console_scripts hook needs an 'entrypoint' option")
    from importlib.metadata import entry_points

    eps = [ep for ep in entry_points(group="console_scripts") if ep.name == entry]
    if not eps:
        raise ScriptError(f"post_write_hooks: no console script named {entry!r} is installed")
    module = eps[0].value.split(":")[0]
    func = eps[0].value.split(":")[1] if ":" in eps[0].value else "main"
    code = f"import sys; from {module} import {func}; sys.argv[0] = {entry!r}; sys.exit({func}())"
    _run([sys.executable, "-c", code, *_options(opts, path)], path, opts.get("cwd"))


def _module(path: Path, opts: Mapping[str, str]) -> None:
    module = opts.get("module")
    if not module:
        raise ScriptError("post_write_hooks: module hook needs a 'module' option")
    _run([sys.executable, "-m", module, *_options(opts, path)], path, opts.get("cwd"))


def _exec(path: Path, opts: Mapping[str, str]) -> None:
    executable = opts.get("executable")
    if not executable:
        raise ScriptError("post_write_hooks: exec hook needs an 'executable' option")
    _run([os.path.expandvars(executable), *_options(opts, path)], path, opts.get("cwd"))


def _ruff(path: Path, opts: Mapping[str, str]) -> None:
    args = _options(opts, path) if opts.get("options") else ["format", str(path)]
    _run([sys.executable, "-m", "ruff", *args], path, opts.get("cwd"))


_HOOKS = {
    "black": _black,
    "ruff": _ruff,
    "console_scripts": _console_scripts,
    "module": _module,
    "exec": _exec,
}
