"""The revision graph: an immutable, validated DAG of ``Revision`` records.

Two kinds of edge join revisions.  *Versioned* edges come from
``down_revision``: they make branch points, merge points and the lines of
descent that branch labels follow.  *Dependency* edges come from
``depends_on``: they only say "apply that one first".  Both count for
ordering and for cycles; only versioned edges count for branch structure.

That split gives two notions of head, both visible in the seeds:

* ``heads`` / ``is_head`` - no versioned child.  This is what the ``heads``
  command lists, what a new revision may be based on without ``--splice``,
  and what ``LABEL@head``/``REV@head`` choose from (``55af2cb@head`` must
  stay on ``55af2cb1c267`` even though another branch depends on it).
* ``real_heads`` / ``is_real_head`` - no child of either kind.  The
  ``head``/``heads`` identifiers mean these; a head that is only depended on
  gets no version-table row of its own and prints as ``(effective head)``.

The graph is validated once, when built, so that everything downstream may
assume ids are unique, references resolve and there are no cycles.

Ordering rule ("lane order")
----------------------------
Every listing and every plan uses one deterministic order, newest first,
computed by ``RevisionGraph.lane_order``.  Its inputs are the *file order*
(version locations in configured order, files sorted by name inside each,
which is the order ``load_revisions`` returns) and a list of tips:

1. The tips (the newest revisions of the set) become *lanes*, in file order
   unless the caller gives a preference (downgrades prefer the version
   table's row order, so ``downgrade -1`` steps down the branch ``current``
   prints first).
2. Take the tip of the current lane.  If it is an ancestor of another lane's
   tip, that lane must be walked first: switch to the first such lane.
3. Otherwise emit it and replace it by its first parent still to emit
   (``down_revision`` order, then ``depends_on``); further parents open new
   lanes at the end.  A lane with nothing left is dropped and the walk
   resumes on the lane before it.

An upgrade applies the reverse of this order.  Because a merge continues its
own lane with its *first* parent, history lists a merge's parents in the
order the merge names them, and an upgrade applies the last-named branch
first - exactly the orderings the seeds show.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from ..errors import GraphError
from .model import Revision

__all__ = ["RESERVED_NAMES", "RevisionGraph"]

#: Identifier words with a meaning of their own; no id or label may take them.
RESERVED_NAMES = frozenset({"head", "heads", "base", "current"})

# Characters the identifier grammar gives a meaning to (LABEL@head, REV+2,
# START:END), plus whitespace and the comma used to join ids in output.
_FORBIDDEN_CHARS = frozenset("@-+:, \t\r\n")


def _check_name(kind: str, name: str, owner: Revision) -> None:
    if not name:
        raise GraphError(f"Empty {kind} in {owner.location}")
    bad = sorted(set(name) & _FORBIDDEN_CHARS)
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        raise GraphError(
            f"{kind.capitalize()} '{name}' in {owner.location} contains {shown}; "
            "ids and branch labels may not contain '@', '-', '+', ':', ',' or whitespace"
        )
    if name in RESERVED_NAMES:
        raise GraphError(
            f"{kind.capitalize()} '{name}' in {owner.location} is a reserved word "
            "(head, heads, base, current)"
        )


@dataclass(frozen=True, eq=False)
class RevisionGraph:
    """An immutable, validated revision DAG.  Build it with ``RevisionGraph.build``."""

    _revisions: Mapping[str, Revision]
    _position: Mapping[str, int]
    _parents: Mapping[str, tuple[str, ...]]
    _dependencies: Mapping[str, tuple[str, ...]]
    _children: Mapping[str, tuple[str, ...]]
    _dependents: Mapping[str, tuple[str, ...]]
    _labels: Mapping[str, tuple[str, ...]]
    _label_owners: Mapping[str, tuple[str, ...]]
    _heads: tuple[str, ...]
    _real_heads: tuple[str, ...]
    _bases: tuple[str, ...]

    # ------------------------------------------------------------------ build

    @classmethod
    def build(cls, revisions: Iterable[Revision]) -> RevisionGraph:
        """Validate ``revisions`` and index them; their order is the file order."""
        revs: dict[str, Revision] = {}
        for rev in revisions:
            _check_name("revision id", rev.revision, rev)
            for label in rev.branch_label_order:
                _check_name("branch label", label, rev)
            if rev.revision in revs:
                first = revs[rev.revision]
                raise GraphError(
                    f"Revision '{rev.revision}' is defined more than once: "
                    f"{first.location} and {rev.location}"
                )
            revs[rev.revision] = rev

        label_owners = cls._collect_label_owners(revs)
        position = {rev_id: index for index, rev_id in enumerate(revs)}
        by_position = position.__getitem__

        parents: dict[str, tuple[str, ...]] = {}
        dependencies: dict[str, tuple[str, ...]] = {}
        children: dict[str, list[str]] = {rev_id: [] for rev_id in revs}
        dependents: dict[str, list[str]] = {rev_id: [] for rev_id in revs}
        for rev in revs.values():
            for parent in rev.down_revision:
                if parent not in revs:
                    raise GraphError(
                        f"Revision '{parent}' referenced from {rev.location} is not present"
                    )
                children[parent].append(rev.revision)
            deps: list[str] = []
            for ref in rev.depends_on:
                # depends_on may name a branch label as well as a full id.
                targets = label_owners.get(ref, (ref,)) if ref not in revs else (ref,)
                for target in targets:
                    if target not in revs:
                        raise GraphError(
                            f"Revision '{ref}' referenced from {rev.location} is not present"
                        )
                    if target not in deps and target not in rev.down_revision:
                        deps.append(target)
                        dependents[target].append(rev.revision)
            parents[rev.revision] = rev.down_revision
            dependencies[rev.revision] = tuple(deps)

        cls._check_cycles(revs, parents, dependencies)

        child_map = {k: tuple(sorted(v, key=by_position)) for k, v in children.items()}
        dependent_map = {k: tuple(sorted(v, key=by_position)) for k, v in dependents.items()}
        heads = tuple(r for r in revs if not child_map[r])
        real_heads = tuple(r for r in heads if not dependent_map[r])
        bases = tuple(r for r in revs if not parents[r])

        graph = cls(
            _revisions=revs,
            _position=position,
            _parents=parents,
            _dependencies=dependencies,
            _children=child_map,
            _dependents=dependent_map,
            _labels={},
            _label_owners=label_owners,
            _heads=heads,
            _real_heads=real_heads,
            _bases=bases,
        )
        graph._check_label_lines()
        object.__setattr__(graph, "_labels", graph._inherit_labels())
        return graph

    @staticmethod
    def _collect_label_owners(revs: Mapping[str, Revision]) -> dict[str, tuple[str, ...]]:
        owners: dict[str, list[str]] = {}
        for rev in revs.values():
            for label in rev.branch_label_order:
                if label in revs:
                    raise GraphError(
                        f"Branch label '{label}' in {rev.location} is also the id of "
                        f"revision {label} in {revs[label].location}"
                    )
                owners.setdefault(label, []).append(rev.revision)
        return {label: tuple(ids) for label, ids in owners.items()}

    @staticmethod
    def _check_cycles(
        revs: Mapping[str, Revision],
        parents: Mapping[str, tuple[str, ...]],
        dependencies: Mapping[str, tuple[str, ...]],
    ) -> None:
        # Iterative three-colour DFS: recursion would overflow on long
        # linear histories (thousands of revisions).
        state: dict[str, int] = {}
        for root in revs:
            if root in state:
                continue
            stack: list[tuple[str, Iterator[str]]] = []
            state[root] = 1
            stack.append((root, iter(parents[root] + dependencies[root])))
            while stack:
                node, edges = stack[-1]
                nxt = next(edges, None)
                if nxt is None:
                    state[node] = 2
                    stack.pop()
                    continue
                seen = state.get(nxt)
                if seen == 1:
                    path = [n for n, _ in stack]
                    cycle = path[path.index(nxt) :] + [nxt]
                    files = ", ".join(revs[n].location for n in dict.fromkeys(cycle))
                    raise GraphError(f"Revision graph has a cycle: {' -> '.join(cycle)} ({files})")
                if seen is None:
                    state[nxt] = 1
                    stack.append((nxt, iter(parents[nxt] + dependencies[nxt])))

    def _check_label_lines(self) -> None:
        """Reject one label declared on revisions that are not in one line.

        A label names one line of descent; declared on two unrelated
        revisions, ``LABEL@head`` could mean either and the label would stop
        being a name.
        """
        for label, owners in self._label_owners.items():
            for i, first in enumerate(owners):
                first_line = self.ancestors([first], versioned_only=True)
                for second in owners[i + 1 :]:
                    if second in first_line:
                        continue
                    if first in self.ancestors([second], versioned_only=True):
                        continue
                    raise GraphError(
                        f"Branch label '{label}' is declared by {self.get(first).location} "
                        f"and {self.get(second).location}, which are not in one line "
                        "of descent"
                    )

    def _inherit_labels(self) -> dict[str, tuple[str, ...]]:
        """Spread each declared label over the line it names.

        A label covers its revision, every versioned descendant, and the
        ancestors back to (not including) the previous branch or merge point:
        that stretch has no other line it could belong to.
        """
        gathered: dict[str, dict[str, None]] = {rev_id: {} for rev_id in self._revisions}
        for rev_id, rev in self._revisions.items():
            for label in rev.branch_label_order:
                gathered[rev_id].setdefault(label, None)
        for rev_id, rev in self._revisions.items():
            if not rev.branch_label_order:
                continue
            for node in self.descendants([rev_id], versioned_only=True):
                for label in rev.branch_label_order:
                    gathered[node].setdefault(label, None)
            node = rev_id
            while len(self._parents[node]) == 1:
                parent = self._parents[node][0]
                if len(self._children[parent]) > 1 or len(self._parents[parent]) > 1:
                    break
                for label in rev.branch_label_order:
                    gathered[parent].setdefault(label, None)
                node = parent
        return {rev_id: tuple(labels) for rev_id, labels in gathered.items()}

    # ----------------------------------------------------------- look-ups

    def __contains__(self, rev_id: object) -> bool:
        return rev_id in self._revisions

    def __len__(self) -> int:
        return len(self._revisions)

    def __iter__(self) -> Iterator[Revision]:
        return iter(self._revisions.values())

    def get(self, rev_id: str) -> Revision:
        """The revision with exactly this id (``KeyError`` if absent)."""
        return self._revisions[rev_id]

    @property
    def ids(self) -> tuple[str, ...]:
        """Every id, in file order."""
        return tuple(self._revisions)

    def position(self, rev_id: str) -> int:
        """Where ``rev_id`` stands in file order (the tie-breaker everywhere)."""
        return self._position[rev_id]

    def sort(self, rev_ids: Iterable[str]) -> list[str]:
        """``rev_ids`` in file order."""
        return sorted(rev_ids, key=self._position.__getitem__)

    @property
    def heads(self) -> tuple[str, ...]:
        """Revisions with no versioned child, in file order (what ``heads`` lists)."""
        return self._heads

    @property
    def real_heads(self) -> tuple[str, ...]:
        """Revisions nothing builds on, not even via ``depends_on`` (``head`` targets)."""
        return self._real_heads

    @property
    def bases(self) -> tuple[str, ...]:
        """Revisions with no ``down_revision``, in file order."""
        return self._bases

    def is_head(self, rev_id: str) -> bool:
        """True when no revision names ``rev_id`` as its ``down_revision`` (``in heads``).

        This is the test for "may a new revision be based here without
        ``--splice``": a head only depended on still is one.
        """
        return not self._children[rev_id]

    def is_real_head(self, rev_id: str) -> bool:
        """True when nothing builds on ``rev_id`` at all: printed ``(head)``."""
        return not self._children[rev_id] and not self._dependents[rev_id]

    def is_effective_head(self, rev_id: str) -> bool:
        """True for a head that only dependencies build on: ``(effective head)``."""
        return not self._children[rev_id] and bool(self._dependents[rev_id])

    def is_branch_point(self, rev_id: str) -> bool:
        return len(self._children[rev_id]) > 1

    def is_merge_point(self, rev_id: str) -> bool:
        return len(self._parents[rev_id]) > 1

    def parents(self, rev_id: str) -> tuple[str, ...]:
        """The versioned parents (``down_revision``), as declared."""
        return self._parents[rev_id]

    def dependencies(self, rev_id: str) -> tuple[str, ...]:
        """``depends_on`` resolved to ids (labels replaced by their revisions)."""
        return self._dependencies[rev_id]

    def children(self, rev_id: str) -> tuple[str, ...]:
        """Versioned children, in file order (``Branches into:``)."""
        return self._children[rev_id]

    def dependents(self, rev_id: str) -> tuple[str, ...]:
        """Revisions that name ``rev_id`` in their ``depends_on``."""
        return self._dependents[rev_id]

    def all_parents(self, rev_id: str) -> tuple[str, ...]:
        """Versioned parents then dependencies, minus dependencies already implied.

        A dependency that is an ancestor of another parent adds nothing to
        the order and would only clutter log lines, so it is dropped.
        """
        own = self._parents[rev_id]
        deps = self._dependencies[rev_id]
        if not deps:
            return own
        kept = list(own)
        for dep in deps:
            others = [p for p in own + deps if p != dep]
            if dep not in self.ancestors(others, inclusive=True):
                kept.append(dep)
        return tuple(kept)

    def branch_labels(self, rev_id: str) -> tuple[str, ...]:
        """Declared plus inherited labels (the ``(shoppingcart)`` marker)."""
        return self._labels[rev_id]

    def label_owners(self, label: str) -> tuple[str, ...]:
        """Revisions declaring ``label``, in file order (empty if unknown)."""
        return self._label_owners.get(label, ())

    @property
    def labels(self) -> tuple[str, ...]:
        """Every declared branch label."""
        return tuple(self._label_owners)

    # -------------------------------------------------------------- walks

    def _walk(
        self,
        start: Iterable[str],
        step: Mapping[str, tuple[str, ...]],
        extra: Mapping[str, tuple[str, ...]] | None,
        inclusive: bool,
    ) -> set[str]:
        start = list(start)
        seen: set[str] = set(start) if inclusive else set()
        todo = list(start)
        while todo:
            node = todo.pop()
            nxt = step[node] if extra is None else step[node] + extra[node]
            for other in nxt:
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return seen

    def ancestors(
        self, rev_ids: Iterable[str], *, inclusive: bool = True, versioned_only: bool = False
    ) -> set[str]:
        """Everything ``rev_ids`` need applied first (and themselves if inclusive)."""
        return self._walk(
            rev_ids, self._parents, None if versioned_only else self._dependencies, inclusive
        )

    def descendants(
        self, rev_ids: Iterable[str], *, inclusive: bool = True, versioned_only: bool = False
    ) -> set[str]:
        """Everything that builds on ``rev_ids`` (and themselves if inclusive)."""
        return self._walk(
            rev_ids, self._children, None if versioned_only else self._dependents, inclusive
        )

    def lineage(self, rev_ids: Iterable[str]) -> set[str]:
        """The lines of descent through ``rev_ids``: versioned ancestors and descendants."""
        rev_ids = list(rev_ids)
        return self.ancestors(rev_ids, versioned_only=True) | self.descendants(
            rev_ids, versioned_only=True
        )

    def maximal(self, members: Iterable[str]) -> list[str]:
        """The members nothing else in the set builds on, in file order."""
        members = set(members)
        return self.sort(
            m
            for m in members
            if not any(c in members for c in self._children[m] + self._dependents[m])
        )

    def lane_order(self, members: Iterable[str], prefer: Sequence[str] = ()) -> list[str]:
        """``members`` newest first, by the lane rule in the module docstring.

        ``prefer`` orders the starting lanes (tips named there come first, in
        that order); the rest follow in file order.  ``members`` should be
        closed between its tips and its oldest revisions, as every range,
        plan and listing is.
        """
        pending = set(members)
        tips = self.maximal(pending)
        rank = {rev_id: i for i, rev_id in enumerate(prefer)}
        tips.sort(key=lambda r: (rank.get(r, len(rank)), self._position[r]))
        lanes: list[str] = tips
        reach: list[set[str] | None] = [None] * len(lanes)
        out: list[str] = []
        index = 0
        while lanes:
            tip = lanes[index]
            blocker = None
            if len(lanes) > 1:
                for other, _ in enumerate(lanes):
                    if other == index:
                        continue
                    seen = reach[other]
                    if seen is None:
                        seen = reach[other] = self.ancestors([lanes[other]])
                    if tip in seen:
                        blocker = other
                        break
            if blocker is not None:
                index = blocker
                continue
            if tip in pending:
                out.append(tip)
                pending.discard(tip)
            nxt = [p for p in self.all_parents(tip) if p in pending and p not in lanes]
            if not nxt:
                del lanes[index]
                del reach[index]
                index = max(index - 1, 0)
                continue
            linear = len(nxt) == 1 and len(self.all_parents(tip)) == 1
            lanes[index] = nxt[0]
            current = reach[index]
            if linear and current is not None:
                current.discard(tip)  # a plain step down keeps the same ancestry
            else:
                reach[index] = None
            lanes.extend(nxt[1:])
            reach.extend([None] * (len(nxt) - 1))
        if pending:
            # Members unreachable from the tips: only possible for sets that
            # are not closed; list them rather than lose them.
            out.extend(self.lane_order(pending))
        return out

    def upgrade_order(self, members: Iterable[str]) -> list[str]:
        """``members`` oldest first, the order an upgrade applies them."""
        return list(reversed(self.lane_order(members)))

    def topological_order(self) -> list[str]:
        """Every revision, oldest first."""
        return self.upgrade_order(self._revisions)
