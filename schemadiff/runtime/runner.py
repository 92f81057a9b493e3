"""The runner: stepping a migration context through planned revisions.

``Runner`` imports every revision script first (``preload``), then runs
each step in its own transaction (or in the run's), writes the step's
version-table change inside it, and keeps the ledger and the journal so a
failure says what stayed.  It reaches the database only through its
``MigrationContext``; ``schemadiff.operations`` knows nothing of the runner
(the dependency goes one way: runtime → operations).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

from schemadiff.errors import MigrationError
from schemadiff.operations import Operations, activate
from schemadiff.revisions import load_module
from schemadiff.revisions.planner import apply_changes
from schemadiff.runtime.progress import MigrationInfo
from schemadiff.runtime.safe import start_migration

if TYPE_CHECKING:
    from schemadiff.revisions import Revision, Step, VersionChange
    from schemadiff.runtime.migration import MigrationContext

    #: plans stamp changes from the version-table rows read under the lock
    StampPlan = Callable[[tuple[str, ...]], Sequence[VersionChange]]

log = logging.getLogger("schemadiff.runtime.migration")

#: re-plans a run from the version-table rows actually found
Replan = Callable[[tuple[str, ...]], Sequence["Step"]]


class Runner:
    """Runs steps (or stamps) on one ``MigrationContext``; see the module docstring."""

    def __init__(self, mc: MigrationContext) -> None:
        self.mc = mc
        #: every revision script, imported before the first step runs (``preload``)
        self.modules: dict[str, ModuleType] = {}

    def preload(self, revisions: Iterable[Revision]) -> None:
        """Import every revision script before the first step runs, as the seeds'
        tool does: a script may use a module only another script imports."""
        for rev in revisions:
            if rev.revision not in self.modules and rev.path is not None:
                self.modules[rev.revision] = load_module(rev)

    # -- running ---------------------------------------------------------------
    def run_steps(
        self, steps: Sequence[Step], fn_kwargs: dict[str, Any], replan: Replan | None = None
    ) -> tuple[str, ...]:
        """Run planned steps; returns the version-table rows after the last one.

        With a transaction per migration and no run lock (SQLite), another
        run may have moved the version table between two of our
        transactions; each transaction checks the rows it expects and, given
        ``replan``, plans again from what it finds instead of re-applying.
        """
        mc = self.mc
        rows = mc.get_current_heads()
        pending = list(steps)
        if not pending:
            return rows
        mc._prepare_version_table(rows, pending[0].is_upgrade)
        operations = Operations(mc)
        progress = mc.opts.progress if not mc.as_sql and len(pending) > 1 else None
        if progress is not None:
            progress.start(len(pending))
        watching = contextlib.ExitStack()
        try:
            watching.enter_context(mc._watching(rows))
            while pending:
                step = pending[0]
                with mc.begin_transaction(_per_migration=True):
                    found = self._rows_if_moved(rows, step)
                    if found is not None:
                        log.warning(
                            "The version table changed while this run waited (%s -> %s); "
                            "planning again",
                            ", ".join(rows) or "base",
                            ", ".join(found) or "base",
                        )
                        if replan is None:
                            raise MigrationError(
                                "The version table changed while this run waited; "
                                "another run migrated the database. Run the command again."
                            )
                        rows, pending = found, list(replan(found))
                        if not pending:
                            break
                        step = pending[0]
                    rows = self._run_step(step, operations, fn_kwargs, rows)
                    self._notify(MigrationInfo.from_step(step), rows, fn_kwargs)
                mc._commit_between_migrations()
                pending.pop(0)
                if progress is not None:
                    progress.advance(f"{step.revision.revision} {step.revision.doc}")
            mc._drop_journal_if_empty()
        finally:
            watching.close()
            if progress is not None:
                progress.finish()
        mc._drop_version_table_if_empty(rows)
        return rows

    def _rows_if_moved(self, expected: Sequence[str], step: Step) -> tuple[str, ...] | None:
        """The rows found, if they are not those the step was planned from.

        Also when they equal ``expected`` but the step no longer applies:
        another run may have moved the table between the planning read and
        the first read of this run.

        Under a database lock (PostgreSQL, MySQL) no other run can move the
        table: reading it again before every migration would only cost.
        """
        mc = self.mc
        if mc.as_sql or not mc.opts.transaction_per_migration or mc._lock_held:
            return None
        found = mc.get_current_heads()
        applies = all(
            (c.to_rev not in found) if c.kind == "insert" else (c.from_rev in found)
            for c in step.version_changes
        )
        return found if set(found) != set(expected) or not applies else None

    def _notify(self, info: MigrationInfo, rows: Sequence[str], run_args: dict[str, Any]) -> None:
        for callback in self.mc.opts.on_version_apply:
            callback(ctx=self.mc, step=info, heads=set(rows), run_args=run_args)

    def _run_step(
        self, step: Step, operations: Operations, fn_kwargs: dict[str, Any], rows: tuple[str, ...]
    ) -> tuple[str, ...]:
        """Run one migration and its version-table change; returns the rows after."""
        mc = self.mc
        line = step.log_line()
        log.info("%s", line)
        mc.write_comment(line)
        mc._step = (step, rows)
        start_migration(mc)
        ledger = mc._ledger
        if ledger is not None:
            ledger.version_rows(rows)
            ledger.begin_step(step.revision.revision)
        try:
            with activate(operations), self._watching_script(step):
                try:
                    module = self.modules.get(step.revision.revision) or load_module(step.revision)
                    fn = getattr(module, step.verb, None)
                    if fn is None:
                        raise MigrationError(
                            f"Revision {step.revision.revision} ({step.revision.path}) "
                            f"has no {step.verb}()"
                        )
                    fn(**fn_kwargs)
                except BrokenPipeError:
                    raise  # the reader of --sql output left (| head): not the script's failure
                except (Exception, SystemExit) as exc:
                    raise mc._failure(step, exc, rows) from exc
                for change in step.version_changes:
                    mc.apply_version_change(change.kind, change.from_rev, change.to_rev)
            rows = apply_changes(rows, step.version_changes)
            if ledger is not None:
                with ledger.bookkeeping():
                    if mc._journal is not None:
                        mc._journal.clear(step.revision.revision)
                ledger.end_step(rows)
        finally:
            mc._step = None
        return rows

    def _watching_script(self, step: Step) -> contextlib.AbstractContextManager[None]:
        """While the step's script runs in schemadiff's own transaction, the ledger
        records the script's commits (and, on SQLite, begins again after each)."""
        mc = self.mc
        if mc._ledger is None or mc._transaction is None:
            return contextlib.nullcontext()
        begin = mc.impl.explicit_begin(mc.lock_run)
        return mc._ledger.watching_script(step.revision.revision, step.verb, begin)

    # -- stamping ----------------------------------------------------------------
    def stamp(self, changes: Sequence[VersionChange] | StampPlan) -> tuple[str, ...]:
        """Apply version-table changes without running any script; returns the rows after.

        ``changes`` may be a function planning them from the rows: it is
        called again with the rows read inside the writing transaction, so
        a run that moved the table meanwhile (SQLite, one transaction per
        migration: the write lock is only held per transaction) is planned
        from, not overwritten.  A stamp also clears the journal: it is how a
        user says the schema and the version table agree again.
        """
        mc = self.mc
        plan: StampPlan = changes if callable(changes) else (lambda rows: changes)
        with mc.run_lock():
            rows = mc.get_current_heads()
            planned = list(plan(rows))
            unfinished = not mc.as_sql and bool(mc.journal().open)
            if not planned and not unfinished:
                return rows
            mc._prepare_version_table(rows, any(c.kind == "insert" for c in planned))
            with mc.begin_transaction(_per_migration=True):
                if not mc.as_sql:
                    found = mc.get_current_heads()
                    if found != rows:
                        rows, planned = found, list(plan(found))
                for change in planned:
                    log.info(
                        "Running stamp_revision %s -> %s",
                        change.from_rev or "",
                        change.to_rev or "",
                    )
                    mc.apply_version_change(change.kind, change.from_rev, change.to_rev)
                    rows = apply_changes(rows, [change])
                    self._notify(MigrationInfo.from_stamp(change), rows, {})
                if unfinished:
                    mc.journal().clear()
                    mc.journal().drop_if_empty()
            mc._drop_version_table_if_empty(rows)
            return rows
