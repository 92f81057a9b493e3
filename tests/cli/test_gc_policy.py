"""When the garbage collector runs (``schemadiff.gc_policy``).

A comparison command's env.py builds a model that lives to the end of the
process, so full collections wait while it runs; migrations keep Python's
default policy, since a long run must reclaim what its scripts leave; and
a finished command is not collected again on the way out.  Each case reads
the collector's state from inside the command, through the project's
model module, or at exit.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest

from schemadiff import gc_policy
from tests.helpers import make_project

#: a model module that writes the collector's thresholds where the test reads them
RECORDING_MODELS = """\
import gc, json, pathlib
import sqlalchemy as sa
pathlib.Path(__file__).with_name("gc_seen.json").write_text(json.dumps(gc.get_threshold()))
metadata = sa.MetaData()
"""


def _thresholds_seen(root: Path) -> tuple[int, int, int]:
    seen = json.loads((root / "gc_seen.json").read_text())
    return (seen[0], seen[1], seen[2])


def test_young_only_holds_full_collections_and_restores_the_thresholds() -> None:
    before = gc.get_threshold()
    with gc_policy.young_only():
        young, middle, full = gc.get_threshold()
        assert (young, middle) == before[:2]
        assert full > 1_000_000
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), gc_policy.young_only():
        raise RuntimeError("env.py failed")
    assert gc.get_threshold() == before


def test_paused_gives_the_collector_back_as_it_was() -> None:
    assert gc.isenabled()
    with gc_policy.paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_policy.paused():
            pass
        assert not gc.isenabled()  # the caller had it off: it stays off
    finally:
        gc.enable()


def test_check_builds_the_model_without_full_collections(tmp_path: Path) -> None:
    project = make_project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    project.write_models(RECORDING_MODELS)
    project.cli("check")
    assert _thresholds_seen(tmp_path)[2] > 1_000_000


def test_upgrade_keeps_the_default_policy(tmp_path: Path) -> None:
    """A long migration run must still reclaim long-lived garbage."""
    project = make_project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    project.write_models(RECORDING_MODELS)
    project.cli("upgrade", "head")
    default = subprocess.run(
        [sys.executable, "-c", "import gc; print(gc.get_threshold()[2])"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert _thresholds_seen(tmp_path)[2] == int(default.stdout)


def test_a_finished_command_is_frozen_for_exit(tmp_path: Path) -> None:
    """Collecting at exit what the command built (the interpreter does it while it
    tears the modules down) took seconds at 10,000 tables, for nothing."""
    make_project(tmp_path, f"sqlite:///{tmp_path / 'app.db'}")
    probe = (
        "import atexit, gc\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
        "from schemadiff.cli import main\n"
        "main(['heads'])\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("frozen True")
