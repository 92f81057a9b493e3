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
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Dialect, Engine, make_url

from schemadiff.errors import CommandError


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


# -- what a database holds, and emptying it (each backend's own) --------------------
def _backend_rule(conn: Connection, slot: str) -> Callable[..., Any]:
    from schemadiff.plugins import default_registries

    name = conn.dialect.name
    rule = default_registries().backend(name).get(slot, name)
    if rule is None:
        raise CommandError(
            f"--dev-url does not support the {name!r} dialect (PostgreSQL, MariaDB/MySQL "
            "and SQLite are supported)"
        )
    return cast(Callable[..., Any], rule)


def inventory(conn: Connection) -> Inventory:
    """Every user object of the connection's database (schema, for MariaDB)."""
    return cast(Inventory, _backend_rule(conn, "scratch_inventory")(conn))


def empty_database(conn: Connection, before: Inventory) -> None:
    """Drop what was created since ``before`` (an empty inventory)."""
    _backend_rule(conn, "scratch_empty")(conn, before)


def quoted(conn: Connection, *parts: str) -> str:
    quote = conn.dialect.identifier_preparer.quote_identifier
    return ".".join(quote(p) for p in parts)


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
