"""Progress of a run, and what ``on_version_apply`` callbacks receive.

The runner reports to a ``ProgressReporter`` when one is configured; the
command line installs ``RichProgress`` when stderr is a terminal, so library
code never decides to draw on a screen itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from schemadiff.revisions import Revision, Step, VersionChange


@dataclass(frozen=True)
class MigrationInfo:
    """One applied step (a script run, or a stamp) as ``on_version_apply`` sees it.

    The attribute names follow the seeds' tool so callbacks written for it
    keep working: ``up_revision_ids`` are the revisions at the top of the
    step, ``down_revision_ids`` those below it; ``source_revision_ids`` and
    ``destination_revision_ids`` are the same pair in the direction the
    step went.
    """

    is_upgrade: bool
    is_stamp: bool
    up_revision_ids: tuple[str, ...]
    down_revision_ids: tuple[str, ...]
    revision: Revision | None = None
    doc: str = ""

    @property
    def up_revision_id(self) -> str | None:
        return self.up_revision_ids[0] if len(self.up_revision_ids) == 1 else None

    @property
    def source_revision_ids(self) -> tuple[str, ...]:
        return self.down_revision_ids if self.is_upgrade else self.up_revision_ids

    @property
    def destination_revision_ids(self) -> tuple[str, ...]:
        return self.up_revision_ids if self.is_upgrade else self.down_revision_ids

    @classmethod
    def from_step(cls, step: Step) -> MigrationInfo:
        up, down = (
            (step.to_revisions, step.from_revisions)
            if step.is_upgrade
            else (step.from_revisions, step.to_revisions)
        )
        return cls(
            is_upgrade=step.is_upgrade,
            is_stamp=False,
            up_revision_ids=tuple(up),
            down_revision_ids=tuple(down),
            revision=step.revision,
            doc=step.revision.doc,
        )

    @classmethod
    def from_stamp(cls, change: VersionChange) -> MigrationInfo:
        """A stamp row change: INSERT and UPDATE go up to ``to_rev``, DELETE goes down."""
        if change.kind == "delete":
            assert change.from_rev is not None
            return cls(False, True, (change.from_rev,), ())
        assert change.to_rev is not None
        down = (change.from_rev,) if change.from_rev else ()
        return cls(True, True, (change.to_rev,), down)


class OnVersionApply(Protocol):
    """``configure(on_version_apply=[fn])``: called after each step, inside its transaction."""

    def __call__(
        self, *, ctx: Any, step: MigrationInfo, heads: set[str], run_args: dict[str, Any]
    ) -> None: ...


class ProgressReporter(Protocol):
    """Told how many steps a run has, then once per finished step."""

    def start(self, total: int) -> None: ...

    def advance(self, description: str) -> None: ...

    def finish(self) -> None: ...


class RichProgress:
    """A transient rich progress bar on stderr, one tick per migration.

    Log lines keep flowing above the bar: while it is live, every logging
    handler that writes to a terminal writes through the bar's console
    instead (a handler writing straight to the terminal would print over the
    bar's frame and leave a stale copy of it behind).  The bar disappears
    when the run ends, so a terminal shows the same log a pipe would.
    """

    def __init__(self, console: Any = None) -> None:
        from rich.console import Console

        self.console = console if console is not None else Console(stderr=True)
        self._progress: Any = None
        self._task: Any = None
        self._rerouted: list[tuple[logging.StreamHandler[Any], Any]] = []

    def start(self, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.finish()
        self._progress = Progress(
            TextColumn("[bold]migrating"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            console=self.console,
            transient=True,
        )
        self._route_logging()
        self._progress.start()
        self._task = self._progress.add_task("", total=total)

    def advance(self, description: str) -> None:
        if self._progress is None:
            return
        self._progress.update(self._task, advance=1, description=description)

    def finish(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        self._restore_logging()

    def _route_logging(self) -> None:
        """Point terminal-bound log handlers at the console, above the bar."""
        from rich.file_proxy import FileProxy

        for handler in _stream_handlers():
            stream = handler.stream
            if isinstance(stream, FileProxy) or not _is_terminal(stream):
                continue
            self._rerouted.append((handler, stream))
            handler.setStream(FileProxy(self.console, stream))

    def _restore_logging(self) -> None:
        for handler, stream in reversed(self._rerouted):
            proxy = handler.setStream(stream)
            if proxy is not None:
                proxy.flush()
        self._rerouted.clear()


def _stream_handlers() -> list[logging.StreamHandler[Any]]:
    """Every stream handler of every configured logger, each once."""
    loggers: list[Any] = [logging.getLogger()]
    loggers += [
        logger
        for logger in list(logging.Logger.manager.loggerDict.values())
        if isinstance(logger, logging.Logger)
    ]
    seen: dict[int, logging.StreamHandler[Any]] = {}
    for logger in loggers:
        for handler in logger.handlers:
            if isinstance(handler, logging.StreamHandler) and not isinstance(
                handler, logging.FileHandler
            ):
                seen.setdefault(id(handler), handler)
    return list(seen.values())


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed file
        return False
