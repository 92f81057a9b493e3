"""Offline SQL fed to the database's own command-line client.

``--sql`` output is meant for ``psql``, ``mariadb`` and ``sqlite3``; tests
that prove a script works pipe it through the real client rather than
through a Python driver, whose parameter handling (``%`` escapes) differs
from what a DBA's client does with the same text.
"""

from __future__ import annotations

import shutil
import subprocess

from tests.conftest import Database

CLIENTS = {"postgresql": "psql", "mysql": "mariadb", "sqlite": "sqlite3"}


def client_command(database: Database) -> list[str]:
    """The argv that runs a script from stdin against the test's own database."""
    url = database.url
    if database.backend == "sqlite":
        return ["sqlite3", "-bail", str(url.database)]
    if database.backend == "postgresql":
        options = url.query.get("options", "")
        conninfo = (
            f"host={url.host or '127.0.0.1'} port={url.port or 5432} "
            f"user={url.username or 'postgres'} dbname={url.database}"
        )
        if options:
            conninfo += f" options='{options}'"
        return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", conninfo]
    argv = [shutil.which("mariadb") and "mariadb" or "mysql", "--batch"]
    argv += ["-h", url.host or "127.0.0.1", "-P", str(url.port or 3306)]
    argv += ["-u", url.username or "root"]
    if url.password:
        argv.append(f"--password={url.password}")
    return [*argv, str(url.database)]


def run_with_client(database: Database, script: str) -> None:
    """Run ``script`` through the backend's CLI; a failing statement fails the test."""
    env = None
    if database.backend == "postgresql" and database.url.password:
        import os

        env = {**os.environ, "PGPASSWORD": str(database.url.password)}
    proc = subprocess.run(
        client_command(database),
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert proc.returncode == 0 and "ERROR" not in proc.stderr, (
        f"{CLIENTS[database.backend]} rejected the script (exit {proc.returncode}):\n"
        f"{proc.stderr}\n--- script\n{script}"
    )
