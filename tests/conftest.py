"""Test-suite wiring: real databases, one server per session, isolation per test.

Backends come from ``SCHEMADIFF_TEST_POSTGRESQL_URL`` /
``SCHEMADIFF_TEST_MYSQL_URL``; where unset and Docker runs, testcontainers
starts a server for the session; otherwise the backend is skipped with a
reason, and ``--require-backends`` turns that skip into a failure.  Each
test gets its own PostgreSQL schema (as the connection's search_path),
MariaDB database, or SQLite file, dropped afterwards.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

BACKENDS = ("sqlite", "postgresql", "mysql")
ENV_VARS = {"postgresql": "SCHEMADIFF_TEST_POSTGRESQL_URL", "mysql": "SCHEMADIFF_TEST_MYSQL_URL"}
_counter = itertools.count()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("schemadiff")
    group.addoption(
        "--backend",
        action="append",
        choices=BACKENDS,
        help="run backend tests only on this backend (repeatable; default: all)",
    )
    group.addoption(
        "--require-backends",
        action="store_true",
        help="fail instead of skipping when a backend is unavailable (CI)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("--backend") or list(BACKENDS)
        metafunc.parametrize("backend", chosen, scope="session")


@dataclass
class Server:
    name: str
    url: URL | None
    reason: str = ""


def _docker_available() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


_servers: dict[str, Server] = {}
_containers: list[Any] = []


def _server(name: str) -> Server:
    if name in _servers:
        return _servers[name]
    if name == "sqlite":
        server = Server(name, make_url("sqlite://"))
    elif os.environ.get(ENV_VARS[name]):
        server = Server(name, make_url(os.environ[ENV_VARS[name]]))
    elif _docker_available():
        server = _start_container(name)
    else:
        server = Server(
            name, None, f"{ENV_VARS[name]} is not set and Docker is not available to start {name}"
        )
    if server.url is not None and name != "sqlite":
        try:
            engine = sa.create_engine(server.url)
            with engine.connect():
                pass
            engine.dispose()
        except Exception as exc:  # a configured but unreachable server
            server = Server(name, None, f"cannot connect to {server.url!r}: {exc}")
    _servers[name] = server
    return server


def _start_container(name: str) -> Server:
    try:
        if name == "postgresql":
            from testcontainers.postgres import PostgresContainer

            container = PostgresContainer("postgres:16", driver="psycopg")
        else:
            from testcontainers.mysql import MySqlContainer

            container = MySqlContainer("mariadb:11")
        container.start()
    except Exception as exc:
        return Server(name, None, f"testcontainers could not start {name}: {exc}")
    _containers.append(container)
    url = make_url(container.get_connection_url())
    if name == "mysql":
        url = url.set(drivername="mysql+pymysql")
    return Server(name, url)


def pytest_sessionfinish(session: pytest.Session) -> None:
    for container in _containers:
        try:
            container.stop()
        except Exception:
            pass


@dataclass
class Database:
    """One isolated database for one test."""

    backend: str
    url: URL

    @property
    def url_string(self) -> str:
        return self.url.render_as_string(hide_password=False)

    def engine(self, **kw: Any) -> sa.Engine:
        return sa.create_engine(self.url, **kw)


@pytest.fixture
def database(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    server = _server(backend)
    if server.url is None:
        if request.config.getoption("--require-backends"):
            pytest.fail(f"backend {backend} is required but unavailable: {server.reason}")
        pytest.skip(server.reason)
    name = f"sdt_{os.getpid()}_{next(_counter)}"
    if backend == "sqlite":
        yield Database(backend, make_url(f"sqlite:///{tmp_path / 'test.db'}"))
        return
    admin = sa.create_engine(server.url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if backend == "postgresql":
                conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
                url = server.url.update_query_dict({"options": f"-csearch_path={name}"})
            else:
                conn.exec_driver_sql(f"CREATE DATABASE `{name}`")
                url = server.url.set(database=name)
        yield Database(backend, url)
    finally:
        with admin.connect() as conn:
            if backend == "postgresql":
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
            else:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
        admin.dispose()


@pytest.fixture
def engine(database: Database) -> Iterator[sa.Engine]:
    eng = database.engine()
    yield eng
    eng.dispose()
