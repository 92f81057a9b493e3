"""A scratch database for ``--dev-url``: refused unless empty, emptied afterwards.

The user names a database they own for schemadiff to build schemas in.
Dropping someone's data there by mistake would be unforgivable, so the
database must hold no table, view, sequence, type, routine or extension
before anything runs; afterwards everything the replay created is dropped
again, and what could not be dropped is named in the error, never hidden.

SQLite needs no server: ``sqlite://`` (in memory) becomes a temporary file,
removed afterwards, because the migrations and the comparison each open
their own connection.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Dialect, Engine, make_url

from schemadiff.errors import CommandError

#: PostgreSQL schemas that belong to the server, never to a user's schema
_PG_SYSTEM_SCHEMAS = "('pg_catalog', 'information_schema', 'pg_toast')"
_PG_USER_NAMESPACE = (
    f"n.nspname NOT IN {_PG_SYSTEM_SCHEMAS} AND n.nspname NOT LIKE 'pg\\_temp\\_%%' "
    "AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%%'"
)
#: objects an extension brought along belong to the extension, not to the user
_PG_NOT_FROM_EXTENSION = (
    "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = {oid} AND d.deptype = 'e')"
)
_PG_RELKINDS = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW"}
_PG_RELKINDS.update({"S": "SEQUENCE", "f": "FOREIGN TABLE"})


class DevDatabaseNotEmpty(CommandError):
    """The dev database holds objects: schemadiff will not touch it."""


@dataclass(frozen=True)
class Inventory:
    """What a database holds, as ``kind name`` strings, and its schemas."""

    objects: tuple[str, ...]
    schemas: frozenset[str] = field(default_factory=frozenset)
    extensions: frozenset[str] = field(default_factory=frozenset)


def masked(url: URL | str) -> str:
    return make_url(url).render_as_string(hide_password=True)


# -- what a database holds ------------------------------------------------------
def inventory(conn: Connection) -> Inventory:
    """Every user object of the connection's database (schema, for MariaDB)."""
    name = conn.dialect.name
    if name == "postgresql":
        return _pg_inventory(conn)
    if name in ("mysql", "mariadb"):
        rows = conn.exec_driver_sql(
            "SELECT table_type, table_name FROM information_schema.tables "
            "WHERE table_schema = DATABASE() "
            "UNION ALL SELECT routine_type, routine_name FROM information_schema.routines "
            "WHERE routine_schema = DATABASE() "
            "UNION ALL SELECT 'EVENT', event_name FROM information_schema.events "
            "WHERE event_schema = DATABASE()"
        ).all()
        return Inventory(tuple(sorted(f"{kind.lower()} {obj}" for kind, obj in rows)))
    if name == "sqlite":
        rows = conn.exec_driver_sql(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        ).all()
        return Inventory(tuple(sorted(f"{kind} {obj}" for kind, obj in rows)))
    raise CommandError(
        f"--dev-url does not support the {name!r} dialect (PostgreSQL, MariaDB/MySQL "
        "and SQLite are supported)"
    )


def _pg_inventory(conn: Connection) -> Inventory:
    relations = conn.exec_driver_sql(
        "SELECT c.relkind::text, n.nspname, c.relname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND {_PG_USER_NAMESPACE} "
        f"AND {_PG_NOT_FROM_EXTENSION.format(oid='c.oid')}"
    ).all()
    types = conn.exec_driver_sql(
        "SELECT n.nspname, t.typname FROM pg_type t "
        "JOIN pg_namespace n ON n.oid = t.typnamespace "
        f"WHERE {_PG_USER_NAMESPACE} AND {_PG_NOT_FROM_EXTENSION.format(oid='t.oid')} "
        "AND (t.typtype IN ('e', 'd', 'r', 'm') OR (t.typtype = 'c' AND "
        "(SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'))"
    ).all()
    routines = conn.exec_driver_sql(
        "SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid) "
        "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        f"WHERE {_PG_USER_NAMESPACE} AND {_PG_NOT_FROM_EXTENSION.format(oid='p.oid')}"
    ).all()
    schemas = conn.exec_driver_sql(
        f"SELECT n.nspname FROM pg_namespace n WHERE {_PG_USER_NAMESPACE}"
    ).scalars()
    extensions = conn.exec_driver_sql(
        "SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'"
    ).scalars()
    objects = [f"{_PG_RELKINDS[kind].lower()} {schema}.{name}" for kind, schema, name in relations]
    objects += [f"type {schema}.{name}" for schema, name in types]
    objects += [f"function {schema}.{name}({args})" for schema, name, args in routines]
    ext = frozenset(extensions)
    objects += [f"extension {name}" for name in sorted(ext)]
    return Inventory(tuple(sorted(objects)), frozenset(schemas), ext)


