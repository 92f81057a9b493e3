"""Every hazard kind, on every backend where it applies, as ``check`` reports it.

Each case builds the old model on a real server with rows in it, checks
against the new model, and where a rule claims something about the server
(a rewrite, a change that stays in the catalog) the migration is applied
and the claim verified: PostgreSQL's relation file node changes exactly
when the table was rewritten.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import sqlalchemy as sa

from schemadiff import command
from tests.hazards.support import Site, hazards_of, rows_of

ROWS = [f"INSERT INTO account (id, name) VALUES ({i}, 'n{i}')" for i in range(1, 6)]


def account(*extra: Any, name: Any = None, drop_name: bool = False) -> sa.MetaData:
    md = sa.MetaData()
    cols: list[Any] = [sa.Column("id", sa.Integer, primary_key=True, autoincrement=False)]
    if not drop_name:
        cols.append(sa.Column("name", name if name is not None else sa.String(50)))
    sa.Table("account", md, *cols, *extra)
    return md


def _only(site: Site, *backends: str) -> None:
    if site.backend not in backends:
        pytest.skip(f"{', '.join(backends)} only")


# -- deletes_data --------------------------------------------------------------
def test_dropping_a_table_or_column_deletes_data(site: Site):
    md = account()
    sa.Table("legacy", md, sa.Column("id", sa.Integer, primary_key=True))
    site.build(md, ROWS)
    changes = site.check(account(drop_name=True))
    assert hazards_of(changes, "remove_table", "legacy") == {"deletes_data"}
    assert hazards_of(changes, "remove_column", "name") >= {"deletes_data"}


def test_narrowing_a_type_deletes_data_and_may_fail(site: Site):
    site.build(account(), ROWS)
    changes = site.check(account(name=sa.String(10)))
    assert hazards_of(changes, "modify_type") >= {"deletes_data", "may_fail"}


def test_widening_a_varchar_neither_deletes_nor_rewrites(site: Site):
    _only(site, "postgresql", "mysql")
    site.build(account(), ROWS)
    node = site.filenode("account") if site.backend == "postgresql" else None
    changes = site.check(account(name=sa.String(60)))
    assert hazards_of(changes, "modify_type") == set()
    site.upgrade(account(name=sa.String(60)))
    if node is not None:
        assert site.filenode("account") == node  # catalog only, as the rule says


def test_removing_an_enum_value_deletes_data(site: Site):
    _only(site, "postgresql", "mysql")

    def model(*values: str) -> sa.MetaData:
        return account(sa.Column("status", sa.Enum(*values, name="status_enum")))

    site.build(model("a", "b", "c"), ROWS)
    changes = site.check(model("a", "b"))
    kind = "modify_enum" if site.backend == "postgresql" else "modify_type"
    assert hazards_of(changes, kind) >= {"deletes_data", "may_fail", "rewrites_table"}


# -- may_fail ------------------------------------------------------------------
def test_not_null_without_default_may_fail_on_a_table_with_rows(site: Site):
    site.build(account(), ROWS)
    site.analyze("account") if site.backend != "sqlite" else None
    changes = site.check(account(sa.Column("email", sa.String(50), nullable=False)))
    found = hazards_of(changes, "add_column", "email")
    if site.backend == "mysql":
        # MariaDB fills the existing rows with the type's implicit default ('')
        assert "may_fail" not in found
        site.upgrade(account(sa.Column("email", sa.String(50), nullable=False)))
    else:
        assert "may_fail" in found
    if site.backend == "postgresql":
        assert rows_of(changes, "add_column") == {5}


def test_not_null_on_a_table_estimated_empty_is_no_failure(site: Site):
    _only(site, "postgresql")
    site.build(account())
    site.analyze("account")  # the server now knows: 0 rows
    changes = site.check(account(sa.Column("email", sa.String(50), nullable=False)))
    assert hazards_of(changes, "add_column", "email") == set()
    site.upgrade(account(sa.Column("email", sa.String(50), nullable=False)))


def test_not_null_on_a_table_never_analysed_is_assumed_to_have_rows(site: Site):
    _only(site, "postgresql")
    site.build(account(), ROWS)  # reltuples is -1 until VACUUM/ANALYZE: unknown
    changes = site.check(account(sa.Column("email", sa.String(50), nullable=False)))
    assert hazards_of(changes, "add_column", "email") == {"may_fail"}
    assert rows_of(changes, "add_column") == {None}


def test_setting_not_null_may_fail_and_blocks_writes_on_postgresql(site: Site):
    site.build(account(), ROWS)
    changes = site.check(account(name=sa.String(50)).tables["account"].metadata)
    assert changes == []
    md = account()
    md.tables["account"].c.name.nullable = False
    found = hazards_of(site.check(md), "modify_nullable")
    assert "may_fail" in found
    expected = {
        "postgresql": "blocks_writes",
        "mysql": "rewrites_table",
        "sqlite": "rewrites_table",
    }[site.backend]
    assert expected in found


def test_a_unique_index_over_rows_may_fail(site: Site):
    site.build(account(), ROWS)
    if site.backend != "sqlite":
        site.analyze("account")
    changes = site.check(account(sa.Index("ux_account_name", "name", unique=True)))
    assert "may_fail" in hazards_of(changes, "add_index", "ux_account_name")
    if site.backend != "sqlite":  # the server's estimate, read in one query
        assert rows_of(changes, "add_index") == {5}


def test_a_unique_index_on_a_table_estimated_empty_cannot_fail(site: Site):
    _only(site, "postgresql", "mysql")
    site.build(account())
    site.analyze("account")
    changes = site.check(account(sa.Index("ux_account_name", "name", unique=True)))
    assert "may_fail" not in hazards_of(changes, "add_index", "ux_account_name")


# -- rewrites_table ------------------------------------------------------------
def test_int_to_bigint_rewrites_on_postgresql_and_copies_on_mariadb(site: Site):
    _only(site, "postgresql", "mysql")
    site.build(account(sa.Column("n", sa.Integer)), ROWS)
    node = site.filenode("account") if site.backend == "postgresql" else None
    changes = site.check(account(sa.Column("n", sa.BigInteger)))
    found = hazards_of(changes, "modify_type")
    assert "rewrites_table" in found and "deletes_data" not in found
    if site.backend == "mysql":
        assert "blocks_writes" in found  # ALGORITHM=COPY
    site.upgrade(account(sa.Column("n", sa.BigInteger)))
    if node is not None:
        assert site.filenode("account") != node


def test_volatile_default_rewrites_and_constant_default_does_not(site: Site):
    _only(site, "postgresql")
    site.build(account(), ROWS)
    node = site.filenode("account")
    constant = account(sa.Column("score", sa.Integer, server_default="0", nullable=False))
    assert hazards_of(site.check(constant), "add_column", "score") == set()
    site.upgrade(constant)
    assert site.filenode("account") == node  # PostgreSQL 11+: catalog only
    volatile = account(
        sa.Column("score", sa.Integer, server_default="0", nullable=False),
        sa.Column("r", sa.Float, server_default=sa.text("random()")),
    )
    assert hazards_of(site.check(volatile), "add_column", "r") == {"rewrites_table"}
    for path in site.project.versions():
        path.unlink()
    command_upgrade_fresh(site, volatile)
    assert site.filenode("account") != node


def command_upgrade_fresh(site: Site, model: sa.MetaData) -> None:
    from schemadiff import command

    command.stamp(site.project.config(model), "base", purge=True)
    site.upgrade(model)


def test_sqlite_batch_recreate_rewrites_the_table(site: Site):
    _only(site, "sqlite")
    site.build(account(), ROWS)
    changes = site.check(account(name=sa.String(50), drop_name=False))
    assert changes == []
    md = account(sa.CheckConstraint("id > 0", name="ck_account_id"))
    assert "rewrites_table" in hazards_of(site.check(md), "add_check")


# -- blocks_writes -------------------------------------------------------------
def test_create_index_blocks_writes_unless_concurrently(site: Site):
    site.build(account(), ROWS)
    plain = hazards_of(site.check(account(sa.Index("ix_name", "name"))), "add_index")
    if site.backend == "mysql":
        assert plain == set()  # InnoDB builds it in place, LOCK=NONE
    else:
        assert plain == {"blocks_writes"}
    if site.backend == "postgresql":
        quiet = account(sa.Index("ix_name", "name", postgresql_concurrently=True))
        assert hazards_of(site.check(quiet), "add_index") == set()


def test_check_with_safe_migrations_reports_no_blocked_writes_for_an_index(site: Site):
    """The config key turns the option on; check judges the CONCURRENTLY build."""
    _only(site, "postgresql")
    site.build(account(), ROWS)
    cfg = site.project.config(account(sa.Index("ix_name", "name")))
    cfg.set_main_option("safe_migrations", "true")
    command.check(cfg, format="json")
    changes = json.loads(cfg.stdout.getvalue())["changes"]
    assert hazards_of(changes, "add_index") == set()


def test_foreign_key_and_check_validated_in_place(site: Site):
    _only(site, "postgresql", "mysql")
    md = account(sa.Column("parent_id", sa.Integer))
    sa.Table("parent", md, sa.Column("id", sa.Integer, primary_key=True))
    site.build(md, ROWS)
    after = account(
        sa.Column("parent_id", sa.Integer),
        sa.ForeignKeyConstraint(["parent_id"], ["parent.id"], name="fk_parent"),
        sa.CheckConstraint("id > 0", name="ck_positive"),
    )
    sa.Table("parent", after, sa.Column("id", sa.Integer, primary_key=True))
    changes = site.check(after)
    fk, ck = hazards_of(changes, "add_fk"), hazards_of(changes, "add_check")
    assert "blocks_writes" in fk and "blocks_writes" in ck
    if site.backend == "mysql":
        assert "rewrites_table" in fk and "rewrites_table" in ck


def test_changes_to_new_tables_have_no_hazards(site: Site):
    changes = site.check(account(sa.Index("ix_name", "name"), sa.CheckConstraint("id > 0")))
    assert changes and all(c["hazards"] == [] for c in changes)


@pytest.mark.parametrize(
    ("alter", "copies"),
    [
        ("MODIFY name VARCHAR(60)", False),  # 200 -> 240 bytes: one length byte still
        ("MODIFY name VARCHAR(20)", True),  # shortening
        ("MODIFY n BIGINT", True),
        ("MODIFY name TEXT", True),
        ("ADD COLUMN z INT NOT NULL", False),
    ],
)
def test_mariadb_rules_match_what_the_server_does_in_place(site: Site, alter: str, copies: bool):
    """The claim behind each MariaDB rule, asked of the server itself: a change
    reported as a copy is refused with ALGORITHM=INPLACE, any other accepted."""
    _only(site, "mysql")
    site.build(account(sa.Column("n", sa.Integer)), ROWS)
    with site.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE account CONVERT TO CHARACTER SET utf8mb4")
    try:
        with site.engine.begin() as conn:
            conn.exec_driver_sql(f"ALTER TABLE account {alter}, ALGORITHM=INPLACE, LOCK=NONE")
        refused = False
    except sa.exc.DBAPIError:
        refused = True
    assert refused is copies


def test_estimates_cost_one_catalog_query_and_never_a_count(site: Site):
    from schemadiff import compare_metadata

    site.build(account(), ROWS)
    site.analyze("account")  # on SQLite, sqlite_stat1 now exists to be read
    seen: list[str] = []
    sa.event.listen(site.engine, "before_cursor_execute", lambda *args: seen.append(str(args[2])))
    with site.engine.connect() as conn:
        changes = compare_metadata(conn, account(drop_name=True))
    marker = {"postgresql": "reltuples", "mysql": "TABLE_ROWS", "sqlite": "sqlite_stat1"}
    assert sum(marker[site.backend] in sql for sql in seen) == 1
    # the table itself is never read (catalog queries only)
    data = re.compile(r"\bFROM\s+[\"`]?account\b", re.IGNORECASE)
    assert not any(data.search(sql) for sql in seen), seen
    (change,) = changes
    assert [h.rows for h in change.hazards] == [5]
