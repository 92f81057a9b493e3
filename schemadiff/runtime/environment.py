"""The environment env.py talks to (``from schemadiff import context``).

A command builds an ``EnvironmentContext`` with a callback saying what
``run_migrations()`` should do (plan and run steps, or compare for
autogenerate/check), makes it current, and executes env.py.  env.py stays
in charge of connecting, exactly as in the seeds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection, Dialect, make_url

from schemadiff.errors import CommandError, ConfigError
from schemadiff.runtime import safe
from schemadiff.runtime.migration import MigrationContext, MigrationOptions

if TYPE_CHECKING:
    from schemadiff.config import Config

RunFn = Callable[[MigrationContext, dict[str, Any]], None]

_MIGRATION_FIELDS = {f.name for f in dataclasses.fields(MigrationOptions)} - {
    "extra",
    "as_sql",
    "configured",
}
#: configure() options consumed by autogenerate (comparators and renderers)
AUTOGEN_OPTIONS = {
    "compare_type",
    "compare_server_default",
    "include_schemas",
    "include_object",
    "include_name",
    "render_item",
    "user_module_prefix",
    "sqlalchemy_module_prefix",
    "alembic_module_prefix",
    "render_as_batch",
    "process_revision_directives",
    "upgrade_token",
    "downgrade_token",
}
CONNECTION_OPTIONS = {"connection", "url", "dialect_name", "dialect_opts"}
KNOWN_OPTIONS = _MIGRATION_FIELDS | AUTOGEN_OPTIONS | CONNECTION_OPTIONS
#: commands that write the version table take the run lock around their transaction
LOCKING_PURPOSES = frozenset({"upgrade", "downgrade", "stamp", "ensure_version"})
#: ``config.attributes`` key of a ProgressReporter (the CLI sets one on a terminal)
PROGRESS_ATTRIBUTE = "progress_reporter"


class EnvironmentContext:
    def __init__(
        self,
        config: Config,
        *,
        fn: RunFn | None = None,
        as_sql: bool = False,
        destination_rev: str | None = None,
        starting_rev: str | None = None,
        tag: str | None = None,
        purpose: str = "migrate",
    ) -> None:
        self.config = config
        self.fn = fn
        self.as_sql = as_sql
        self.destination_rev = destination_rev
        self.starting_rev = starting_rev
        self.tag = tag
        self.purpose = purpose
        self.migration_context: MigrationContext | None = None
        self.options: dict[str, Any] = {}

    # -- env.py API -------------------------------------------------------------
    def is_offline_mode(self) -> bool:
        return self.as_sql

    def get_revision_argument(self) -> str | None:
        return self.destination_rev

    def get_starting_revision_argument(self) -> str | None:
        return self.starting_rev

    def get_tag_argument(self) -> str | None:
        return self.tag

    def get_x_argument(self, as_dictionary: bool = False) -> Any:
        raw = list(getattr(self.config.cmd_opts, "x", None) or [])
        if not as_dictionary:
            return raw
        out: dict[str, str] = {}
        for item in raw:
            key, sep, value = item.partition("=")
            out[key.strip()] = value.strip() if sep else ""
        return out

    def configure(self, **kw: Any) -> None:
        unknown = sorted(set(kw) - KNOWN_OPTIONS)
        if unknown:
            raise ConfigError(f"context.configure() got unknown option(s): {', '.join(unknown)}")
        self.options = dict(kw)
        connection: Connection | None = kw.get("connection")
        dialect: Dialect
        if connection is not None:
            dialect = connection.dialect
        elif kw.get("url") is not None:
            url = make_url(kw["url"])
            dialect = url.get_dialect()(**kw.get("dialect_opts", {}))
        elif kw.get("dialect_name"):
            dialect = make_url(f"{kw['dialect_name']}://").get_dialect()()
        else:
            raise ConfigError("context.configure() needs connection=, url= or dialect_name=")
        if self.as_sql:
            connection = None
        elif connection is None:
            raise ConfigError("online mode needs context.configure(connection=...)")
        fields = {k: v for k, v in kw.items() if k in _MIGRATION_FIELDS}
        for key in ("version_table", "version_table_schema"):
            # ``import-alembic`` keeps the project's table through the config file
            if key not in fields and self.config.get_main_option(key):
                fields[key] = self.config.get_main_option(key)
        fields.update(safe.config_options(self.config, fields))
        opts = MigrationOptions(**fields, as_sql=self.as_sql, configured=dict(kw))
        if opts.output_buffer is None:
            opts.output_buffer = self.config.output_buffer or self.config.stdout
        if self.as_sql and self.starting_rev and opts.starting_version is None:
            opts.starting_version = self.starting_rev
        if opts.progress is None:
            opts.progress = self.config.attributes.get(PROGRESS_ATTRIBUTE)
        self.migration_context = MigrationContext(dialect, connection, opts)
        self.migration_context.config = self.config
        self.migration_context.lock_run = self.purpose in LOCKING_PURPOSES

    def get_context(self) -> MigrationContext:
        if self.migration_context is None:
            raise CommandError("No context has been configured yet; call context.configure() first")
        return self.migration_context

    def get_bind(self) -> Connection:
        return self.get_context().get_bind()

    def begin_transaction(self) -> Any:
        return self.get_context().begin_transaction()

    def execute(self, sql: Any, execution_options: dict[str, Any] | None = None) -> None:
        from schemadiff.operations import Operations

        Operations(self.get_context()).execute(sql, execution_options)

    def run_migrations(self, **kw: Any) -> None:
        if self.fn is None:
            return
        self.fn(self.get_context(), kw)

    def get_head_revision(self) -> str | None:
        """The single head of the revision graph (None when there are no revisions).

        Read from the scripts, as the command sees them; several heads are
        an error, as they are for ``upgrade head``.
        """
        from schemadiff.revisions import resolve_one
        from schemadiff.scriptdir import ScriptDirectory

        return resolve_one(ScriptDirectory.from_config(self.config).graph, "head")


_current: ContextVar[EnvironmentContext | None] = ContextVar("schemadiff_env", default=None)


@contextmanager
def activate(env: EnvironmentContext) -> Iterator[EnvironmentContext]:
    token = _current.set(env)
    try:
        yield env
    finally:
        _current.reset(token)


def current_environment() -> EnvironmentContext:
    env = _current.get()
    if env is None:
        raise CommandError(
            "schemadiff.context is only available while env.py runs under a schemadiff command"
        )
    return env
