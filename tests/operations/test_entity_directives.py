"""The view, function and trigger directives written offline, and their reverses.

Offline output is the exact SQL an online run sends, so these pin the
statements per backend; the online runs are in ``tests/backends``.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy.dialects import mysql, postgresql, sqlite

from schemadiff.errors import MigrationError
from schemadiff.operations import Operations, activate
from schemadiff.ops.entity_ops import (
    CreateMaterializedViewOp,
    CreateTriggerOp,
    DropFunctionOp,
    ReplaceViewOp,
)
from schemadiff.runtime.migration import MigrationContext, MigrationOptions


def _offline(dialect, run) -> str:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    mc = MigrationContext(dialect, None, MigrationOptions(as_sql=True, output_buffer=out))
    operations = Operations(mc)
    with activate(operations):
        run(operations)
    return out.getvalue()


def test_postgresql_statements_for_every_directive():
    def run(op: Operations) -> None:
        op.create_view("v", "SELECT 1 AS x;", schema="s")
        op.replace_view("v", "SELECT 2 AS x", existing="SELECT 1 AS x", schema="s")
        op.drop_view("v", schema="s")
        op.create_materialized_view("m", "SELECT 1 AS x", with_data=False)
        op.refresh_materialized_view("m", concurrently=True)
        op.drop_materialized_view("m")
        op.create_function("f", "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';")
        op.replace_function(
            "f", "create function f() returns int language sql as 'SELECT 2'", existing="x"
        )
        op.create_trigger(
            "tr", "t", "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()"
        )
        op.replace_trigger(
            "tr",
            "t",
            "CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()",
            existing="x",
        )
        op.drop_trigger("tr", "t")
        op.drop_function("f")

    sql = _offline(postgresql.dialect(), run)
    assert sql.split(";\n\n") == [
        "CREATE VIEW s.v AS SELECT 1 AS x",
        "DROP VIEW s.v",
        "CREATE VIEW s.v AS SELECT 2 AS x",
        "DROP VIEW s.v",
        "CREATE MATERIALIZED VIEW m AS SELECT 1 AS x WITH NO DATA",
        "REFRESH MATERIALIZED VIEW CONCURRENTLY m",
        "DROP MATERIALIZED VIEW m",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "CREATE OR REPLACE function f() returns int language sql as 'SELECT 2'",
        "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()",
        "DROP TRIGGER tr ON t",
        "CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()",
        "DROP TRIGGER tr ON t",
        "DROP FUNCTION f",
        "",
    ]


def test_mariadb_replaces_a_view_in_place_and_sqlite_drops_it_first():
    def run(op: Operations) -> None:
        op.replace_view("v", "SELECT 2 AS x", existing="SELECT 1 AS x")

    assert _offline(mysql.dialect(), run) == "CREATE OR REPLACE VIEW v AS SELECT 2 AS x;\n\n"
    assert _offline(sqlite.dialect(), run) == "DROP VIEW v;\n\nCREATE VIEW v AS SELECT 2 AS x;\n\n"


def test_routines_on_a_backend_without_them_fail_with_a_message():
    def run(op: Operations) -> None:
        op.create_function("f", "CREATE FUNCTION f() ...")

    with pytest.raises(MigrationError, match="only PostgreSQL has them, not sqlite"):
        _offline(sqlite.dialect(), run)


def test_each_operation_reverses_with_what_it_carries():
    view = CreateMaterializedViewOp("m", "SELECT 1", None, with_data=False)
    back = view.reverse()
    assert back.reverse() == view
    assert ReplaceViewOp("v", "new", "old").reverse() == ReplaceViewOp("v", "old", "new")
    trigger = CreateTriggerOp("tr", "t", "CREATE TRIGGER ...")
    assert trigger.reverse().reverse() == trigger
    with pytest.raises(Exception, match="cannot be reversed"):
        DropFunctionOp("f").reverse()
