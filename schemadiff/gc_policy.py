"""When the cyclic garbage collector runs, for commands that hold a whole schema.

A comparison builds two pictures of a schema (the model, in ``env.py``, and
the catalog's) that stay alive until the process ends.  Every full
collection walks all of it, and the collector's own heuristic runs about a
dozen full collections while such a heap grows: at 10,000 tables building
the model took 9.3 s of CPU, 5.5 s of it in 13 full collections.  At exit
the interpreter collects again while it tears the modules down, which took
another 6-7 s.  Figures: benchmarks/README.md.

Three policies, each for the span where it is safe:

* ``paused``: no collection at all, while snapshots are built (everything
  allocated there lives to the end of the comparison).
* ``young_only``: while ``env.py`` runs for a comparison command.  Young
  collections still reclaim the short-lived cycles ``env.py`` may create;
  only the full collections, which find nothing in a growing model, wait.
  Migrations (``upgrade`` and the rest) keep the default policy: a long
  run may leave long-lived garbage that must be reclaimed.
* ``freeze_for_exit``: once a command is done, nothing it allocated is
  collected again; the process ends and the system takes the memory back.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

#: a full collection only after this many young ones, i.e. not while env.py runs
_NO_FULL_COLLECTIONS = 1_000_000_000


@contextlib.contextmanager
def paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def young_only() -> Iterator[None]:
    young, middle, full = gc.get_threshold()
    gc.set_threshold(young, middle, _NO_FULL_COLLECTIONS)
    try:
        yield
    finally:
        gc.set_threshold(young, middle, full)


def freeze_for_exit() -> None:
    """Called with the command's work done and its output written."""
    gc.freeze()
