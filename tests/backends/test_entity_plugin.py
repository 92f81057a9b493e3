"""An entity kind from outside: PostgreSQL domains, registered by the tests alone.

The kind is a plugin like the built-in ones: a reader (one catalog query),
a canonicalizer (the server's own words, from a rolled-back savepoint),
two operations with their ``op.*`` directives and renderers, all given to
``setup(registries)``.  Nothing in schemadiff knows about domains; the
full loop runs through the same door as views and functions.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa

from schemadiff import plugins
from schemadiff.entities import Entity, View
from schemadiff.entities.model import EntityKind, EntitySnapshot, folded, key_schema
from schemadiff.operations.base import Operations
from schemadiff.ops.base import Change, MigrateOperation
from tests.backends.entity_support import EntityLoop
from tests.backends.object_support import _kinds, _only
from tests.helpers import describe
from tests.operations.support import rows


class Domain(Entity):
    """``CREATE DOMAIN name AS definition`` (a type and its CHECKs)."""

    kind = "domain"

    def __init__(self, name: str, metadata: sa.MetaData | None, definition: str) -> None:
        super().__init__(name, metadata)
        self.definition = definition
        self._register()


@dataclass(frozen=True)
class CreateDomainOp(MigrateOperation):
    kind: ClassVar[str] = "add_domain"
    name: str
    definition: str
    role: str = "change"
    #: the definition this one replaces (the second half of a drop and create)
    replaces: str | None = None

    @classmethod
    def create_domain(cls, operations: Any, name: str, definition: str) -> Any:
        return operations.invoke(cls(name, definition))

    def reverse(self) -> MigrateOperation:
        return DropDomainOp(self.name, self.definition, self.role)

    def to_changes(self) -> list[Change]:
        if self.replaces is not None:
            return [Change("modify_domain", None, None, self.name)]
        return [] if self.role == "around" else [Change("add_domain", None, None, self.name)]


@dataclass(frozen=True)
class DropDomainOp(MigrateOperation):
    kind: ClassVar[str] = "remove_domain"
    name: str
    existing: str
    role: str = "change"

    @classmethod
    def drop_domain(cls, operations: Any, name: str, *, existing: str) -> Any:
        return operations.invoke(cls(name, existing))

    def reverse(self) -> MigrateOperation:
        return CreateDomainOp(self.name, self.existing, self.role)

    def to_changes(self) -> list[Change]:
        return [] if self.role == "around" else [Change("remove_domain", None, None, self.name)]


DOMAINS = sa.text(
    """
