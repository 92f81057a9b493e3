"""One readable sentence per ``Change``, from its kind's record.

The sentences themselves live with the kinds (``schemadiff.ops.kind_records``
for the built-in ones, a plugin's ``setup`` for its own); this is where every
report format, the autogenerate log and script comments ask for them.
"""

from __future__ import annotations

from schemadiff.ops.base import Change
from schemadiff.ops.kinds import ChangeKind, KindRegistry, target_of
from schemadiff.safe_text import visible

__all__ = ["describe_change", "kind_of", "target_of"]


def kind_of(change: Change, kinds: KindRegistry | None = None) -> ChangeKind:
    """The record for the change's kind: from ``kinds``, else from the
    registries every installed plugin has registered into."""
    if kinds is None:
        from schemadiff.plugins import default_registries

        kinds = default_registries().kinds
    return kinds.lookup(change.kind)


def describe_change(change: Change, kinds: KindRegistry | None = None) -> str:
    """The sentence, with any control character in a name or value spelled out:
    it lands in reports, logs and script comments, where a newline would start
    a line of someone else's choosing."""
    return visible(kind_of(change, kinds).describe(change))
