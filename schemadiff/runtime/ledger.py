"""What a run has committed so far, so a failure can say exactly what stayed.

A failed migration used to be described from what the backend *should* do
(``transactional_ddl``), which was wrong whenever work became durable in a
way the transaction did not cover.  The ledger instead watches the
connection and records every point where work becomes committed, in one
place:

* a ``COMMIT`` through SQLAlchemy (schemadiff ending a migration's
  transaction, ``autocommit_block()`` ending the transaction so far, a script
  calling ``op.get_bind().commit()``): the connection's ``commit`` event;
* a statement run while the connection is in autocommit
  (``autocommit_block()``);
* a DDL statement on a backend whose DDL is not transactional (MySQL,
  MariaDB): the server commits the open transaction *before* the statement
  and the statement itself at once, so everything up to it is durable.

A ``ROLLBACK`` drops what is pending.  At the moment of a failure the
pending part is what the rollback that follows will undo; everything else
stayed, and ``describe`` says so, statement by statement for the migration
that failed.

The same listeners follow a script that commits on its own: scripts written
for the seeds' tool may call ``op.get_bind().commit()`` in the middle of
``upgrade()`` and go on.  Each such commit (and each ``autocommit_block()``
entered) is kept as an ``InterimCommit``, and on SQLite, whose driver runs
in manual transaction mode during a migration (``sqlite_txn``), the
``BEGIN`` the driver no longer issues follows at once, so the rest of the
script is transactional again.  One watcher, so the journal, the failure
message and ``interim_commits`` cannot disagree about what was committed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import event
from sqlalchemy.engine import Connection

#: statements that only read (or set session state): never part of what a run changed
_READS = frozenset(
    {"SELECT", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "SET", "SAVEPOINT", "RELEASE", "PRAGMA"}
    | {"BEGIN", "START", "END"}
)
#: statements MySQL/MariaDB commit implicitly (and commit the open transaction before)
_IMPLICIT_COMMIT = frozenset(
    {"CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "GRANT", "REVOKE", "ANALYZE", "OPTIMIZE"}
)
_WRITE_IN_WITH = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
#: longest statement text quoted in a failure message
MAX_SHOWN = 300

#: why a statement stayed although its migration failed
KEPT_IMPLICIT = "{backend} DDL is not transactional: committed as it ran"
KEPT_AUTOCOMMIT = "ran in autocommit_block()"
KEPT_COMMIT = "committed by the script's own commit"
KEPT_BEFORE_DDL = "committed by {backend} before a later DDL statement"

#: why work was committed before the migration's transaction ended
CommitCause = Literal["script commit", "autocommit_block"]


def first_word(statement: str) -> str:
    """The statement's leading keyword, upper-cased, past comments and brackets."""
    text = statement.lstrip()
    while text.startswith(("--", "/*", "(")):
        if text.startswith("--"):
            text = text.partition("\n")[2].lstrip()
        elif text.startswith("/*"):
            text = text.partition("*/")[2].lstrip()
        else:
            text = text[1:].lstrip()
    match = re.match(r"[A-Za-z]+", text)
    return match.group(0).upper() if match else ""


def is_write(statement: str) -> bool:
    word = first_word(statement)
    if word == "PRAGMA":
        return "=" in statement  # PRAGMA x = y changes the database; PRAGMA x reads it
    if word == "WITH":
        return bool(_WRITE_IN_WITH.search(statement))
    return bool(word) and word not in _READS


def commits_implicitly(statement: str) -> bool:
    """Whether MySQL/MariaDB commit before and after this statement."""
    word = first_word(statement)
    if word == "CREATE" and re.match(r"\s*CREATE\s+TEMPORARY\b", statement, re.IGNORECASE):
        return False
    return word in _IMPLICIT_COMMIT or word in ("BEGIN", "START", "LOCK")


def shown(statement: str) -> str:
    text = " ".join(statement.split())
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


@dataclass(frozen=True)
class InterimCommit:
    """Work made permanent in the middle of a migration: a rollback will not undo it.

    ``revision`` is the revision whose ``upgrade()``/``downgrade()`` was
    running; ``verb`` says which of the two.
    """

    revision: str
    verb: str
    cause: CommitCause


