"""The autogenerate API: reflect once, snapshot the model, run comparators.

``compare_metadata`` returns Change records (what ``check`` reports);
``produce_migrations`` returns the operations (what ``revision
--autogenerate`` renders).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from sqlalchemy import MetaData, inspect
from sqlalchemy.engine import Connection

from schemadiff import gc_policy
from schemadiff.comparators import CompareContext, CompareOptions, compare_snapshots
from schemadiff.comparators.context import (
    CompareDefaultFn,
    CompareTypeFn,
    IncludeName,
    IncludeObject,
)
from schemadiff.errors import AutogenerateError
from schemadiff.ops import Change, MigrationScript, UpgradeOps
from schemadiff.plugins import Registries, default_registries
from schemadiff.runtime.migration import MigrationContext, MigrationOptions
from schemadiff.snapshot import SchemaSnapshot, reflect_snapshot, snapshot_from_metadata

if TYPE_CHECKING:
    from schemadiff.renderers.python import rewriter as rewriter
    from schemadiff.renderers.python.rewriter import Rewriter as Rewriter


def __getattr__(name: str) -> Any:
    """``Rewriter`` and ``rewriter`` are here for Alembic's spelling; the Python
    renderers behind them load on first use, since ``check`` never renders."""
    if name == "Rewriter":
        from schemadiff.renderers.python.rewriter import Rewriter

        return Rewriter
    if name == "rewriter":
        from schemadiff.renderers.python import rewriter

        return rewriter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class AutogenerateOptions(TypedDict, total=False):
    """What ``compare_metadata`` and ``produce_migrations`` take besides the
    connection and the model: ``context.configure``'s comparison keys."""

    compare_type: bool | CompareTypeFn
    compare_server_default: bool | CompareDefaultFn
    include_schemas: bool
    include_object: IncludeObject | None
    include_name: IncludeName | None
    version_table: str
    version_table_schema: str | None


_COMPARE_FIELDS = {
    "compare_type",
    "compare_server_default",
    "include_schemas",
    "include_object",
    "include_name",
}


def compare_options(options: Mapping[str, Any], mc: MigrationContext) -> CompareOptions:
    kw = {k: v for k, v in options.items() if k in _COMPARE_FIELDS}
    return CompareOptions(
        version_table=mc.opts.version_table,
        version_table_schema=mc.opts.version_table_schema,
        **kw,
    )


def produce_upgrade_ops(
    mc: MigrationContext,
    metadata: MetaData | Sequence[MetaData] | None,
    options: Mapping[str, Any],
    registries: Registries | None = None,
) -> UpgradeOps:
    with gc_policy.paused():
        return _produce_upgrade_ops(mc, metadata, options, registries)


def _produce_upgrade_ops(
    mc: MigrationContext,
    metadata: MetaData | Sequence[MetaData] | None,
    options: Mapping[str, Any],
    registries: Registries | None = None,
) -> UpgradeOps:

    if metadata is None:
        raise AutogenerateError(
            "Can't compare with the models: the environment script does not provide a "
            "MetaData object or sequence of objects to the context (set target_metadata "
            "in env.py to your models' MetaData)"
        )

    if mc.as_sql:
        raise AutogenerateError(
            "autogenerate needs a database connection; it cannot run with --sql"
        )
    registries = registries or default_registries()
    opts = compare_options(options, mc)
    conn = mc.get_bind()
    default_schema = inspect(conn).default_schema_name
    schemas: list[str | None] = [None]
    known_schemas: list[str] | None = None
    if opts.include_schemas:
        known_schemas = inspect(conn).get_schema_names()
        for name in known_schemas:
            if name == default_schema or name in ("information_schema", "pg_catalog"):
                continue
            if opts.include_name is not None and not opts.include_name(name, "schema", {}):
                continue
            schemas.append(name)

    def keep_table(name: str, schema: str | None) -> bool:
        if opts.include_name is None:
            return True
        return bool(opts.include_name(name, "table", {"schema_name": schema}))

    def keep_model_table(table: Any) -> bool:
        # Without include_schemas only the default schema is compared, on
        # both sides; otherwise a model table in another schema would show
        # as "added" on every run.
        schema = None if table.schema == default_schema else table.schema
        return opts.include_schemas or schema in schemas

    # The model snapshot is pure CPU and reads only the MetaData, while
    # reflection mostly waits for the server (the driver releases the GIL
    # meanwhile): built side by side, the model costs nothing extra.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="schemadiff-model") as pool:
        model_future = pool.submit(
            _model_snapshot, metadata, mc, opts, default_schema, keep_model_table
        )
        vt_schema = opts.version_table_schema
        db = reflect_snapshot(
            conn,
            schemas=schemas,
            include_table_name=keep_table,
            exclude_tables=[
                (None if vt_schema == default_schema else vt_schema, opts.version_table),
                # the journal of an interrupted run (schemadiff.runtime.journal)
                (
                    None if vt_schema == default_schema else vt_schema,
                    f"{opts.version_table}_journal",
                ),
            ],
            known_schemas=known_schemas,
        )
        model = model_future.result()
    db, model = _with_entities(registries, conn, metadata, mc, opts, default_schema, db, model)
    ctx = CompareContext(opts, mc.impl, migration_context=mc)
    return compare_snapshots(ctx, db, model, registries.comparators)