SELECT coalesce(json_agg(json_build_array(n.nspname, t.typname,
         format_type(t.typbasetype, t.typtypmod) || coalesce((
            SELECT ' ' || string_agg(pg_get_constraintdef(c.oid), ' ' ORDER BY c.conname)
            FROM pg_constraint c WHERE c.contypid = t.oid), ''))), '[]')
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'd' AND n.nspname = ANY(:schemas) AND (CAST(:name AS text) IS NULL OR t.typname = :name)
"""
)


def _read(conn: sa.Connection, schemas: Sequence[str | None], name: str | None) -> list[Any]:
    found = conn.execute(DOMAINS, {"schemas": list(schemas), "name": name}).scalar()
    return json.loads(found) if isinstance(found, str) else list(found)


def read_domains(
    conn: sa.Connection, schemas: Sequence[str | None], default_schema: str | None
) -> list[EntitySnapshot]:
    return [
        EntitySnapshot("domain", key_schema(s, default_schema), n, d, folded(d))
        for s, n, d in _read(conn, schemas, None)
    ]


def canonical(
    conn: sa.Connection, pairs: Sequence[tuple[EntitySnapshot, EntitySnapshot]]
) -> dict[Any, str | None]:
    out: dict[Any, str | None] = {}
    for declared, _ in pairs:
        name = f"sd_canon_{uuid.uuid4().hex[:12]}"
        with conn.begin_nested() as savepoint:
            conn.exec_driver_sql(f"CREATE DOMAIN {name} AS {declared.definition}")
            (row,) = _read(conn, [conn.dialect.default_schema_name], name)
            savepoint.rollback()
        out[declared.key] = folded(row[2])
    return out


def setup(registries: plugins.Registries) -> None:
    registries.entities.register_kind(
        EntityKind(
            "domain",
            lambda item, dialect, default: EntitySnapshot(
                "domain", None, item.name, item.definition, folded(item.definition)
            ),
            lambda found, role="change", replaces=None: CreateDomainOp(
                found.name, found.definition, role, replaces
            ),
            lambda found, role="change": DropDomainOp(found.name, found.definition, role),
            before_tables=True,
            order=5,
            dialects=frozenset({"postgresql"}),
        )
    )
    registries.entities.register_reader("postgresql", read_domains)
    registries.entities.register_canonicalizer("domain", "postgresql", canonical)
    registries.operations.register(CreateDomainOp, _create)
    registries.operations.register(DropDomainOp, _drop)
    renderers = registries.renderers
    renderers.register(CreateDomainOp)(
        lambda op, ctx: [f"{ctx.op_prefix}create_domain({op.name!r}, {op.definition!r})"]
    )
    renderers.register(DropDomainOp)(
        lambda op, ctx: [f"{ctx.op_prefix}drop_domain({op.name!r}, existing={op.existing!r})"]
    )


def _create(operations: Operations, op: CreateDomainOp) -> None:
    operations.migration_context.execute(f"CREATE DOMAIN {op.name} AS {op.definition}")


def _drop(operations: Operations, op: DropDomainOp) -> None:
    operations.migration_context.execute(f"DROP DOMAIN {op.name}")


for _cls, _name in ((CreateDomainOp, "create_domain"), (DropDomainOp, "drop_domain")):
    if _name not in Operations._registered:
        Operations.register_operation(_name)(_cls)


@pytest.fixture
def with_domains(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from schemadiff import builtin

    regs = plugins.Registries()
    regs.install("builtin", builtin.setup)
    regs.install("domains", setup)
    monkeypatch.setattr(plugins, "_default", regs)
    yield


def _model(check: str = "VALUE > 0") -> sa.MetaData:
    md = sa.MetaData()
    Domain("positive", md, f"integer CHECK ({check})")
    sa.Table(
        "stock",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("qty", sa.Integer),
    )
    View("stocked", md, "SELECT id FROM stock WHERE qty > 0")
    return md


def _names(engine: sa.Engine) -> list[str]:
    sql = (
        "SELECT typname FROM pg_type WHERE typtype = 'd' "
        "AND typnamespace = current_schema()::regnamespace ORDER BY 1"
    )
    return [r[0] for r in rows(engine, sql)]


def test_a_kind_registered_from_outside_runs_the_whole_loop(database, tmp_path, with_domains):
    _only(database, "postgresql")
    loop = EntityLoop(database, tmp_path)
    try:
        with loop.engine.begin() as conn:
            conn.exec_driver_sql("CREATE DOMAIN leftover AS text")
        changes, script = loop._autogenerate(_model)
        assert _kinds(changes) == [
            ("add_domain", "positive"),
            ("add_table", "stock"),
            ("add_view", "stocked"),
            ("remove_domain", "leftover"),
        ], describe(changes)
        assert script.index("op.create_domain('positive'") < script.index("op.create_table(")
        loop.upgrade(_model)
        assert _names(loop.engine) == ["positive"]
        # the server writes the CHECK its own way; spelled otherwise, still equal
        assert loop.compare(_model("value>0")) == []
        assert _kinds(loop.compare(_model("VALUE > 1"))) == [("modify_domain", "positive")]

        def leftover_only() -> sa.MetaData:
            md = sa.MetaData()
            Domain("leftover", md, "text")
            return md

        loop.downgrade(leftover_only)
        assert _names(loop.engine) == ["leftover"]
    finally:
        loop.close()