@dataclass
class Kept:
    """A statement of the failing migration that stayed committed, and why."""

    statement: str
    reason: str


@dataclass
class Ledger:
    """Committed and pending work of one run, kept up to date by connection events.

    ``rows`` is what the version table says inside the open transaction;
    ``committed_rows`` what a rollback would leave.  ``done`` lists the
    migrations of this run that finished, ``done_committed`` how many of
    them (from the front) are durable.
    """

    backend: str
    transactional_ddl: bool
    committed_rows: tuple[str, ...]
    rows: tuple[str, ...] = ()
    done: list[str] = field(default_factory=list)
    done_committed: int = 0
    step: str | None = None
    kept: list[Kept] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    autocommit: bool = False
    #: statements schemadiff runs for its own bookkeeping are not the migration's
    internal: int = 0
    #: called before work of the running migration commits early (the journal)
    before_early_commit: Callable[[], None] | None = None
    #: called before every statement and every commit (writes a held version update)
    before_any: Callable[[], None] | None = None
    #: called on every rollback (drops a held version update)
    on_rollback: Callable[[], None] | None = None
    #: commits the running scripts made themselves, and autocommit blocks entered
    interim: list[InterimCommit] = field(default_factory=list)
    #: (revision, verb) whose script runs inside a transaction schemadiff began
    watched: tuple[str, str] | None = None
    #: the statement that starts a transaction in SQLite's manual mode, else None
    sqlite_begin: str | None = None
    #: True while schemadiff itself begins or ends a transaction
    own: bool = False
    #: work of the last migration begun became durable before it ended
    step_committed: bool = False

    def __post_init__(self) -> None:
        self.rows = self.committed_rows

    # -- what the run does ------------------------------------------------------
    def begin_step(self, revision: str) -> None:
        self.step, self.kept, self.pending = revision, [], []
        self.step_committed = False

    def end_step(self, rows: Sequence[str]) -> None:
        if self.step is not None:
            self.done.append(self.step)
        self.step, self.kept, self.pending = None, [], []
        self.rows = tuple(rows)

    def version_rows(self, rows: Sequence[str]) -> None:
        """The version table now says ``rows`` inside the open transaction."""
        self.rows = tuple(rows)

    @contextmanager
    def watching_script(self, revision: str, verb: str, sqlite_begin: str | None) -> Iterator[None]:
        """While a script runs in schemadiff's transaction: its own commits are interim."""
        self.watched, self.sqlite_begin = (revision, verb), sqlite_begin
        try:
            yield
        finally:
            self.watched, self.sqlite_begin = None, None

    @contextmanager
    def ours(self) -> Iterator[None]:
        """Around schemadiff's own begin/commit: not the script's doing."""
        saved, self.own = self.own, True
        try:
            yield
        finally:
            self.own = saved

    def record_interim(self, cause: CommitCause) -> None:
        if self.watched is not None:
            self.interim.append(InterimCommit(*self.watched, cause))

    def _script_acts(self) -> bool:
        return self.watched is not None and not self.own and not self.autocommit

    @contextmanager
    def bookkeeping(self) -> Iterator[None]:
        """Statements run inside are schemadiff's own (version table, journal)."""
        self.internal += 1
        try:
            yield
        finally:
            self.internal -= 1

    # -- what the connection reports ----------------------------------------------
    def before_statement(self, statement: str) -> None:
        if self.transactional_ddl or self.autocommit or not commits_implicitly(statement):
            return
        self._early_commit()
        self._commit(KEPT_BEFORE_DDL.format(backend=self.backend))

    def after_statement(self, statement: str) -> None:
        word = first_word(statement)
        if word == "COMMIT":
            self.committed()
            return
        if word == "ROLLBACK":
            self.rolled_back()
            return
        if self.internal or self.step is None or not is_write(statement):
            return
        if self.autocommit:
            self.kept.append(Kept(shown(statement), KEPT_AUTOCOMMIT))
        elif not self.transactional_ddl and commits_implicitly(statement):
            self.kept.append(Kept(shown(statement), KEPT_IMPLICIT.format(backend=self.backend)))
        else:
            self.pending.append(shown(statement))

    def committed(self, reason: str = KEPT_COMMIT) -> None:
        self._commit(reason)

    def _early_commit(self) -> None:
        if self.internal == 0 and self.step is not None and self.before_early_commit:
            self.before_early_commit()

    def _commit(self, reason: str) -> None:
        if self.step is not None:
            self.step_committed = True
        self.kept.extend(Kept(s, reason) for s in self.pending)
        self.pending = []
        self.committed_rows = self.rows
        self.done_committed = len(self.done)

    def rolled_back(self) -> None:
        self.pending = []
        self.rows = self.committed_rows
        del self.done[self.done_committed :]

    # -- listening ------------------------------------------------------------------
    @contextmanager
    def watching(self, conn: Connection) -> Iterator[Ledger]:
        """Listen to ``conn`` for the length of a run."""

        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if self.before_any is not None:
                self.before_any()
            self.before_statement(statement)

        def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            self.after_statement(statement)

        def commit(conn: Any) -> None:
            # fired before the DBAPI commit: a script's own commit is early work
            if self.before_any is not None:
                self.before_any()
            if self._script_acts():
                self.record_interim("script commit")
            self._early_commit()
            self.committed()

        def begin(conn: Connection) -> None:
            if self.sqlite_begin and self._script_acts():
                conn.exec_driver_sql(self.sqlite_begin)

        def rollback(conn: Any) -> None:
            if self.on_rollback is not None:
                self.on_rollback()
            self.rolled_back()

        hooks: list[tuple[str, Callable[..., None]]] = [
            ("before_cursor_execute", before),
            ("after_cursor_execute", after),
            ("commit", commit),
            ("rollback", rollback),
            ("begin", begin),
        ]
        for name, fn in hooks:
            event.listen(conn, name, fn)
        try:
            yield self
        finally:
            for name, fn in hooks:
                event.remove(conn, name, fn)

    # -- the failure message ------------------------------------------------------------
    def describe(self, verb: str, revision: str, after: Sequence[str]) -> list[str]:
        """What stayed and what was undone, for a failure of ``revision`` now.

        Called before the rollback the failure leads to, so the pending part
        is described as rolled back and ``committed_rows`` as the version
        table afterwards.  ``after`` is what the version table would have
        said had the migration finished (for the stamp command).
        """
        lines: list[str] = []
        committed = self.done[: self.done_committed]
        undone = self.done[self.done_committed :]
        version = ", ".join(self.committed_rows) or "base"
        if committed:
            lines.append(
                f"  Kept: {_plural('revision', committed)} {', '.join(committed)} of this run "
                f"({verb} complete and committed)."
            )
        if self.kept:
            lines.append(
                f"  Kept from revision {revision}, although it failed "
                f"({_count(self.kept, 'statement')}):"
            )
            lines.extend(f"    {k.statement}  [{k.reason}]" for k in self.kept)
        if not committed and not self.kept:
            lines.append(
                "  Rolled back: schema and version table are as before this run "
                f"(the version table says {version})."
            )
        else:
            if undone:
                lines.append(
                    f"  Rolled back: {_plural('revision', undone)} {', '.join(undone)} of this run."
                )
            if self.pending:
                other = "other " if self.kept else ""
                lines.append(
                    f"  Rolled back: the {other}{_count(self.pending, 'statement')} of revision "
                    f"{revision}."
                )
            elif not self.kept:
                lines.append(f"  Revision {revision} had changed nothing when it failed.")
            lines.append(f"  The version table says {version}.")
        if self.kept:
            target = " ".join(after) or "base"
            purge = "--purge " if len(after) > 1 else ""
            lines.append(
                f"  To recover: undo the statements kept above by hand and run the {verb} again, "
                f"or complete revision {revision} by hand and run "
                f"'schemadiff stamp {purge}{target}'."
            )
        else:
            lines.append(f"  To recover: fix revision {revision} and run the {verb} again.")
        return lines


def _plural(word: str, items: Sequence[Any]) -> str:
    return word if len(items) == 1 else word + "s"


def _count(items: Sequence[Any], word: str) -> str:
    return f"{len(items)} {_plural(word, items)}"
