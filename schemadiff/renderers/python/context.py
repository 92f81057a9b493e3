"""What rendering needs to know, and what user hooks may touch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import MetaData
from sqlalchemy.engine import Dialect


class RenderItem(Protocol):
    """``render_item(type_, obj, autogen_context)``.

    Returns source text to use, ``False`` for the default rendering, or
    ``None`` to leave the item out.
    """

    def __call__(
        self, type_: str, obj: Any, autogen_context: AutogenContext
    ) -> str | bool | None: ...


@dataclass
class AutogenContext:
    dialect: Dialect | None = None
    metadata: MetaData | None = None
    imports: set[str] = field(default_factory=set)
    render_item: RenderItem | None = None
    sqlalchemy_module_prefix: str = "sa."
    user_module_prefix: str | None = None
    op_prefix: str = "op."
    render_as_batch: bool = False
    migration_context: Any = None
    opts: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        # The seeds' hooks write ``autogen_context['imports'].add(...)``.
        return getattr(self, key)

    def user_hook(self, type_: str, obj: Any) -> str | bool | None:
        """The user's rendering for an item, or False for "render it yourself"."""
        if self.render_item is None:
            return False
        return self.render_item(type_, obj, self)


Renderer = Callable[..., list[str]]
