"""The rules as pure functions: registry, type shifts, each backend's verdicts.

The server-facing claims are proven in test_check_hazards; here the edges
of each rule (length-byte classes, numeric scales, volatile calls) are
pinned without a database.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql

from schemadiff.backends.mysql.hazards import type_change_instant, varchar_in_place
from schemadiff.backends.postgresql.hazards import type_keeps_values, volatile_default
from schemadiff.hazards import (
    HazardContext,
    HazardRules,
    context_for,
    op_hazards,
    register_hazard_rules,
    rules_for,
)
from schemadiff.hazards.types import Shift, type_shift
from schemadiff.ops import AddColumnOp, DropColumnOp, Hazard
from schemadiff.ops.base import Change
from schemadiff.ops.enum_ops import AlterEnumOp
from schemadiff.ops.sql_ops import ExecuteSQLOp
from schemadiff.plugins import default_registries
from schemadiff.renderers.report import Report, render_report


def test_registry_by_dialect_name_with_generic_fallback():
    class Strict(HazardRules):
        def hazards(self, op, ctx):
            return [Hazard("blocks_writes", "everything locks here")]

    register_hazard_rules("strictdb", Strict())
    try:
        ctx = HazardContext("strictdb")
        assert op_hazards(DropColumnOp("t", "c"), ctx) == [
            Hazard("blocks_writes", "everything locks here")
        ]
    finally:
        default_registries().backends.extra["hazard_rules"].pop("strictdb")
    assert type(rules_for("nosuchdb")) is HazardRules
    assert rules_for("postgresql").name == "postgresql"
    assert rules_for("mariadb").name == "mysql"
    with pytest.raises(TypeError):
        register_hazard_rules("x", object())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("old", "new", "shift"),
    [
        (sa.String(50), sa.String(20), Shift.NARROW),
        (sa.String(20), sa.String(50), Shift.WIDEN),
        (sa.Text(), sa.String(50), Shift.NARROW),
        (sa.String(50), sa.Text(), Shift.WIDEN),
        (sa.BigInteger(), sa.Integer(), Shift.NARROW),
        (sa.SmallInteger(), sa.Integer(), Shift.WIDEN),
        (sa.Numeric(10, 2), sa.Numeric(10, 1), Shift.NARROW),
        (sa.Numeric(10, 2), sa.Numeric(12, 2), Shift.WIDEN),
        (sa.Numeric(10, 2), sa.Integer(), Shift.NARROW),
        (sa.DateTime(), sa.Date(), Shift.NARROW),
        (sa.Enum("a", "b", name="e"), sa.Enum("a", name="e"), Shift.NARROW),
        (sa.String(10), sa.Integer(), Shift.CONVERT),
        (None, sa.Integer(), Shift.CONVERT),
    ],
)
def test_type_shift(old, new, shift):
    assert type_shift(old, new) is shift


@pytest.mark.parametrize(
    ("old", "new", "keeps"),
    [
        (sa.String(10), sa.String(20), True),
        (sa.String(10), sa.Text(), True),
        (sa.Text(), sa.String(), True),
        (sa.Text(), sa.String(10), False),
        (sa.String(20), sa.String(10), False),
        (sa.Numeric(10, 2), sa.Numeric(12, 2), True),
        (sa.Numeric(10, 2), sa.Numeric(), True),
        (sa.Numeric(10, 2), sa.Numeric(12, 3), False),
        (sa.Integer(), sa.BigInteger(), False),
        (postgresql.CHAR(5), sa.String(10), False),
    ],
)
def test_postgresql_rewrites_unless_the_old_bytes_stay_valid(old, new, keeps):
    assert type_keeps_values(old, new) is keeps


@pytest.mark.parametrize(
    ("default", "volatile"),
    [
        ("0", False),
        ("'x'::text", False),
        ("now()", False),
        ("CURRENT_TIMESTAMP", False),
        ("random()", True),
        ("gen_random_uuid()", True),
        ("nextval('s'::regclass)", True),
        ("clock_timestamp()", True),
    ],
)
def test_postgresql_volatile_defaults(default, volatile):
    assert volatile_default(default) is volatile


@pytest.mark.parametrize(
    ("old", "new", "in_place"),
    [  # what MariaDB 10.11 answered to ALGORITHM=INSTANT, utf8mb4
        (20, 70, True),  # 80 bytes: one length byte whatever the values
        (40, 70, False),  # 160 -> 280 bytes: the length prefix grows
        (63, 64, False),
        (64, 65, True),  # already two length bytes
        (50, 60, True),
        (50, 40, False),
    ],
)
def test_mariadb_varchar_extension_classes(old, new, in_place):
    assert varchar_in_place(mysql.VARCHAR(old), sa.String(new)) is in_place


def test_mariadb_enum_appending_is_instant_reordering_is_not():
    ab = sa.Enum("a", "b", name="e")
    assert type_change_instant(ab, sa.Enum("a", "b", "c", name="e"))
    assert not type_change_instant(ab, sa.Enum("c", "a", "b", name="e"))


def test_offline_context_assumes_rows_but_not_in_new_tables():
    column = sa.Column("email", sa.String(50), nullable=False)
    sa.Table("t", sa.MetaData(), column)
    op = AddColumnOp("t", column)
    offline = context_for("postgresql", [op])
    assert [h.kind for h in op_hazards(op, offline)] == ["may_fail"]
    empty = context_for("postgresql", [op], rows={(None, "t"): 0})
    assert op_hazards(op, empty) == []
    sized = context_for("postgresql", [op], rows={(None, "t"): 1200})
    assert [h.rows for h in op_hazards(op, sized)] == [1200]


def test_enum_value_removal_and_raw_sql():
    ctx = HazardContext("postgresql")
    kinds = [h.kind for h in op_hazards(AlterEnumOp("e", ("a",), ("a", "b")), ctx)]
    assert kinds == ["deletes_data", "may_fail", "rewrites_table"]  # most severe first
    assert [h.kind for h in op_hazards(ExecuteSQLOp("DELETE FROM t"), ctx)] == ["unchecked"]
    assert op_hazards(ExecuteSQLOp("SET lock_timeout = '5s'"), ctx) == []


def test_text_report_marks_each_hazard_under_its_change():
    change = Change(
        "remove_column",
        None,
        "account",
        "legacy",
        hazards=(Hazard("deletes_data", "drops column 'account.legacy'\n::error::x", 1200),),
    )
    text = render_report(Report("sqlite://", (change,)), "text")
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if "remove_column:" in line)
    assert lines[at + 1] == (
        "      HAZARD deletes_data: drops column 'account.legacy'\\n::error::x (~1200 rows)"
    )
    assert len(lines) == at + 2  # the newline in the message was spelled out


def test_postgresql_knows_validate_constraint_and_concurrent_indexes():
    ctx = HazardContext("postgresql")
    validate = ExecuteSQLOp('ALTER TABLE "account" VALIDATE CONSTRAINT fk_parent')
    assert [h.kind for h in op_hazards(validate, ctx)] == ["may_fail"]
    table = sa.Table("account", sa.MetaData(), sa.Column("name", sa.String))
    plain = sa.Index("ix_name", table.c.name)
    quiet = sa.Index("ix_name2", table.c.name, postgresql_concurrently=True)
    from schemadiff.ops import CreateIndexOp

    assert [h.kind for h in op_hazards(CreateIndexOp(plain), ctx)] == ["blocks_writes"]
    assert op_hazards(CreateIndexOp(quiet), ctx) == []


def test_safe_migrations_is_judged_by_the_ddl_it_runs():
    """With ``safe_migrations`` on, PostgreSQL builds the index CONCURRENTLY and
    adds keys NOT VALID, validating them after a commit: no write is blocked,
    while what may fail (the validation over existing rows) still may."""
    from schemadiff.ops import AddConstraintOp, CreateIndexOp

    md = sa.MetaData()
    sa.Table("parent", md, sa.Column("id", sa.Integer, primary_key=True))
    account = sa.Table("account", md, sa.Column("name", sa.String), sa.Column("pid", sa.Integer))
    index = CreateIndexOp(sa.Index("ix_name", account.c.name))
    fk = sa.ForeignKeyConstraint(["pid"], ["parent.id"], name="fk_parent")
    account.append_constraint(fk)
    add_fk = AddConstraintOp(fk)
    plain = context_for("postgresql", [index, add_fk])
    safe = context_for("postgresql", [index, add_fk], safe_migrations=True)
    assert [h.kind for h in op_hazards(index, plain)] == ["blocks_writes"]
    assert op_hazards(index, safe) == []
    fk_plain = {h.kind for h in op_hazards(add_fk, plain)}
    fk_safe = {h.kind for h in op_hazards(add_fk, safe)}
    assert "blocks_writes" in fk_plain and "blocks_writes" not in fk_safe
    assert fk_safe == fk_plain - {"blocks_writes"}
