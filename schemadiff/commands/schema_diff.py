"""``schemadiff diff SOURCE TARGET``: compare any two schemas.

Each side is a database URL or ``module:attribute`` naming a ``MetaData``,
so staging can be compared with production, or a database with a model,
without a migration environment.  The changes listed turn SOURCE into
TARGET, in the same report formats and with the same exit codes as
``check``.

Comparison always runs between a live database and a model, as ``check``
does: a database TARGET is reflected into a ``MetaData``; a model SOURCE
is compared the other way round and the operations reversed; two models
are compared through a temporary SQLite database the SOURCE is created in.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, make_url

from schemadiff.errors import CommandError
from schemadiff.ops import Change, UpgradeOps

#: version tables are bookkeeping, never part of a schema comparison
_VERSION_TABLES = frozenset({"schemadiff_version", "alembic_version"})


@dataclass(frozen=True)
class Side:
    """One argument: a database URL or a MetaData, with how to print it."""

    label: str
    url: URL | None = None
    metadata: sa.MetaData | None = None


def diff(
    source: str,
    target: str,
    *,
    format: str = "text",
    output: str | None = None,
    include_schemas: bool = False,
    stdout: TextIO | None = None,
) -> bool:
    """Compare SOURCE with TARGET and print the report; True when they differ."""
    from schemadiff.renderers.report import UnknownFormat, formatter_for

    try:
        formatter = formatter_for(format)
    except UnknownFormat as exc:
        raise CommandError(str(exc)) from None
    src, tgt = resolve_side(source), resolve_side(target)
    changes = compare_sides(src, tgt, include_schemas=include_schemas)
    _emit(_report(src, tgt, changes), formatter, format, output, stdout or sys.stdout)
    return bool(changes)


def resolve_side(argument: str) -> Side:
    """A URL (it has ``://`` or is ``sqlite:``...) or ``module:attribute``."""
    if "://" in argument or argument.startswith("sqlite:"):
        try:
            url = make_url(argument)
        except Exception as exc:
            raise CommandError(f"{argument!r} is not a database URL: {exc}") from None
        return Side(url.render_as_string(hide_password=True), url=url)
    module_name, sep, attribute = argument.partition(":")
    if not sep or not module_name or not attribute:
        raise CommandError(
            f"{argument!r} is neither a database URL nor module:attribute naming a MetaData"
        )
    if "" not in sys.path and str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    try:
        value: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise CommandError(f"cannot import {module_name!r} for {argument!r}: {exc}") from None
    for part in attribute.split("."):
        if not hasattr(value, part):
            raise CommandError(f"{module_name!r} has no attribute {attribute!r}")
        value = getattr(value, part)
    if not isinstance(value, sa.MetaData):
        raise CommandError(
            f"{argument!r} is a {type(value).__name__}, not a MetaData (name the models' "
            "MetaData, e.g. myapp.models:metadata or myapp.models:Base.metadata)"
        )
    return Side(argument, metadata=value)


def compare_sides(src: Side, tgt: Side, *, include_schemas: bool = False) -> list[Change]:
    """The changes that turn ``src`` into ``tgt``."""
    if src.url is not None:
        with _connect(src.url) as conn:
            from schemadiff.autogenerate import changes_of

            model = tgt.metadata
            if model is None:
                assert tgt.url is not None
                model = reflect_metadata(tgt.url, include_schemas)
            upgrade = _compare(conn, model, include_schemas)
            return changes_of(conn.dialect, conn, upgrade.ops)
    assert src.metadata is not None
    if tgt.url is not None:
        with _connect(tgt.url) as conn:
            upgrade = _compare(conn, src.metadata, include_schemas)
        return upgrade.reverse().to_changes()
    assert tgt.metadata is not None
    with _source_model_in_sqlite(src.metadata) as url, _connect(url) as conn:
        return _compare(conn, tgt.metadata, include_schemas).to_changes()


def _compare(conn: Connection, metadata: sa.MetaData, include_schemas: bool) -> UpgradeOps:
    from schemadiff.autogenerate import produce_upgrade_ops
    from schemadiff.runtime.migration import MigrationContext, MigrationOptions

    mc = MigrationContext(conn.dialect, conn, MigrationOptions())
    return produce_upgrade_ops(mc, metadata, {"include_schemas": include_schemas})


def reflect_metadata(url: URL, include_schemas: bool) -> sa.MetaData:
    """A database as a MetaData, to stand in for a model."""
    metadata = sa.MetaData()

    def keep(name: str, _md: sa.MetaData) -> bool:
        return name not in _VERSION_TABLES

    with _connect(url) as conn:
        inspector = sa.inspect(conn)
        metadata.reflect(conn, only=keep)
        if include_schemas:
            default = inspector.default_schema_name
            for schema in inspector.get_schema_names():
                if schema in (default, "information_schema", "pg_catalog"):
                    continue
                metadata.reflect(conn, schema=schema, only=keep)
        _reflect_entities(conn, metadata)
    return metadata


def _reflect_entities(conn: Connection, metadata: sa.MetaData) -> None:
    """The database's views, functions and triggers, declared on ``metadata``."""
    from schemadiff.entities import INFO_KEY
    from schemadiff.plugins import default_registries

    entities = default_registries().entities_for(conn.dialect.name)
    default = sa.inspect(conn).default_schema_name
    schemas = {t.schema for t in metadata.tables.values()} | {None}
    found = entities.read(conn, [s or default for s in schemas], default)
    declared = metadata.info.setdefault(INFO_KEY, {})
    for snap in found.values():
        kind = entities.kinds[snap.kind]
        if kind.reflected is not None:
            item = kind.reflected(snap)
            declared[item.key] = item


@contextlib.contextmanager
def _connect(url: URL) -> Iterator[Connection]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        try:
            conn = engine.connect()
        except Exception as exc:
            masked = url.render_as_string(hide_password=True)
            raise CommandError(f"cannot connect to {masked}: {exc}") from None
        with conn:
            yield conn
    finally:
        engine.dispose()


@contextlib.contextmanager
def _source_model_in_sqlite(metadata: sa.MetaData) -> Iterator[URL]:
    """Two models: the SOURCE becomes a temporary SQLite database to compare with."""
    with tempfile.TemporaryDirectory(prefix="schemadiff-diff-") as folder:
        url = make_url(f"sqlite:///{Path(folder) / 'source.db'}")
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        try:
            metadata.create_all(engine)
        except Exception as exc:
            raise CommandError(
                f"comparing two models creates the SOURCE in a temporary SQLite database, "
                f"which failed: {exc}; give a database URL on one side instead"
            ) from None
        finally:
            engine.dispose()
        yield url


def _report(src: Side, tgt: Side, changes: list[Change]) -> Any:
    from schemadiff.renderers.report import Report

    return Report(
        src.label,
        tuple(changes),
        source_root=str(Path.cwd()),
        target=f"the target ({tgt.label})",
    )


def _emit(report: Any, formatter: Any, format: str, output: str | None, out: TextIO) -> None:
    from schemadiff.console import is_terminal

    if output:
        Path(output).write_text(formatter(report) + "\n", encoding="utf-8")
        logging.getLogger("schemadiff.diff").info(
            "%s; %s report written to %s",
            f"{len(report.changes)} difference(s) found" if report.drift else "No difference",
            format,
            output,
        )
    elif format == "text" and is_terminal(out):
        from rich.console import Console

        from schemadiff.renderers.report.text_format import render_rich

        render_rich(report, Console(file=out))
    else:
        out.write(formatter(report) + "\n")