# -- emptying it again ------------------------------------------------------------
def empty_database(conn: Connection, before: Inventory) -> None:
    """Drop what was created since ``before`` (an empty inventory)."""
    name = conn.dialect.name
    if name == "postgresql":
        _pg_empty(conn, before)
    elif name in ("mysql", "mariadb"):
        _mysql_empty(conn)
    else:
        _sqlite_empty(conn)


def _q(conn: Connection, *parts: str) -> str:
    quote = conn.dialect.identifier_preparer.quote_identifier
    return ".".join(quote(p) for p in parts)


def _pg_empty(conn: Connection, before: Inventory) -> None:
    now = _pg_inventory(conn)
    for schema in sorted(now.schemas - before.schemas):
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {_q(conn, schema)} CASCADE")
    for ext in sorted(now.extensions - before.extensions):
        conn.exec_driver_sql(f"DROP EXTENSION IF EXISTS {_q(conn, ext)} CASCADE")
    # What is left lives in schemas that were there (empty) before.
    rows = conn.exec_driver_sql(
        "SELECT c.relkind::text, n.nspname, c.relname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE c.relkind IN ('v', 'm', 'r', 'p', 'f', 'S') AND {_PG_USER_NAMESPACE} "
        f"AND {_PG_NOT_FROM_EXTENSION.format(oid='c.oid')} "
        "ORDER BY position(c.relkind in 'mvrpfS')"
    ).all()
    for kind, schema, name in rows:
        conn.exec_driver_sql(
            f"DROP {_PG_RELKINDS[kind]} IF EXISTS {_q(conn, schema, name)} CASCADE"
        )
    routines = conn.exec_driver_sql(
        "SELECT p.prokind::text, n.nspname, p.proname, pg_get_function_identity_arguments(p.oid) "
        "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        f"WHERE {_PG_USER_NAMESPACE} AND {_PG_NOT_FROM_EXTENSION.format(oid='p.oid')}"
    ).all()
    for kind, schema, name, args in routines:
        what = {"p": "PROCEDURE", "a": "AGGREGATE"}.get(kind, "FUNCTION")
        conn.exec_driver_sql(f"DROP {what} IF EXISTS {_q(conn, schema, name)}({args}) CASCADE")
    types = conn.exec_driver_sql(
        "SELECT t.typtype::text, n.nspname, t.typname FROM pg_type t "
        "JOIN pg_namespace n ON n.oid = t.typnamespace "
        f"WHERE {_PG_USER_NAMESPACE} AND {_PG_NOT_FROM_EXTENSION.format(oid='t.oid')} "
        "AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND "
        "(SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'))"
    ).all()
    for typtype, schema, name in types:
        what = "DOMAIN" if typtype == "d" else "TYPE"
        conn.exec_driver_sql(f"DROP {what} IF EXISTS {_q(conn, schema, name)} CASCADE")


def _mysql_empty(conn: Connection) -> None:
    conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
    try:
        rows = conn.exec_driver_sql(
            "SELECT table_type, table_name FROM information_schema.tables "
            "WHERE table_schema = DATABASE() ORDER BY table_type = 'VIEW' DESC"
        ).all()
        for kind, name in rows:
            what = {"VIEW": "VIEW", "SEQUENCE": "SEQUENCE"}.get(kind, "TABLE")
            conn.exec_driver_sql(f"DROP {what} IF EXISTS {_q(conn, name)}")
        routines = conn.exec_driver_sql(
            "SELECT routine_type, routine_name FROM information_schema.routines "
            "WHERE routine_schema = DATABASE()"
        ).all()
        for kind, name in routines:
            conn.exec_driver_sql(f"DROP {kind} IF EXISTS {_q(conn, name)}")
        events = conn.exec_driver_sql(
            "SELECT event_name FROM information_schema.events WHERE event_schema = DATABASE()"
        ).scalars()
        for name in list(events):
            conn.exec_driver_sql(f"DROP EVENT IF EXISTS {_q(conn, name)}")
    finally:
        conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 1")


def _sqlite_empty(conn: Connection) -> None:
    conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
    rows = conn.exec_driver_sql(
        "SELECT type, name FROM sqlite_master WHERE type IN ('view', 'trigger', 'table') "
        "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "ORDER BY CASE type WHEN 'view' THEN 0 WHEN 'trigger' THEN 1 ELSE 2 END"
    ).all()
    for kind, name in rows:
        conn.exec_driver_sql(f"DROP {kind.upper()} IF EXISTS {_q(conn, name)}")


