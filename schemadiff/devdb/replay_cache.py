"""The cache of replayed clusters behind a fast second ``check --dev-url embedded``.

Replaying every migration is the slow part of a pre-commit run, and its
result depends only on what is replayed: the revision scripts, env.py, the
config file, the ``-x`` arguments and the server version.  A stopped
cluster at head is kept under a hash of all of them; the next run with the
same inputs copies it and only compares.  Editing, adding or removing any
revision file changes the key, so a stale schema is never compared.  (A
migration that imports application code outside the version folders is
not part of the key: delete the cache folder after changing such code.)
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from schemadiff import __version__
from schemadiff.config import Config
from schemadiff.scriptdir import ScriptDirectory

CACHE_ENV = "SCHEMADIFF_CACHE_DIR"
#: replayed clusters kept at once (each is ~25 MB); the oldest go first
KEEP = 3


def cache_root() -> Path:
    """``$SCHEMADIFF_CACHE_DIR``, else the user's cache folder, ``/schemadiff``.

    Root is the exception: the server then runs as ``nobody``, who cannot
    enter ``/root``, so root's clusters live in a root-owned folder of the
    temporary directory that others may pass through but not list.
    """
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    if os.name != "nt" and os.geteuid() == 0:
        folder = Path(tempfile.gettempdir()) / "schemadiff-cache-0"
        folder.mkdir(mode=0o711, exist_ok=True)
        if folder.stat().st_uid == 0 and not folder.is_symlink():
            folder.chmod(0o711)
            return folder
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "schemadiff"


def replay_key(config: Config, script: ScriptDirectory, server_version: str) -> str:
    """A hash of everything the replayed schema depends on."""
    digest = hashlib.sha256()
    digest.update(f"schemadiff {__version__}\0postgresql {server_version}\0".encode())
    x_args = sorted(getattr(config.cmd_opts, "x", None) or [])
    digest.update(("\0".join(x_args) + "\0").encode())
    for path in _inputs(config, script):
        digest.update(str(path).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def _inputs(config: Config, script: ScriptDirectory) -> Iterable[Path]:
    files: set[Path] = {script.env_py}
    for name in (config.config_file_name, config.toml_file_name):
        if name and Path(name).is_file():
            files.add(Path(name).resolve())
    for location in script.version_locations:
        if location.is_dir():
            files.update(
                p.resolve() for p in location.rglob("*.py") if "__pycache__" not in p.parts
            )
    return sorted(files)


def cached_cluster(key: str) -> Path | None:
    """The stopped cluster replayed for ``key``, if a previous run kept one."""
    data = cache_root() / "embedded-postgresql" / key / "data"
    if (data / "PG_VERSION").is_file():
        os.utime(data.parent)  # recently used: pruned last
        return data
    return None


def cluster_destination(key: str) -> Path:
    return cache_root() / "embedded-postgresql" / key / "data"


@contextlib.contextmanager
def exclusive(key: str) -> Iterator[bool]:
    """Hold the entry for ``key``; yields False when another run holds it.

    The holder may run the server on the cached cluster itself (a check
    only reads it) and store a freshly replayed one; a run that finds the
    entry busy works on a copy and stores nothing.
    """
    import fcntl  # POSIX only, as the embedded server is

    folder = cache_root() / "embedded-postgresql" / key
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / "lock", "w")  # noqa: SIM115 - closed below
    except OSError:  # no writable cache: every run replays, nothing is stored
        yield False
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def discard(key: str) -> None:
    """Forget an entry whose server did not stop cleanly: it is not trusted again."""
    shutil.rmtree(cache_root() / "embedded-postgresql" / key / "data", ignore_errors=True)


def prune(keep: int = KEEP) -> None:
    """Remove all but the ``keep`` most recently used clusters."""
    folder = cache_root() / "embedded-postgresql"
    with contextlib.suppress(OSError):
        entries = sorted(
            (p for p in folder.iterdir() if p.is_dir()),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for stale in entries[keep:]:
            shutil.rmtree(stale, ignore_errors=True)
