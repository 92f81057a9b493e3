"""``from schemadiff import op``: the directives migration scripts call.

Each function forwards to the ``Operations`` object of the migration that
is running in this thread or task (held in a ContextVar), so scripts stay
plain module-level code while several migrations may run concurrently.
"""

from __future__ import annotations

from typing import Any

from schemadiff.operations.base import Operations, current_operations


def __getattr__(name: str) -> Any:
    # Directives registered by plugins (Operations.register_operation) too.
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(current_operations(), name)


def f(name: str) -> Any:
    return Operations.f(name)


def create_table(table_name: str, *columns: Any, **kw: Any) -> Any:
    return current_operations().create_table(table_name, *columns, **kw)


def drop_table(table_name: str, **kw: Any) -> None:
    current_operations().drop_table(table_name, **kw)


def rename_table(old_table_name: str, new_table_name: str, **kw: Any) -> None:
    current_operations().rename_table(old_table_name, new_table_name, **kw)


def add_column(table_name: str, column: Any, **kw: Any) -> None:
    current_operations().add_column(table_name, column, **kw)


def drop_column(table_name: str, column_name: str, **kw: Any) -> None:
    current_operations().drop_column(table_name, column_name, **kw)


def alter_column(table_name: str, column_name: str, **kw: Any) -> None:
    current_operations().alter_column(table_name, column_name, **kw)


def create_index(index_name: str | None, table_name: str, columns: Any, **kw: Any) -> None:
    current_operations().create_index(index_name, table_name, columns, **kw)


def drop_index(index_name: str, table_name: str | None = None, **kw: Any) -> None:
    current_operations().drop_index(index_name, table_name, **kw)


def create_unique_constraint(name: str | None, table_name: str, columns: Any, **kw: Any) -> None:
    current_operations().create_unique_constraint(name, table_name, columns, **kw)


def create_primary_key(name: str | None, table_name: str, columns: Any, **kw: Any) -> None:
    current_operations().create_primary_key(name, table_name, columns, **kw)


def create_foreign_key(
    name: str | None,
    source_table: str,
    referent_table: str,
    local_cols: Any,
    remote_cols: Any,
    **kw: Any,
) -> None:
    current_operations().create_foreign_key(
        name, source_table, referent_table, local_cols, remote_cols, **kw
    )


def create_check_constraint(name: str | None, table_name: str, condition: Any, **kw: Any) -> None:
    current_operations().create_check_constraint(name, table_name, condition, **kw)


def drop_constraint(name: str, table_name: str, type_: str | None = None, **kw: Any) -> None:
    current_operations().drop_constraint(name, table_name, type_, **kw)


def create_table_comment(table_name: str, comment: str, **kw: Any) -> None:
    current_operations().create_table_comment(table_name, comment, **kw)


def drop_table_comment(table_name: str, **kw: Any) -> None:
    current_operations().drop_table_comment(table_name, **kw)


def execute(sqltext: Any, execution_options: dict[str, Any] | None = None) -> Any:
    return current_operations().execute(sqltext, execution_options)


def bulk_insert(table: Any, rows: Any, **kw: Any) -> None:
    current_operations().bulk_insert(table, rows, **kw)


def inline_literal(value: Any, type_: Any = None) -> Any:
    return current_operations().inline_literal(value, type_)


def get_bind() -> Any:
    return current_operations().get_bind()


def get_context() -> Any:
    return current_operations().get_context()


def batch_alter_table(table_name: str, schema: str | None = None, **kw: Any) -> Any:
    return current_operations().batch_alter_table(table_name, schema, **kw)