def _with_entities(
    registries: Registries,
    conn: Connection,
    metadata: MetaData | Sequence[MetaData],
    mc: MigrationContext,
    opts: CompareOptions,
    default_schema: str | None,
    db: SchemaSnapshot,
    model: SchemaSnapshot,
) -> tuple[SchemaSnapshot, SchemaSnapshot]:
    """Both snapshots with their views, functions and triggers.

    The database's are read even when the model declares none: a view
    reading a column that changes is dropped and created again around it.
    """
    from schemadiff.entities import declared

    entities = registries.entities_for(conn.dialect.name)
    if not entities.kinds:
        return db, model
    metadatas = [metadata] if isinstance(metadata, MetaData) else list(metadata)
    compared = db.compared_schemas
    raw = [s if s is not None else default_schema for s in compared]
    found = entities.read(conn, raw, default_schema)
    mine = entities.from_model(
        declared(metadatas),
        mc.dialect,
        default_schema,
        lambda s: opts.include_schemas or s in compared,
    )
    # a Table mapped over a declared view (to query it) is the view, not a table to add
    views = {(k[1], k[2]) for k in mine if k[0] in ("view", "materialized_view")}
    tables = {k: t for k, t in model.tables.items() if k not in views}
    return (
        dataclasses.replace(db, entities=found),
        dataclasses.replace(model, entities=mine, tables=tables),
    )


def _model_snapshot(
    metadata: MetaData | Sequence[MetaData],
    mc: MigrationContext,
    opts: CompareOptions,
    default_schema: str | None,
    include_table: Callable[[Any], bool],
) -> SchemaSnapshot:
    """The model's side, and the dialect's verdict on each of its column types.

    Type comparison needs every model type compiled and normalized; done
    here, in the worker, it overlaps the server's catalog work instead of
    lengthening the comparison (the reflected side shares a few dozen type
    objects, which cost nothing later).
    """
    # Hand the interpreter back at once: the submitting thread would
    # otherwise wait a whole switch interval (``sys.getswitchinterval()``) before it could send its
    # first catalog query, and from then on it mostly waits on the server.
    time.sleep(0)
    model = snapshot_from_metadata(
        metadata, mc.dialect, default_schema=default_schema, include_table=include_table
    )
    if opts.compare_type is not False:
        signature = mc.impl.type_signature
        for table in model.tables.values():
            for column in table.columns:
                signature(column.type)
    return model


def _migration_context(
    connection: Connection | MigrationContext, opts: AutogenerateOptions
) -> MigrationContext:
    if isinstance(connection, MigrationContext):
        return connection
    return MigrationContext(
        connection.dialect,
        connection,
        MigrationOptions(
            version_table=opts.pop("version_table", "schemadiff_version"),
            version_table_schema=opts.pop("version_table_schema", None),
        ),
    )


def produce_migrations(
    connection: Connection | MigrationContext,
    metadata: MetaData | Sequence[MetaData],
    **options: Unpack[AutogenerateOptions],
) -> MigrationScript:
    mc = _migration_context(connection, options)
    upgrade = produce_upgrade_ops(mc, metadata, options)
    return MigrationScript(upgrade_ops_list=[upgrade], downgrade_ops_list=[upgrade.reverse()])


def compare_metadata(
    connection: Connection | MigrationContext,
    metadata: MetaData | Sequence[MetaData],
    **options: Unpack[AutogenerateOptions],
) -> list[Change]:
    mc = _migration_context(connection, options)
    upgrade = produce_upgrade_ops(mc, metadata, options)
    return changes_of(mc.dialect, mc.connection, upgrade.ops)


def changes_of(
    dialect: Any,
    connection: Connection | None,
    ops: Sequence[Any],
    *,
    safe_migrations: bool = False,
) -> list[Change]:
    """The changes of ``ops`` with their hazards, sized by ``connection``'s row
    estimates when there is one.  No operation, no change: a clean ``check``
    then never imports the hazard rules."""
    if not ops:
        return []
    from schemadiff.hazards import assess_upgrade

    return assess_upgrade(dialect, connection, list(ops), safe_migrations=safe_migrations)


__all__ = [
    "AutogenerateOptions",
    "Rewriter",
    "changes_of",
    "compare_metadata",
    "produce_migrations",
    "produce_upgrade_ops",
    "rewriter",
]
