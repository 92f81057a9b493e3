"""Benchmarks comparing schemadiff with Alembic (run with ``python -m benchmarks``).

Two suites live here: :mod:`benchmarks.compare` times a full autogenerate
comparison of an N-table schema on each backend, and
:mod:`benchmarks.revisions` times ``heads``/``history`` over a large revision
graph.  Everything is measured against Alembic in the same process or on the
same files so the ratio, not the absolute number, is the figure to watch.
"""

from __future__ import annotations
