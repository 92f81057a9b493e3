"""Databases schemadiff builds schemas in instead of the configured one.

``check --dev-url`` replays the migrations on a scratch database and compares
the result with the models, so a laptop or a CI job without the project's
database can still tell whether migrations and models agree.

- :mod:`schemadiff.devdb.scratch`: a user-supplied scratch database: refused
  unless empty, emptied again afterwards, and a guard that refuses every
  other connection while it is in use;
- :mod:`schemadiff.devdb.embedded`: a throwaway PostgreSQL started from a
  pip-installed server package (``schemadiff[embedded]``), with a cache of
  the replayed cluster keyed by the revision files' content.
"""

from __future__ import annotations

from schemadiff.devdb.scratch import (
    DevDatabaseNotEmpty,
    connections_only_to,
    scratch_database,
)

__all__ = ["DevDatabaseNotEmpty", "connections_only_to", "scratch_database"]
