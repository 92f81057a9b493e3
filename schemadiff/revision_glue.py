"""Where commands meet the revision layer.

The revision layer is pure (no SQLAlchemy, no files written); this module
adds what only commands need: choosing a new revision's parent and folder,
checking the database is up to date, and turning listings into lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schemadiff.errors import CommandError, MultipleHeadsError
from schemadiff.revisions import RevisionGraph, resolve
from schemadiff.revisions.model import normalize_names

if TYPE_CHECKING:
    from schemadiff.revisions import Revision
    from schemadiff.scriptdir import ScriptDirectory

MULTIPLE_HEADS = (
    "Multiple heads are present; please specify the head revision on which the new "
    "revision should be based, or perform a merge."
)


def resolve_parent(graph: RevisionGraph, head: str, splice: bool) -> str | tuple[str, ...] | None:
    """The ``down_revision`` of a new revision created with ``--head``."""
    try:
        ids = resolve(graph, head)
    except MultipleHeadsError as exc:
        if head == "head":
            raise CommandError(MULTIPLE_HEADS) from exc
        raise
    if not ids:
        return None
    for rev in ids:
        if not splice and not graph.is_head(rev):
            raise CommandError(
                f"Revision {rev} is not a head revision; please specify --splice to "
                "create a new branch from this revision"
            )
    return ids[0] if len(ids) == 1 else tuple(ids)


def resolve_depends_on(graph: RevisionGraph, depends_on: Sequence[str] | str | None) -> Any:
    """Dependencies given on the command line may be prefixes or labels; store full ids."""
    if not depends_on:
        return None
    items = [depends_on] if isinstance(depends_on, str) else list(depends_on)
    out: list[str] = []
    for item in items:
        out.extend(resolve(graph, item))
    return out[0] if len(out) == 1 else tuple(out)


def check_up_to_date(
    graph: RevisionGraph, current_heads: Sequence[str], down_revision: str | tuple[str, ...] | None
) -> None:
    """Autogenerate compares against the database, so it must sit on the parent."""
    parents = normalize_names(down_revision)
    current = set(current_heads)
    for parent in parents:
        if parent not in current:
            raise CommandError("Target database is not up to date.")


def version_path_for(
    script: ScriptDirectory,
    graph: RevisionGraph,
    down_revision: str | tuple[str, ...] | None,
    version_path: str | None,
) -> Path:
    """A new revision goes where asked, else beside its parent, else the only location."""
    if version_path:
        path = Path(version_path).resolve()
        if len(script.version_locations) > 1 and path not in script.version_locations:
            raise CommandError(
                f"Path {version_path} is not represented in current version locations"
            )
        return path
    parents = normalize_names(down_revision)
    for parent in parents:
        parent_path = graph.get(parent).path
        if parent_path:
            return Path(parent_path).parent
    if len(script.version_locations) > 1:
        raise CommandError("Multiple version locations present, please specify --version-path")
    return script.version_locations[0]


def resolve_revision(graph: RevisionGraph, ident: str) -> Revision:
    ids = resolve(graph, ident)
    if not ids:
        raise CommandError(f"{ident!r} does not name a revision")
    if len(ids) > 1:
        raise MultipleHeadsError(ids, ident)
    return graph.get(ids[0])
