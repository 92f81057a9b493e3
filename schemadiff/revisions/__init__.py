"""The revision layer: scripts read without importing, an immutable graph,
an identifier grammar, a pure planner, and the seeds' text listings.

Nothing here imports SQLAlchemy or touches a database: commands hand in the
version-table rows and get back steps and lines.
"""

from __future__ import annotations

from .format import (
    branches_lines,
    current_lines,
    heads_lines,
    history_lines,
    revision_line,
    show_lines,
    verbose_block,
)
from .graph import RESERVED_NAMES, RevisionGraph
from .history import history_revisions
from .identifiers import (
    BaseTarget,
    CurrentTarget,
    HeadTarget,
    RangeTarget,
    RelativeTarget,
    RevisionTarget,
    Target,
    branch_members,
    branch_roots,
    parse_identifier,
    parse_range,
    resolve,
    resolve_one,
    resolve_ref,
)
from .model import Revision
from .planner import (
    Step,
    VersionChange,
    apply_changes,
    plan_downgrade,
    plan_stamp,
    plan_upgrade,
)
from .scripts import load_module, load_revisions

__all__ = [
    "RESERVED_NAMES",
    "BaseTarget",
    "CurrentTarget",
    "HeadTarget",
    "RangeTarget",
    "RelativeTarget",
    "Revision",
    "RevisionGraph",
    "RevisionTarget",
    "Step",
    "Target",
    "VersionChange",
    "apply_changes",
    "branch_members",
    "branch_roots",
    "branches_lines",
    "current_lines",
    "heads_lines",
    "history_lines",
    "history_revisions",
    "load_module",
    "load_revisions",
    "parse_identifier",
    "parse_range",
    "plan_downgrade",
    "plan_stamp",
    "plan_upgrade",
    "resolve",
    "resolve_one",
    "resolve_ref",
    "revision_line",
    "show_lines",
    "verbose_block",
]
