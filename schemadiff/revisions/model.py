"""The revision record: what one migration script declares about itself.

A ``Revision`` is plain data read from a script's header (its identifiers and
docstring), never the imported module.  Keeping it import-free is what lets
``heads``/``history`` answer for thousands of scripts without executing any of
them; the runner imports a script only when it is about to call
``upgrade()``/``downgrade()`` (see ``scripts.load_module``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["Revision", "first_line", "normalize_names"]


def normalize_names(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Turn the shapes scripts use (None, a string, a tuple/list) into a tuple.

    Scripts written by hand use all three spellings for ``down_revision``,
    ``branch_labels`` and ``depends_on``; the graph only wants one.  Order is
    kept (it decides which branch keeps a version-table row at a merge) and
    duplicates are dropped.
    """
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value else ()
    seen: dict[str, None] = {}
    for item in value:
        if not isinstance(item, str):
            raise TypeError(f"expected a revision identifier string, got {item!r}")
        seen.setdefault(item, None)
    return tuple(seen)


def _is_normal(value: object) -> bool:
    """A tuple of distinct non-empty strings: nothing for ``normalize_names`` to do."""
    if type(value) is not tuple:
        return False
    return len(set(value)) == len(value) and all(type(v) is str and v for v in value)


def first_line(longdoc: str) -> str:
    """The message a docstring gives: its first non-blank line, stripped."""
    for line in longdoc.splitlines():
        if line.strip():
            return line.strip()
    return ""


@dataclass(frozen=True)
class Revision:
    """One migration script, as declared in its header.

    ``branch_labels`` is the set the script declares itself (inherited labels
    live in the graph, because they depend on the other scripts);
    ``branch_label_order`` keeps the declared order so output does not depend
    on set iteration.  ``doc`` is the message shown in log and history lines;
    ``longdoc`` the whole stripped docstring, for verbose listings.
    """

    revision: str
    down_revision: tuple[str, ...] = ()
    branch_labels: frozenset[str] = frozenset()
    depends_on: tuple[str, ...] = ()
    doc: str = ""
    longdoc: str = ""
    path: str | None = None
    branch_label_order: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        # Accept the loose spellings at runtime too, so a Revision built by
        # hand (tests, plugins) behaves like one read from a file.
        # Already-normal values (the loader's) skip the work: thousands of
        # revisions are built on every command.
        if not _is_normal(self.down_revision):
            object.__setattr__(self, "down_revision", normalize_names(self.down_revision))
        if not _is_normal(self.depends_on):
            object.__setattr__(self, "depends_on", normalize_names(self.depends_on))
        order = self.branch_label_order
        if not (
            _is_normal(order)
            and type(self.branch_labels) is frozenset
            and self.branch_labels == frozenset(order)
        ):
            order = normalize_names(order)
            declared = normalize_names(self.branch_labels)
            order += tuple(sorted(set(declared) - set(order)))
            object.__setattr__(self, "branch_label_order", order)
            object.__setattr__(self, "branch_labels", frozenset(order))
        if self.longdoc and not self.doc:
            object.__setattr__(self, "doc", first_line(self.longdoc))

    @classmethod
    def create(
        cls,
        revision: str,
        down_revision: str | Iterable[str] | None = None,
        branch_labels: str | Iterable[str] | None = None,
        depends_on: str | Iterable[str] | None = None,
        *,
        doc: str | None = None,
        longdoc: str | None = None,
        path: str | None = None,
    ) -> Revision:
        """Build a revision from the values a script assigns, in any spelling.

        ``doc`` defaults to the first line of ``longdoc``; ``longdoc`` to
        ``doc``.  Both are stripped, as a docstring's surrounding blank lines
        carry no meaning.
        """
        labels = normalize_names(branch_labels)
        long_text = (longdoc if longdoc is not None else (doc or "")).strip()
        message = doc.strip() if doc is not None else first_line(long_text)
        return cls(
            revision=revision,
            down_revision=normalize_names(down_revision),
            branch_labels=frozenset(labels),
            depends_on=normalize_names(depends_on),
            doc=message,
            longdoc=long_text,
            path=path,
            branch_label_order=labels,
        )

    @property
    def is_base(self) -> bool:
        """True when the script starts a line of history (``down_revision = None``)."""
        return not self.down_revision

    @property
    def is_merge_point(self) -> bool:
        """True when the script joins several lines (``down_revision`` is a tuple)."""
        return len(self.down_revision) > 1

    @property
    def location(self) -> str:
        """How messages name this revision: its file when known, else its id."""
        return self.path if self.path is not None else f"revision '{self.revision}'"
