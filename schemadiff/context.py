"""``from schemadiff import context``: the env.py API.

Module-level functions forwarding to the environment of the command that
is running env.py in this thread or task.
"""

from __future__ import annotations

from typing import Any

from schemadiff.runtime.environment import current_environment


def __getattr__(name: str) -> Any:
    if name == "config":
        return current_environment().config
    raise AttributeError(f"module 'schemadiff.context' has no attribute {name!r}")


def configure(**kw: Any) -> None:
    current_environment().configure(**kw)


def run_migrations(**kw: Any) -> None:
    current_environment().run_migrations(**kw)


def begin_transaction() -> Any:
    return current_environment().begin_transaction()


def is_offline_mode() -> bool:
    return current_environment().is_offline_mode()


def get_revision_argument() -> str | None:
    return current_environment().get_revision_argument()


def get_starting_revision_argument() -> str | None:
    return current_environment().get_starting_revision_argument()


def get_tag_argument() -> str | None:
    return current_environment().get_tag_argument()


def get_x_argument(as_dictionary: bool = False) -> Any:
    return current_environment().get_x_argument(as_dictionary=as_dictionary)


def get_context() -> Any:
    return current_environment().get_context()


def get_bind() -> Any:
    return current_environment().get_bind()


def execute(sql: Any, execution_options: dict[str, Any] | None = None) -> None:
    current_environment().execute(sql, execution_options)


def get_head_revision() -> str | None:
    return current_environment().get_head_revision()
