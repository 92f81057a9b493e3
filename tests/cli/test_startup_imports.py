"""What the command line imports: start-up is paid on every CI step and hook.

A listing command (``heads``, ``history``, ``branches``, ``show``) reads
revision files and nothing else, so it must not load SQLAlchemy or any of
the packages only a comparison, a render or a progress bar needs.
``current`` connects, so it loads SQLAlchemy and the runner, but still not
the comparison machinery, nor the dialect packages of other backends.
Each check runs the commands in a fresh interpreter and reads
``sys.modules`` afterwards: a module list, not a clock, so it cannot flake.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from schemadiff import commands
from tests.helpers import make_project

#: top-level packages that a listing command has no use for
_HEAVY = ("sqlalchemy", "sqlglot", "black", "mako", "rich", "typing_extensions")
#: schemadiff's own packages that only comparing, rendering or running need
_HEAVY_OWN = (
    "schemadiff.autogenerate",
    "schemadiff.comparators",
    "schemadiff.dialects",
    "schemadiff.ops",
    "schemadiff.operations",
    "schemadiff.renderers",
    "schemadiff.runtime",
    "schemadiff.snapshot",
)

_PROBE = """
import contextlib, io, json, sys
from schemadiff.cli import run

out = io.StringIO()
with contextlib.redirect_stdout(out):
    codes = [run(argv) for argv in json.loads(sys.argv[1])]
print(json.dumps({"codes": codes, "modules": sorted(sys.modules), "out": out.getvalue()}))
"""


def _probe(root: Path, *commands: list[str]) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(list(commands))],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(proc.stdout.splitlines()[-1])
    assert result["codes"] == [0] * len(commands), proc.stderr
    return result


def _loaded(modules: object, prefixes: tuple[str, ...]) -> list[str]:
    assert isinstance(modules, list)
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes)]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    proj = make_project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    for message in ("one", "two", "three"):
        commands.revision(proj.config(), message=message)
    commands.upgrade(proj.config(), "head")
    return tmp_path


def test_listing_commands_import_nothing_heavy(project: Path) -> None:
    result = _probe(
        project,
        ["heads"],
        ["heads", "--verbose", "--resolve-dependencies"],
        ["history"],
        ["history", "--verbose"],
        ["history", "--graph"],
        ["branches"],
        ["show", "head"],
    )
    assert "three" in str(result["out"]) and "<base> -> " in str(result["out"])
    assert _loaded(result["modules"], _HEAVY + _HEAVY_OWN) == []


def test_current_loads_the_runner_but_not_the_comparison(project: Path) -> None:
    result = _probe(project, ["current"], ["current", "--verbose"])
    assert "(head)" in str(result["out"])
    modules = result["modules"]
    assert _loaded(modules, ("sqlalchemy.engine", "schemadiff.runtime.migration"))  # it connects
    unneeded = (
        "sqlglot",
        "black",
        "mako",
        "rich",
        "schemadiff.autogenerate",
        "schemadiff.comparators",
        "schemadiff.ops",
        "schemadiff.renderers",
        "schemadiff.snapshot",
        # the connected backend is SQLite: no other backend's dialect is loaded
        "sqlalchemy.dialects.mysql",
        "sqlalchemy.dialects.postgresql",
        "schemadiff.backends.mysql.dialect",
        "schemadiff.backends.postgresql.dialect",
    )
    assert _loaded(modules, unneeded) == []


def test_check_without_views_does_not_import_the_sql_parser(project: Path) -> None:
    """sqlglot reads view definitions; a database without views never pays for it.
    Nor does a clean check load what only a difference needs: the hazard rules,
    the view/function/trigger operations, or the Python renderers."""
    result = _probe(project, ["check"])
    modules = result["modules"]
    assert _loaded(modules, ("schemadiff.autogenerate",))  # it compared
    unneeded = (
        "sqlglot",
        "black",
        "mako",
        "schemadiff.hazards",
        "schemadiff.ops.entity_ops",
        "schemadiff.renderers.python",
    )
    assert _loaded(modules, unneeded) == []
