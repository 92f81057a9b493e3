"""Views, materialized views, functions and triggers declared beside the tables.

Each declaration registers itself in ``metadata.info`` (under
``INFO_KEY``), so a model that already hands its ``MetaData`` to the
environment needs nothing else: the comparison finds the entities where it
finds the tables.  Keyed by kind, schema and name, a second declaration of
the same entity replaces the first (a model module imported twice).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData

INFO_KEY = "schemadiff.entities"

__all__ = ["INFO_KEY", "Entity", "Function", "MaterializedView", "Trigger", "View", "declared"]


class Entity:
    """What every declared entity has: a kind, a name, a schema, its SQL."""

    kind: str = "entity"

    def __init__(self, name: str, metadata: MetaData | None, schema: str | None = None) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"{type(self).__name__} needs a name, got {name!r}")
        self.name = name
        self.schema = schema
        self.metadata = metadata

    def _register(self) -> None:
        if self.metadata is not None:
            found: dict[tuple[str, str | None, str], Entity] = self.metadata.info.setdefault(
                INFO_KEY, {}
            )
            found[self.key] = self

    @property
    def key(self) -> tuple[str, str | None, str]:
        return (self.kind, self.schema, self.name)

    def __repr__(self) -> str:
        where = f"{self.schema}." if self.schema else ""
        return f"{type(self).__name__}({where}{self.name})"


class View(Entity):
    """``CREATE VIEW name AS definition``; ``definition`` is SELECT text or a ``select()``."""

    kind = "view"

    def __init__(
        self, name: str, metadata: MetaData | None, definition: Any, schema: str | None = None
    ) -> None:
        super().__init__(name, metadata, schema)
        if not isinstance(definition, str) and not hasattr(definition, "compile"):
            raise TypeError(f"{self!r}: definition must be SELECT text or a select()")
        self.definition = definition
        self._register()


class MaterializedView(View):
    """A PostgreSQL materialized view; ``with_data=False`` creates it unpopulated."""

    kind = "materialized_view"

    def __init__(
        self,
        name: str,
        metadata: MetaData | None,
        definition: Any,
        schema: str | None = None,
        with_data: bool = True,
    ) -> None:
        self.with_data = with_data
        super().__init__(name, metadata, definition, schema)


class Function(Entity):
    """A PostgreSQL function; ``ddl`` is the whole ``CREATE [OR REPLACE] FUNCTION`` statement."""

    kind = "function"

    def __init__(
        self, name: str, metadata: MetaData | None, ddl: str, schema: str | None = None
    ) -> None:
        super().__init__(name, metadata, schema)
        if not isinstance(ddl, str) or not ddl.strip():
            raise TypeError(f"{self!r}: ddl must be the CREATE FUNCTION statement")
        self.ddl = ddl
        self._register()


class Trigger(Entity):
    """A PostgreSQL trigger on ``table``; ``ddl`` is the whole ``CREATE TRIGGER`` statement."""

    kind = "trigger"

    def __init__(
        self,
        name: str,
        metadata: MetaData | None,
        ddl: str,
        table: str,
        schema: str | None = None,
    ) -> None:
        super().__init__(name, metadata, schema)
        if not isinstance(ddl, str) or not ddl.strip():
            raise TypeError(f"{self!r}: ddl must be the CREATE TRIGGER statement")
        self.ddl = ddl
        self.table = table
        self._register()

    @property
    def key(self) -> tuple[str, str | None, str]:
        # trigger names are unique per table, not per schema
        return (self.kind, self.schema, f"{self.table}.{self.name}")


def declared(metadatas: list[MetaData]) -> list[Entity]:
    """Every entity the model declares, in declaration order."""
    out: list[Entity] = []
    for md in metadatas:
        out.extend(md.info.get(INFO_KEY, {}).values())
    return out