# -- the whole life of a scratch database -----------------------------------------
@contextlib.contextmanager
def scratch_database(dev_url: str, *, configured_url: str | None = None) -> Iterator[URL]:
    """Yield the URL to replay on; refuse a non-empty database, empty it after.

    ``configured_url`` is the project's own database: naming it as the dev
    database is refused outright, empty or not.
    """
    try:
        url = make_url(dev_url)
    except Exception as exc:
        raise CommandError(f"--dev-url {dev_url!r} is not a database URL: {exc}") from None
    if configured_url and _same_database(url, configured_url):
        raise CommandError(
            f"--dev-url names the configured database ({masked(url)}); give a scratch "
            "database that schemadiff may fill and empty"
        )
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        with _temporary_sqlite(url) as temp_url:
            yield temp_url
        return
    try:
        before = with_connection(url, inventory)
    except CommandError:
        raise
    except Exception as exc:
        raise CommandError(f"cannot connect to the dev database {masked(url)}: {exc}") from None
    if before.objects:
        shown = ", ".join(before.objects[:5]) + (", ..." if len(before.objects) > 5 else "")
        raise DevDatabaseNotEmpty(
            f"the dev database {masked(url)} is not empty ({len(before.objects)} "
            f"object(s): {shown}); --dev-url needs an empty scratch database, and "
            "nothing in it was changed"
        )
    try:
        yield url
    finally:
        _empty_again(url, before)


def _empty_again(url: URL, before: Inventory) -> None:
    def empty(conn: Connection) -> tuple[str, ...]:
        empty_database(conn, before)
        conn.commit()
        return inventory(conn).objects

    try:
        left = with_connection(url, empty)
    except Exception as exc:
        raise CommandError(
            f"could not empty the dev database {masked(url)} again: {exc}; "
            "drop what the migrations created by hand before the next run"
        ) from None
    if left:
        raise CommandError(
            f"the dev database {masked(url)} still holds {', '.join(left)} after "
            "emptying; drop them by hand before the next run"
        )


_T = TypeVar("_T")


def with_connection(url: URL, fn: Callable[[Connection], _T]) -> _T:
    """Run ``fn`` on a connection to ``url``, through an async engine for async drivers.

    An async environment (``postgresql+asyncpg``, ``sqlite+aiosqlite``)
    gives its dev URL with the same driver; its connection is used through
    ``run_sync``, so the catalog queries stay plain synchronous code.
    """
    if getattr(url.get_dialect(), "is_async", False):
        import asyncio

        from sqlalchemy.ext.asyncio import create_async_engine

        async def run() -> _T:
            engine = create_async_engine(url, poolclass=sa.pool.NullPool)
            try:
                async with engine.connect() as conn:
                    return await conn.run_sync(fn)
            finally:
                await engine.dispose()

        return asyncio.run(run())
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return fn(conn)
    finally:
        engine.dispose()


@contextlib.contextmanager
def _temporary_sqlite(url: URL) -> Iterator[URL]:
    """The same driver (``sqlite+aiosqlite://`` stays async) on a temporary file."""
    folder = tempfile.mkdtemp(prefix="schemadiff-dev-")
    path = Path(folder) / "dev.db"
    try:
        yield url.set(database=str(path))
    finally:
        for leftover in Path(folder).iterdir():
            leftover.unlink()
        os.rmdir(folder)


def _same_database(url: URL, other: str) -> bool:
    try:
        theirs = make_url(other)
    except Exception:
        return False
    if url.get_backend_name() != theirs.get_backend_name():
        return False
    if url.get_backend_name() == "sqlite":
        if not url.database or not theirs.database or ":memory:" in (url.database, theirs.database):
            return False
        return Path(url.database).resolve() == Path(theirs.database).resolve()
    return (url.host, url.port, url.database, dict(url.query)) == (
        theirs.host,
        theirs.port,
        theirs.database,
        dict(theirs.query),
    )


# -- nothing else may be contacted ---------------------------------------------------
_PLAIN = (str, int, float, bool, type(None))


@contextlib.contextmanager
def connections_only_to(url: URL) -> Iterator[None]:
    """Refuse, before it is opened, every database connection but one to ``url``.

    env.py normally reads ``sqlalchemy.url``, which ``--dev-url`` overrides;
    one that takes its URL from elsewhere (an environment variable, a
    multi-database setup) would otherwise reach the real database.  The
    check compares the driver arguments SQLAlchemy derives from each URL,
    so aliases of the same database (query options, driver keywords) pass.
    """
    allowed_dialect: Dialect = url.get_dialect()()
    allowed_args, allowed_params = allowed_dialect.create_connect_args(url)

    def guard(dialect: Dialect, _rec: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        same = (
            dialect.name == allowed_dialect.name
            and list(cargs) == list(allowed_args)
            and all(
                cparams.get(key) == value
                for key, value in allowed_params.items()
                if isinstance(value, _PLAIN)
            )
        )
        if not same:
            raise CommandError(
                "env.py opened a connection to a database other than the dev database "
                f"({masked(url)}); --dev-url replaces sqlalchemy.url, so env.py must take "
                "its URL from config.get_main_option('sqlalchemy.url') (the templates "
                "do); the connection was refused before it was opened"
            )

    event.listen(Engine, "do_connect", guard)
    try:
        yield
    finally:
        event.remove(Engine, "do_connect", guard)
