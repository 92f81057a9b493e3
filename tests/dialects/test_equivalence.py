"""Dialect knowledge without a database: type synonyms and expression meaning."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite

from schemadiff.dialects import impl_for
from schemadiff.dialects.expressions import canonical_sql, same_expression

PG = impl_for(postgresql.dialect())
MY = impl_for(mysql.dialect())
LITE = impl_for(sqlite.dialect())


@pytest.mark.parametrize(
    ("impl", "reflected", "model"),
    [
        (PG, postgresql.DOUBLE_PRECISION(), sa.Float()),
        (PG, postgresql.REAL(), sa.Float(precision=10)),
        (PG, postgresql.DOUBLE_PRECISION(), sa.Float(precision=53)),
        (PG, sa.NUMERIC(10, 2), sa.Numeric(10, 2)),
        (PG, postgresql.TIMESTAMP(), sa.DateTime()),
        (PG, sa.VARCHAR(200), sa.Unicode(200)),
        (MY, mysql.TINYINT(display_width=1), sa.Boolean()),
        (MY, mysql.INTEGER(display_width=11), sa.Integer()),
        (MY, mysql.DECIMAL(10, 2), sa.Numeric(10, 2)),
        (MY, mysql.LONGTEXT(), sa.JSON()),
        (MY, mysql.DOUBLE(), sa.Double()),
        (LITE, sa.INTEGER(), sa.Integer()),
        (LITE, sa.VARCHAR(20), sa.String(20)),
        (LITE, sa.NUMERIC(10, 2), sa.Numeric(10, 2)),
    ],
)
def test_types_the_database_stores_alike_are_equal(impl, reflected, model):
    assert not impl.types_differ(reflected, model)


@pytest.mark.parametrize(
    ("impl", "reflected", "model"),
    [
        (PG, sa.VARCHAR(50), sa.String(60)),
        (PG, postgresql.REAL(), sa.Float(precision=53)),
        (PG, sa.INTEGER(), sa.BigInteger()),
        # another named enum: the column changes type
        (PG, postgresql.ENUM("a", "b", name="k"), sa.Enum("a", "b", name="other")),
        (MY, mysql.ENUM("a", "b"), sa.Enum("a", "b", "c", name="k")),
        (MY, mysql.TINYINT(display_width=1), sa.Integer()),
        (MY, mysql.DECIMAL(10, 2), sa.Numeric(12, 2)),
        (LITE, sa.TEXT(), sa.Integer()),
    ],
)
def test_real_type_changes_are_reported(impl, reflected, model):
    assert impl.types_differ(reflected, model)


def test_a_named_enum_with_other_values_is_not_a_column_type_change():
    """Its values belong to the type object: ``modify_enum``, not ``modify_type``."""
    assert not PG.types_differ(
        postgresql.ENUM("a", "b", name="k"), sa.Enum("a", "b", "c", name="k")
    )


@pytest.mark.parametrize(
    ("dialect", "reflected", "model"),
    [
        ("postgresql", "'abc'::character varying", "'abc'"),
        ("postgresql", "'it''s'::character varying", "'it''s'"),
        ("postgresql", "'0'::numeric", "0"),
        ("postgresql", "now()", "CURRENT_TIMESTAMP"),
        ("postgresql", "true", "1"),
        ("postgresql", "lower((email)::text)", "lower(email)"),
        ("postgresql", "((qty > 0) AND (qty < 10))", "qty > 0 AND qty < 10"),
        (
            "postgresql",
            "((status)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))",
            "status IN ('a', 'b')",
        ),
        ("postgresql", "(x >= 1) AND (x <= 5)", "x BETWEEN 1 AND 5"),
        ("postgresql", "(x < 1) OR (x > 5)", "x NOT BETWEEN 1 AND 5"),
        ("postgresql", "x <> ALL (ARRAY[1, 2])", "x NOT IN (1, 2)"),
        (
            "postgresql",
            "(s)::text <> ALL ((ARRAY['a'::character varying, 'b'::character varying])::text[])",
            "s NOT IN ('a', 'b')",
        ),
        (
            "postgresql",
            "(length(TRIM(BOTH FROM s)) >= 1) AND (length(TRIM(BOTH FROM s)) <= 10)",
            "length(trim(s)) BETWEEN 1 AND 10",
        ),
        ("postgresql", "NOT ((x >= 1) AND (x <= 2))", "NOT (x BETWEEN 1 AND 2)"),
        ("postgresql", "NOT ((s)::text IS DISTINCT FROM 'a'::text)", "s IS NOT DISTINCT FROM 'a'"),
        ("postgresql", "ROW(x, y) > ROW(0, 0)", "(x, y) > (0, 0)"),
        ("postgresql", "ts > (now() - '1 day'::interval)", "ts > now() - interval '1 day'"),
        (
            "postgresql",
            "(COALESCE(s, ''::character varying))::text <> ''::text",
            "coalesce(s, '') <> ''",
        ),
        ("mysql", "`x` = 1", "x IN (1)"),
        ("mysql", "`x` <> 1", "x NOT IN (1)"),
        ("mysql", "octet_length(`slug`) > 0", "length(slug) > 0"),
        ("mysql", "`x` <= 10", "NOT (x > 10)"),
        ("mysql", "`x` <> 1", "NOT (x = 1)"),
        ("mysql", "current_timestamp()", "now()"),
        ("mysql", "'0.00'", "0"),
        ("mysql", "`qty` > 5", "qty > 5"),
        ("sqlite", "CURRENT_TIMESTAMP", "(CURRENT_TIMESTAMP)"),
    ],
)
def test_expressions_compare_by_meaning(dialect, reflected, model):
    assert same_expression(reflected, model, dialect)


@pytest.mark.parametrize(
    ("dialect", "left", "right"),
    [
        ("postgresql", "'abc'", "'abd'"),
        ("postgresql", "qty > 0", "qty >= 0"),
        ("mysql", "1", "2"),
        ("postgresql", "(x >= 1) AND (x <= 5)", "x BETWEEN 1 AND 6"),
        ("postgresql", "(x < 1) OR (x > 5)", "x BETWEEN 1 AND 5"),
        ("postgresql", "x <> ALL (ARRAY[1, 2])", "x IN (1, 2)"),
        ("postgresql", "length(s) > 0", "octet_length(s) > 0"),
        ("mysql", "octet_length(`slug`) > 0", "char_length(slug) > 0"),
        ("mysql", "`x` <= 10", "NOT (x >= 10)"),
        ("postgresql", "NOT ((x >= 1) AND (x <= 2))", "NOT (x >= 1) AND x <= 2"),
        ("postgresql", "x = 1", "x IN (2)"),
        ("postgresql", "ts > (now() - '1 day'::interval)", "ts > now() - interval '2 days'"),
        ("postgresql", "NOT ((s)::text IS DISTINCT FROM 'a'::text)", "s IS DISTINCT FROM 'a'"),
        ("sqlite", "lower(a)", "upper(a)"),
    ],
)
def test_different_expressions_stay_different(dialect, left, right):
    assert not same_expression(left, right, dialect)


def test_unparsable_text_falls_back_to_folded_comparison():
    assert canonical_sql("%%% not sql", "postgresql") == "%%% not sql"
    assert same_expression("Weird  THING", "weird thing", "postgresql")
