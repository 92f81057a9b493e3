"""``from schemadiff import op``: the directives migration scripts call.

Each function forwards to the ``Operations`` object of the migration that
is running in this thread or task (held in a ContextVar), so scripts stay
plain module-level code while several migrations may run concurrently.
Each has exactly the signature of its ``Operations`` method (``_forward``
carries it over, for type checkers and ``help()`` alike), so the two
cannot drift apart.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from schemadiff.operations.base import Operations, current_operations

P = ParamSpec("P")
R = TypeVar("R")


def __getattr__(name: str) -> Any:
    # Directives registered by plugins (Operations.register_operation) too.
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(current_operations(), name)


def _forward(method: Callable[Concatenate[Operations, P], R]) -> Callable[P, R]:
    """``op.<name>(...)``: ``Operations.<name>`` on the running migration's object."""

    name = method.__name__

    @functools.wraps(method)
    def directive(*args: P.args, **kw: P.kwargs) -> R:
        # looked up on the object, so a subclass's override runs (lint's recording op)
        bound: Callable[P, R] = getattr(current_operations(), name)
        return bound(*args, **kw)

    signature = inspect.signature(method)
    directive.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=list(signature.parameters.values())[1:]
    )
    return directive


f = Operations.f
create_table = _forward(Operations.create_table)
drop_table = _forward(Operations.drop_table)
rename_table = _forward(Operations.rename_table)
add_column = _forward(Operations.add_column)
drop_column = _forward(Operations.drop_column)
alter_column = _forward(Operations.alter_column)
create_index = _forward(Operations.create_index)
drop_index = _forward(Operations.drop_index)
create_unique_constraint = _forward(Operations.create_unique_constraint)
create_primary_key = _forward(Operations.create_primary_key)
create_foreign_key = _forward(Operations.create_foreign_key)
create_check_constraint = _forward(Operations.create_check_constraint)
drop_constraint = _forward(Operations.drop_constraint)
create_table_comment = _forward(Operations.create_table_comment)
drop_table_comment = _forward(Operations.drop_table_comment)
execute = _forward(Operations.execute)
bulk_insert = _forward(Operations.bulk_insert)
inline_literal = _forward(Operations.inline_literal)
get_bind = _forward(Operations.get_bind)
get_context = _forward(Operations.get_context)
batch_alter_table = _forward(Operations.batch_alter_table)
