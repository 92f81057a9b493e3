"""``op.*`` carries the exact signatures of ``Operations``: named parameters
where the seeds' directives have them, ``**kw`` only for dialect options."""

from __future__ import annotations

import inspect

import pytest

from schemadiff import op
from schemadiff.operations import Operations

DIRECTIVES = [
    "create_table",
    "drop_table",
    "rename_table",
    "add_column",
    "drop_column",
    "alter_column",
    "create_index",
    "drop_index",
    "create_unique_constraint",
    "create_primary_key",
    "create_foreign_key",
    "create_check_constraint",
    "drop_constraint",
    "create_table_comment",
    "drop_table_comment",
    "execute",
    "bulk_insert",
    "inline_literal",
    "get_bind",
    "get_context",
    "batch_alter_table",
]


@pytest.mark.parametrize("name", DIRECTIVES)
def test_op_function_has_the_method_signature_without_self(name: str) -> None:
    method = inspect.signature(getattr(Operations, name))
    function = inspect.signature(getattr(op, name))
    assert list(method.parameters)[0] == "self"
    assert list(function.parameters.values()) == list(method.parameters.values())[1:]
    assert function.return_annotation == method.return_annotation


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("alter_column", {"nullable", "server_default", "new_column_name", "type_", "schema"}),
        ("alter_column", {"existing_type", "existing_server_default", "existing_nullable"}),
        ("alter_column", {"comment", "existing_comment"}),
        ("drop_table", {"schema", "if_exists"}),
        ("drop_column", {"schema", "if_exists"}),
        ("drop_index", {"schema", "if_exists"}),
        ("drop_constraint", {"type_", "schema", "if_exists"}),
        ("create_table", {"if_not_exists"}),
        ("add_column", {"schema", "if_not_exists"}),
        ("create_index", {"schema", "unique", "if_not_exists"}),
        ("create_foreign_key", {"ondelete", "onupdate", "source_schema", "referent_schema"}),
        ("bulk_insert", {"multiinsert"}),
    ],
)
def test_seed_parameters_are_named(name: str, named: set[str]) -> None:
    params = inspect.signature(getattr(op, name)).parameters
    assert named <= set(params)
    for param in named:
        assert params[param].annotation != "Any", (name, param)


def test_no_directive_takes_only_a_keyword_catch_all() -> None:
    for name in DIRECTIVES:
        params = list(inspect.signature(getattr(op, name)).parameters.values())
        if params and params[-1].kind is inspect.Parameter.VAR_KEYWORD:
            assert len(params) > 2, name
            assert any(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params) or name in (
                "create_table",
            ), name


def test_op_outside_a_migration_says_so() -> None:
    from schemadiff.errors import CommandError

    with pytest.raises(CommandError, match="only available while a migration runs"):
        op.drop_table("t")


@pytest.mark.parametrize(
    "name",
    [
        "add_column",
        "drop_column",
        "alter_column",
        "create_index",
        "drop_index",
        "create_unique_constraint",
        "create_primary_key",
        "create_foreign_key",
        "create_check_constraint",
        "drop_constraint",
        "create_table_comment",
        "drop_table_comment",
    ],
)
def test_batch_op_takes_the_same_parameters_but_the_table(name: str) -> None:
    from schemadiff.operations.batch import BatchOperations

    implied = {"self", "table_name", "schema", "source_table", "source_schema"}
    plain = set(inspect.signature(getattr(Operations, name)).parameters) - implied
    batch = set(inspect.signature(getattr(BatchOperations, name)).parameters) - {"self"}
    assert batch - {"insert_before", "insert_after"} == plain


def test_op_functions_run_a_subclass_override() -> None:
    """``op.execute`` on a subclass of Operations runs the subclass's method
    (``schemadiff lint`` records directives through such a subclass)."""
    import io

    import sqlalchemy as sa

    from schemadiff.operations import activate
    from schemadiff.runtime.migration import MigrationContext, MigrationOptions

    seen: list[str] = []

    class Recording(Operations):
        def execute(self, sqltext: object, execution_options: object = None) -> None:  # type: ignore[override]
            seen.append(str(sqltext))

        def drop_column(self, table_name: str, column_name: str, **kw: object) -> None:  # type: ignore[override]
            seen.append(f"drop {table_name}.{column_name}")

    mc = MigrationContext(
        sa.create_engine("sqlite://").dialect,
        None,
        MigrationOptions(as_sql=True, output_buffer=io.StringIO()),
    )
    with activate(Recording(mc)):
        op.execute("UPDATE t SET a = 1")
        op.drop_column("t", "a")
    assert seen == ["UPDATE t SET a = 1", "drop t.a"]
